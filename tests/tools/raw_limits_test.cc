// The raw append's records (tools/bench/raw_limits.h): the bytes and keys the writer stores for
// the same events, so that the ingest row compares the engine with RocksDB storing what the
// engine stores, and nothing of ours around it.

#include "tools/bench/raw_limits.h"

#include <memory>
#include <set>

#include <catch2/catch.hpp>
#include <rocksdb/db.h>

#include "events/event_codec.h"
#include "services/log_record.h"
#include "services/store_keys.h"
#include "tests/test_support.h"

namespace throughline::bench {
namespace {

std::size_t CountKeys(const services::EventStore& store, services::Family family) {
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.family(family)));
  std::size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next())
    ++n;
  return n;
}

TEST_CASE("raw append: each event as the writer stores it, with the writer's two other keys",
          "[unit]") {
  const std::vector<std::string>& samples = testing::ValidSamples();
  std::vector<std::string> json = {samples[0], "{\"not\": \"an event\"}", samples[1]};
  const std::vector<RawRecord> records = RawRecordsOf(json, "bench.events", 8);
  // What does not parse is left out, as the engine dead-letters it; the rest are numbered on.
  REQUIRE(records.size() == 2);

  const events::Event first = testing::ParseValid(samples[0]);
  const events::Event second = testing::ParseValid(samples[1]);
  std::uint64_t sequence = 0;
  std::set<std::uint64_t> persons;
  for (const auto& [record, event] :
       {std::pair{&records[0], &first}, std::pair{&records[1], &second}}) {
    ++sequence;
    // The log's value is a whole log record, header and event, as the writer encodes it.
    auto decoded = services::DecodeLogRecord(sequence, record->log_value);
    REQUIRE(decoded.ok());
    CHECK(decoded->event == events::EncodeEvent(*event));
    CHECK(decoded->origin.topic == "bench.events");
    CHECK(decoded->origin.partition == static_cast<std::int32_t>(sequence % 8));
    // The idempotency key is the engine's, of the event's own source and id.
    CHECK(record->idempotency_key == services::IdempotencyKey(event->source, event->id));
    // The person index's key: the record's person, the event's time, its sequence.
    auto parts = services::DecodePersonEventKey(record->person_event_key);
    REQUIRE(parts);
    CHECK(parts->person == decoded->person);
    CHECK(parts->time == event->time);
    CHECK(parts->sequence == sequence);
    persons.insert(decoded->person);
  }
  // The two samples share a PNC: one person, whose index entries sort together.
  REQUIRE(first.person.pnc == second.person.pnc);
  CHECK(persons.size() == 1);

  testing::TempDir dir;
  auto appended = RawAppend(records, dir.path() + "/raw", 1, true);
  REQUIRE(appended.ok());
  CHECK(appended->per_second > 0);
  auto store = services::EventStore::Open(dir.path() + "/raw", services::StoreOptions{});
  REQUIRE(store.ok());
  CHECK(CountKeys(**store, services::Family::kLog) == 2);
  CHECK(CountKeys(**store, services::Family::kPersonEvents) == 2);
  CHECK(CountKeys(**store, services::Family::kIdempotency) == 2);
}

}  // namespace
}  // namespace throughline::bench
