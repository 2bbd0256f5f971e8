// The record cache (services/record_cache.h): bounded by bytes, least recently used out first,
// and holding only records that have landed, on a real store.

#include "services/record_cache.h"

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/envelope_parser.h"
#include "services/clock.h"
#include "services/projected_log.h"
#include "services/store_keys.h"
#include "services/store_stats.h"
#include "services/store_view.h"
#include "tests/faulty_files.h"
#include "tests/services/store_fixture.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

std::string Arrest(const std::string& id, const std::string& date) {
  return fmt::format(
      R"({{"specversion":"1.0","id":"{}","source":"police/gwent/custody","type":"arrest.recorded",)"
      R"("time":"{}T10:15:00Z","data":{{"person":{{"pnc":"2012/0123456Y"}},"mode":"arrest",)"
      R"("force":"gwent","offences":[{{"code":"TH68001"}}]}}}})",
      id, date);
}

bool Holds(RecordCache& cache, std::uint64_t sequence) {
  std::string value;
  return cache.Lookup(sequence, &value);
}

TEST_CASE("The record cache holds a record in the slot of its sequence, within its bytes",
          "[unit]") {
  // Four slots: record s in slot s mod 4.
  RecordCache cache(4 * RecordCache::kBytesPerSlot);
  const std::size_t empty = cache.bytes();
  CHECK(empty > 0);
  for (std::uint64_t s = 1; s <= 4; ++s)
    cache.Insert(s, std::string(200, static_cast<char>('a' + s)));
  std::string value;
  for (std::uint64_t s = 1; s <= 4; ++s) {
    REQUIRE(cache.Lookup(s, &value));
    CHECK(value == std::string(200, static_cast<char>('a' + s)));
  }
  CHECK(cache.bytes() == empty + 4 * 201);
  // Record 5 takes record 1's slot, in a buffer of its own size.
  cache.Insert(5, std::string(100, 'x'));
  CHECK_FALSE(Holds(cache, 1));
  REQUIRE(cache.Lookup(5, &value));
  CHECK(value == std::string(100, 'x'));
  CHECK(cache.bytes() == empty + 3 * 201 + 101);
  // One that would take the cache past its bytes is not held, and the slot keeps its record.
  cache.Insert(6, std::string(4 * RecordCache::kBytesPerSlot, 'y'));
  CHECK_FALSE(Holds(cache, 6));
  CHECK(Holds(cache, 2));
  CHECK(cache.bytes() <= 4 * RecordCache::kBytesPerSlot);
  CHECK(cache.hits() > 0);
  CHECK(cache.misses() > 0);

  RecordCache none(RecordCache::kBytesPerSlot - 1);
  none.Insert(1, "x");
  CHECK_FALSE(Holds(none, 1));
  CHECK(none.bytes() == 0);
}

TEST_CASE("Records read from the store are kept, and read again from the cache as stored",
          "[integration]") {
  testing::StoreFixture f;
  f.Append({Arrest("a", "2019-03-04"), Arrest("b", "2019-03-05"), Arrest("c", "2019-03-06")});
  f.Reopen();  // a new store, its cache empty
  RecordCache& cache = f.store().record_cache();
  const std::vector<std::uint64_t> sequences = {3, 1, 2};
  auto first = StoreView(f.store()).ReadRecords(sequences);
  REQUIRE(first.ok());
  CHECK(cache.hits() == 0);
  CHECK(cache.misses() == 3);
  auto again = StoreView(f.store()).ReadRecords(sequences);
  REQUIRE(again.ok());
  CHECK(cache.hits() == 3);
  REQUIRE(again->size() == 3);
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    CHECK((*again)[i].sequence == sequences[i]);
    CHECK(EncodeLogRecord((*again)[i]) == EncodeLogRecord((*first)[i]));
  }
}

TEST_CASE("Only landed records are kept: not those of a batch in flight, nor of one that failed",
          "[integration]") {
  testing::FaultyFiles files;
  testing::TempDir dir;
  StoreOptions options;
  options.sync = false;
  options.env = files.env();
  auto store = EventStore::Open(dir.path(), options);
  REQUIRE(store.ok());
  ManualClock clock(events::Timestamp{1'700'000'000'000});
  auto log = ProjectedLog::Open(store->get(), &clock);
  REQUIRE(log.ok());
  LogWriter& writer = (*log)->writer();
  RecordCache& cache = (*store)->record_cache();
  events::EnvelopeParser parser;
  std::int64_t offset = 0;
  auto batch_of = [&](const std::string& value) {
    IncomingBatch batch;
    RawMessage raw;
    raw.origin = {"t", 0, offset++};
    raw.value = value;
    batch.messages.push_back(ParseMessage(std::move(raw), parser));
    batch.offsets[{"t", 0}] = offset;
    return batch;
  };

  AppendResult result;
  REQUIRE(writer.Append(batch_of(Arrest("a", "2019-03-04")), &result).ok());
  REQUIRE(writer.Append(batch_of(Arrest("b", "2019-03-05")), &result).ok());
  // A landed batch's records are kept as written.
  for (std::uint64_t sequence : {1, 2}) {
    std::string cached, stored;
    REQUIRE(cache.Lookup(sequence, &cached));
    REQUIRE(
        (*store)->db()->Get({}, (*store)->family(Family::kLog), U64Key(sequence), &stored).ok());
    CHECK(cached == stored);
  }

  // Sequence 3 in flight, held before the write-ahead log; the batch prepared on it is a late
  // event of the same person, whose refold reads 1, 2 and 3 (that one through the overlay).
  files.HoldLogWrites(true);
  REQUIRE(writer.Prepare(batch_of(Arrest("c", "2019-03-06")), &result).ok());
  writer.StartWrite();
  clock.Advance(1000);
  const std::uint64_t refolds = (*log)->projector().metrics().refolds;
  REQUIRE(writer.Prepare(batch_of(Arrest("d", "2019-03-01")), &result).ok());
  CHECK(result.first_sequence == 4);
  CHECK_FALSE(Holds(cache, 3));
  CHECK_FALSE(Holds(cache, 4));

  // The write fails: neither is kept, so the same sequences appended again are read as they
  // are written then.
  files.FailLogWrites(true);
  files.HoldLogWrites(false);
  CHECK_FALSE(writer.FinishWrite().ok());
  files.FailLogWrites(false);
  CHECK_FALSE(Holds(cache, 3));
  CHECK_FALSE(Holds(cache, 4));
  CHECK(Holds(cache, 1));
  // The refold happened in the dropped preparation, and is counted only when a batch lands.
  CHECK((*log)->projector().metrics().refolds == refolds);
}

TEST_CASE("A store whose caches would outgrow the machine's memory is refused, naming the options",
          "[integration]") {
  testing::TempDir dir;
  StoreOptions options;
  options.record_cache_bytes = std::size_t{1} << 50;  // a petabyte
  auto store = EventStore::Open(dir.path(), options);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().IsInvalidArgument());
  CHECK_THAT(store.status().message(), Catch::Contains("record cache 1073741824 MiB") &&
                                           Catch::Contains("lower --block-cache-mb"));
}

TEST_CASE("Only a store opened to write keeps a record cache: a reader beside it has none",
          "[integration]") {
  testing::TempDir dir;
  auto store = EventStore::Open(dir.path(), StoreOptions{});
  REQUIRE(store.ok());
  CHECK(StoreMemoryUse(**store).record_cache >= 1 << 20);  // its slots, before any record
  auto reader = EventStore::Open(dir.path(), StoreOptions{}, OpenMode::kSecondary);
  REQUIRE(reader.ok());
  CHECK(StoreMemoryUse(**reader).record_cache == 0);
}

}  // namespace
}  // namespace throughline::services
