// The writer prepares its next batch while the last one is written (log_writer.h). Each batch
// here is prepared while the one before is held back before the write-ahead log, so none of it
// is in the store yet: every read of the preparation must go through the overlay of the batch in
// flight. The store that results must be the one the plain writer leaves, key for key, over a
// generated region's stream (late and out-of-order events, duplicates, retractions, merges).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/envelope_parser.h"
#include "services/clock.h"
#include "services/log_verifier.h"
#include "services/projected_log.h"
#include "services/store_keys.h"
#include "services/store_view.h"
#include "tests/faulty_files.h"
#include "tests/log_lines.h"
#include "tests/test_support.h"
#include "tools/generator/generator.h"

namespace throughline::services {
namespace {

constexpr Family kEveryFamily[] = {Family::kMeta,        Family::kLog,      Family::kPersonEvents,
                                   Family::kIdempotency, Family::kIdentity, Family::kPersons,
                                   Family::kDeadLetters, Family::kAudit,    Family::kViews,
                                   Family::kCohorts,     Family::kAlerts};

// A generated region's stream, cut into batches of 1 to 300 messages, with a few messages that
// fail validation for the dead letters.
std::vector<IncomingBatch> Batches() {
  generator::GeneratorOptions options;
  options.persons = 400;
  options.seed = 7;
  std::vector<std::string> values;
  generator::Generator region(options);
  REQUIRE(region.Run([&](std::string_view json) { values.emplace_back(json); }).ok());
  for (std::size_t i = 0; i < values.size(); i += 997)
    values[i] = R"({"specversion":"1.0","id":"broken"})";

  events::EnvelopeParser parser;
  std::vector<IncomingBatch> batches;
  std::uint64_t lcg = 12345;
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < values.size();) {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::size_t n = std::min<std::size_t>(1 + (lcg >> 33) % 300, values.size() - i);
    IncomingBatch batch;
    for (std::size_t j = 0; j < n; ++j, ++i) {
      RawMessage raw;
      raw.origin = {"t", 0, offset++};
      raw.value = values[i];
      batch.messages.push_back(ParseMessage(std::move(raw), parser));
    }
    batch.offsets[{"t", 0}] = offset;
    batches.push_back(std::move(batch));
  }
  return batches;
}

// One engine's store and log, on a file system the test can hold or fail.
struct Store {
  explicit Store(std::shared_ptr<rocksdb::Env> env = nullptr)
      : clock(events::Timestamp{1'700'000'000'000}) {
    options.sync = false;
    options.env = std::move(env);
    Reopen();
  }
  void Reopen() {
    log.reset();
    store.reset();
    auto opened = EventStore::Open(dir.path(), options);
    REQUIRE(opened.ok());
    store = std::move(*opened);
    auto projected = ProjectedLog::Open(store.get(), &clock);
    REQUIRE(projected.ok());
    log = std::move(*projected);
  }
  LogWriter& writer() { return log->writer(); }

  testing::TempDir dir;
  StoreOptions options;
  ManualClock clock;
  std::unique_ptr<EventStore> store;
  std::unique_ptr<ProjectedLog> log;
};

// Every family's keys and values, in order.
std::vector<std::string> Contents(const EventStore& store) {
  std::vector<std::string> lines;
  for (Family family : kEveryFamily) {
    std::unique_ptr<rocksdb::Iterator> it(
        store.db()->NewIterator(rocksdb::ReadOptions(), store.family(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      lines.push_back(fmt::format("{} {} = {}", static_cast<int>(family),
                                  testing::Hex(it->key().ToStringView()),
                                  testing::Hex(it->value().ToStringView())));
    }
  }
  return lines;
}

using testing::LogLines;

// The first two are the kinds of line the failing batch is chosen for, below.
constexpr std::string_view kLandedKinds[] = {"alert.raised", "ingest.dead_letter",
                                             "identity.linked", "alerts.raised",
                                             "ingest.dead_letters"};

// The plain writer: each batch prepared and written before the next.
struct OneByOne {
  std::vector<std::string> contents;
  // Per batch, the lines of each of kLandedKinds it logged.
  std::vector<std::vector<std::size_t>> lines;
  // The projector's counts of persons updated in place and folded afresh.
  std::uint64_t incremental = 0, refolds = 0;
};

OneByOne WrittenOneByOne(const std::vector<IncomingBatch>& batches) {
  OneByOne written;
  LogLines log;
  std::vector<std::size_t> before(std::size(kLandedKinds), 0);
  Store s;
  for (const IncomingBatch& batch : batches) {
    AppendResult result;
    REQUIRE(s.writer().Append(batch, &result).ok());
    s.clock.Advance(1000);
    std::vector<std::size_t> now;
    for (std::size_t k = 0; k < std::size(kLandedKinds); ++k) {
      now.push_back(log.Count(kLandedKinds[k]) - before[k]);
      before[k] += now.back();
    }
    written.lines.push_back(std::move(now));
  }
  written.contents = Contents(*s.store);
  written.incremental = s.log->projector().metrics().incremental;
  written.refolds = s.log->projector().metrics().refolds;
  return written;
}

void ExpectSame(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("entry " << i);
    REQUIRE(got[i] == want[i]);
  }
}

TEST_CASE("A view with a batch in flight: its puts and deletes hide the store's", "[unit]") {
  Store s;
  EventStore& store = *s.store;
  auto* index = store.family(Family::kPersonEvents);
  auto* identity = store.family(Family::kIdentity);
  const auto at = [](std::int64_t ms) { return events::Timestamp{ms}; };
  rocksdb::WriteBatch stored;
  for (std::uint64_t sequence : {1, 2, 5})
    REQUIRE(stored.Put(index, PersonEventKey(7, at(sequence * 10), sequence), "").ok());
  REQUIRE(stored.Put(index, PersonEventKey(8, at(10), 3), "").ok());  // another person
  REQUIRE(stored.Put(identity, "a", Fixed64Value(1)).ok());
  REQUIRE(stored.Put(identity, "b", Fixed64Value(2)).ok());
  REQUIRE(store.Write(&stored).ok());

  rocksdb::WriteBatch in_flight;
  REQUIRE(in_flight.Delete(index, PersonEventKey(7, at(10), 1)).ok());
  REQUIRE(in_flight.Put(index, PersonEventKey(7, at(40), 4), "").ok());
  REQUIRE(in_flight.Put(index, PersonEventKey(7, at(60), 6), "").ok());
  REQUIRE(in_flight.Delete(index, PersonEventKey(7, at(60), 6)).ok());  // the last write counts
  REQUIRE(in_flight.Delete(index, PersonEventKey(7, at(90), 9)).ok());  // of nothing stored
  REQUIRE(in_flight.Put(index, PersonEventKey(7, at(99), 10), "").ok());
  REQUIRE(in_flight.Delete(identity, "a").ok());
  REQUIRE(in_flight.Put(identity, "b", Fixed64Value(20)).ok());
  REQUIRE(in_flight.Put(identity, "c", Fixed64Value(30)).ok());
  auto overlay = BatchOverlay::Of(in_flight);
  REQUIRE(overlay);

  auto events_of = [](StoreView view, std::uint64_t person) {
    std::vector<std::uint64_t> sequences;
    view.ForEachPersonEvent(person, [&](events::Timestamp, std::uint64_t sequence) {
      sequences.push_back(sequence);
      return true;
    });
    return sequences;
  };
  const StoreView view(store, &*overlay);
  CHECK(events_of(store, 7) == std::vector<std::uint64_t>{1, 2, 5});
  CHECK(events_of(view, 7) == std::vector<std::uint64_t>{2, 4, 5, 10});
  CHECK(events_of(view, 8) == std::vector<std::uint64_t>{3});

  auto found = view.FindMany(Family::kIdentity, {"c", "a", "b", "d"});
  REQUIRE(found.ok());
  CHECK(*found == std::vector<std::optional<std::uint64_t>>{30, std::nullopt, 20, std::nullopt});
  auto before = store.FindMany(Family::kIdentity, {"c", "a", "b"});
  REQUIRE(before.ok());
  CHECK(*before == std::vector<std::optional<std::uint64_t>>{std::nullopt, 1, 2});
}

TEST_CASE("A batch prepared while the last is unwritten leaves the store the plain writer does",
          "[integration]") {
  const std::vector<IncomingBatch> batches = Batches();
  REQUIRE(batches.size() > 40);
  const std::vector<std::string> want = WrittenOneByOne(batches).contents;

  testing::FaultyFiles files;
  Store s(files.env());
  files.HoldLogWrites(true);
  for (const IncomingBatch& batch : batches) {
    AppendResult result;
    REQUIRE(s.writer().Prepare(batch, &result).ok());  // the last batch is held, unwritten
    s.clock.Advance(1000);
    files.HoldLogWrites(false);
    REQUIRE(s.writer().FinishWrite().ok());
    files.HoldLogWrites(true);
    s.writer().StartWrite();
  }
  files.HoldLogWrites(false);
  REQUIRE(s.writer().FinishWrite().ok());

  ExpectSame(Contents(*s.store), want);
  auto report = VerifyStore(*s.store, {}, s.clock.Now());
  INFO(fmt::format("{}", fmt::join(report.problems, "\n")));
  CHECK(report.ok());
  // The refolds read records from the record cache too: the store above holds what they gave.
  CHECK(s.store->record_cache().hits() > 0);
}

TEST_CASE("A write that fails drops the batch prepared on it: both again lose and double nothing",
          "[integration]") {
  const std::vector<IncomingBatch> batches = Batches();
  const OneByOne plain = WrittenOneByOne(batches);
  const std::vector<std::string>& want = plain.contents;
  // The batch to fail: from half way, the first that, with the batch prepared on it, raises an
  // alert and rejects a message. Their log lines must come once, when they are written.
  std::size_t failing = batches.size() / 2;
  while (failing + 2 < batches.size() &&
         (plain.lines[failing][0] + plain.lines[failing + 1][0] == 0 ||
          plain.lines[failing][1] + plain.lines[failing + 1][1] == 0)) {
    ++failing;
  }
  REQUIRE(failing + 2 < batches.size());
  std::vector<std::size_t> want_lines(std::size(kLandedKinds), 0);
  for (const auto& lines : plain.lines) {
    for (std::size_t k = 0; k < lines.size(); ++k)
      want_lines[k] += lines[k];
  }

  LogLines log;
  testing::FaultyFiles files;
  Store s(files.env());
  files.HoldLogWrites(true);
  std::size_t i = 0;
  for (; i < batches.size(); ++i) {
    AppendResult result;
    REQUIRE(s.writer().Prepare(batches[i], &result).ok());
    s.clock.Advance(1000);
    const bool fail = i == failing + 1;  // batch `failing` is in flight
    files.FailLogWrites(fail);
    files.HoldLogWrites(false);
    Status written = s.writer().FinishWrite();
    files.FailLogWrites(false);
    if (fail) {
      CHECK_FALSE(written.ok());
      CHECK_FALSE(s.writer().has_prepared());
      break;
    }
    REQUIRE(written.ok());
    files.HoldLogWrites(true);
    s.writer().StartWrite();
  }
  REQUIRE(i == failing + 1);

  // As the engine does: the store resumes (or, if RocksDB cannot, a restart reopens it), and the
  // failed batch and the one prepared on it are appended again, in order, then the rest.
  std::uint64_t incremental = 0, refolds = 0;  // counted by a projector a restart let go
  if (!s.store->Resume().ok()) {
    incremental = s.log->projector().metrics().incremental;
    refolds = s.log->projector().metrics().refolds;
    s.Reopen();
  }
  s.clock.Advance(-2000);  // back to when the failed batch was prepared
  for (std::size_t j = failing; j < batches.size(); ++j) {
    AppendResult result;
    Status appended = s.writer().Append(batches[j], &result);
    INFO(appended.ToString());
    REQUIRE(appended.ok());
    s.clock.Advance(1000);
  }
  ExpectSame(Contents(*s.store), want);
  auto report = VerifyStore(*s.store, {}, s.clock.Now());
  INFO(fmt::format("{}", fmt::join(report.problems, "\n")));
  CHECK(report.ok());
  for (std::size_t k = 0; k < std::size(kLandedKinds); ++k) {
    INFO(kLandedKinds[k]);
    CHECK(log.Count(kLandedKinds[k]) == want_lines[k]);
  }
  // Each person's update counted once, as the plain writer counts it.
  CHECK(incremental + s.log->projector().metrics().incremental == plain.incremental);
  CHECK(refolds + s.log->projector().metrics().refolds == plain.refolds);
}

}  // namespace
}  // namespace throughline::services
