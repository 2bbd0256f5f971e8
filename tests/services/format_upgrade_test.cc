// A store written before event format 2 and projection version 2 (stop 33), opened by this
// engine: its log holds format 1 records, its views are version 1. The store is made by
// ingesting the samples, then writing every record's event back in format 1 (the golden bytes
// of the same sample, with the hash chain made again) and every view in version 1's layout, as
// an engine of then would have left them.

#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "events/event_codec.h"
#include "events/record_codec.h"
#include "projections/projection_codec.h"
#include "services/log_record.h"
#include "services/store_keys.h"
#include "tests/events/fixed_layout.h"
#include "tests/services/store_fixture.h"

namespace throughline::services {
namespace {

using testing::ReadFamily;
using testing::StoreFixture;

// The samples' format 1 records (tests/data/golden/event_records_v1.hex), by event id.
std::map<std::string, std::string> GoldenFormat1Records() {
  std::map<std::string, std::string> out;
  for (const auto& line :
       testing::ReadLines(testing::SourcePath("tests/data/golden/event_records_v1.hex"))) {
    std::string record = testing::Unhex(line);
    auto event = events::DecodeStoredEvent(record);
    REQUIRE(event.ok());
    out.emplace(event->id, std::move(record));
  }
  return out;
}

// Writes the store back as an engine before stop 33 would have left it: each record's event in
// format 1 (the chain's hashes made again over the new values) and each view and alert in
// projection version 1. Returns how many records it wrote back.
int WriteBackAsFormat1(StoreFixture& f) {
  const auto golden = GoldenFormat1Records();
  EventStore& store = f.store();
  rocksdb::WriteBatch batch;
  RecordHash previous{};
  int written_back = 0;
  const std::uint64_t last = store.state().next_sequence - 1;
  for (std::uint64_t sequence = 1; sequence <= last; ++sequence) {
    auto record = store.ReadRecord(sequence);
    REQUIRE(record.ok());
    auto event = events::DecodeStoredEvent(record->event);
    REQUIRE(event.ok());
    REQUIRE(static_cast<std::uint8_t>(record->event[0]) == 2);
    auto old = golden.find(event->id);
    REQUIRE(old != golden.end());
    REQUIRE(*events::DecodeStoredEvent(old->second) == *event);
    record->event = old->second;
    record->previous_hash = previous;
    const std::string rewritten = EncodeLogRecord(*record);
    previous = HashRecord(sequence, rewritten);
    batch.Put(store.family(Family::kLog), U64Key(sequence), rewritten);
    ++written_back;
  }
  batch.Put(store.family(Family::kMeta), kLastHashKey,
            std::string(reinterpret_cast<const char*>(previous.data()), previous.size()));
  for (const auto& [key, value] : ReadFamily(store, Family::kViews)) {
    auto state = projections::DecodeProjection(*DecodeU64Key(key), value);
    REQUIRE(state.ok());
    std::string v1(1, '\1');
    events::codec::EncodeFixedRecord(*state, &v1);
    batch.Put(store.family(Family::kViews), key, v1);
  }
  for (const auto& [key, value] : ReadFamily(store, Family::kAlerts)) {
    if (!key.starts_with(kAlertPrefix))
      continue;  // the alerts' other keys hold no record
    auto alert = projections::DecodeAlert(value);
    REQUIRE(alert.ok());
    std::string v1(1, '\1');
    events::codec::EncodeFixedRecord(*alert, &v1);
    batch.Put(store.family(Family::kAlerts), key, v1);
  }
  REQUIRE(store.Write(&batch).ok());
  REQUIRE(store.SetProjectionVersion(1).ok());
  return written_back;
}

TEST_CASE("A store from before event format 2: its records read, its version 1 views rebuilt",
          "[integration]") {
  StoreFixture f;
  const auto& samples = testing::ValidSamples();
  const std::size_t half = samples.size() / 2;
  f.Append(std::vector<std::string>(samples.begin(), samples.begin() + half));
  const auto views = ReadFamily(f.store(), Family::kViews);
  const auto cohorts = ReadFamily(f.store(), Family::kCohorts);
  REQUIRE_FALSE(views.empty());

  const int written_back = WriteBackAsFormat1(f);
  REQUIRE(written_back > 0);
  f.Reopen();  // the views' version is 1: the engine rebuilds them from the format 1 records

  CHECK(f.store().ProjectionVersion() == projections::kProjectionVersion);
  CHECK(ReadFamily(f.store(), Family::kViews) == views);
  CHECK(ReadFamily(f.store(), Family::kCohorts) == cohorts);
  f.ExpectVerified();  // the chain over format 1 values, the index, the views against a fold

  // New events land in format 2 beside the old ones, and fold with them as one log: the same
  // views as a store that was in format 2 throughout.
  f.Append(std::vector<std::string>(samples.begin() + half, samples.end()));
  StoreFixture throughout;
  throughout.Append(std::vector<std::string>(samples.begin(), samples.begin() + half));
  throughout.Append(std::vector<std::string>(samples.begin() + half, samples.end()));
  CHECK(ReadFamily(f.store(), Family::kViews) == ReadFamily(throughout.store(), Family::kViews));
  CHECK(ReadFamily(f.store(), Family::kAlerts) == ReadFamily(throughout.store(), Family::kAlerts));
  auto first = f.store().ReadRecord(1);
  auto newest = f.store().ReadRecord(f.store().state().next_sequence - 1);
  REQUIRE(first.ok());
  REQUIRE(newest.ok());
  CHECK(static_cast<std::uint8_t>(first->event[0]) == 1);
  CHECK(static_cast<std::uint8_t>(newest->event[0]) == 2);
  f.ExpectVerified();
}

}  // namespace
}  // namespace throughline::services
