// Restart time must not grow with the log: the store opens by reading a few metadata keys.

#include <chrono>

#include <catch2/catch.hpp>

#include "services/projected_log.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

TEST_CASE("Restart of a data directory with 1000000 events takes under 2 s", "[integration]") {
  testing::TempDir dir;
  constexpr std::size_t kEvents = 1'000'000, kChunk = 10'000;
  const auto built = std::chrono::steady_clock::now();
  {
    // Built fast through the same writer the engine uses, from parsed envelopes as ingest
    // hands them over: only Kafka is left out.
    StoreOptions options;
    options.sync = false;
    auto store = EventStore::Open(dir.path(), options);
    REQUIRE(store.ok());
    SystemClock clock;
    auto log = ProjectedLog::Open(store->get(), &clock);
    REQUIRE(log.ok());
    LogWriter& writer = (*log)->writer();
    events::EnvelopeParser parser;
    for (std::size_t chunk = 0; chunk < kEvents / kChunk; ++chunk) {
      IncomingBatch batch;
      for (auto& line :
           testing::SyntheticEvents(kChunk, 100'000, 40, static_cast<unsigned>(chunk + 1))) {
        RawMessage raw;
        raw.value = std::move(line);
        batch.messages.push_back(ParseMessage(std::move(raw), parser));
      }
      AppendResult result;
      REQUIRE(writer.Append(batch, &result).ok());
      REQUIRE(result.appended == kChunk);
    }
    // No flush: like a crash, the last memtables are only in the write-ahead log and the
    // reopen replays them (bounded by max_wal_bytes).
  }
  WARN("built " << kEvents << " events in "
                << std::chrono::duration<double>(std::chrono::steady_clock::now() - built).count()
                << " s");

  const auto start = std::chrono::steady_clock::now();
  auto store = EventStore::Open(dir.path(), StoreOptions{});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(store.ok());
  WARN("reopened in " << seconds << " s");
  CHECK((*store)->state().next_sequence == kEvents + 1);
  CHECK((*store)->ReadRecord(kEvents).ok());
  CHECK(seconds < 2.0);
}

}  // namespace
}  // namespace throughline::services
