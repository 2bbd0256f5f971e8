// The store fails in a way RocksDB cannot resume from (a flush that could not create its table
// file): the engine says so and what to do, tells its owner once (serve exits for its
// supervisor), stops writing, and a new engine on the same data loses nothing.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "services/embedded_kafka.h"
#include "services/engine.h"
#include "services/event_publisher.h"
#include "tests/faulty_files.h"
#include "tests/services/exactly_once.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;

std::string Reasons(const Readiness& ready) {
  return fmt::format("{}", fmt::join(ready.reasons, "\n"));
}

TEST_CASE(
    "A store error RocksDB cannot resume: the engine says to restart and a restart loses nothing",
    "[integration]") {
  testing::TempDir dir;
  testing::FaultyFiles files;
  auto kafka = EmbeddedKafka::Start();
  REQUIRE(kafka.ok());
  REQUIRE((*kafka)->CreateTopic("justice.events", 6).ok());
  REQUIRE((*kafka)->CreateTopic("justice.events.dlq", 3).ok());
  REQUIRE((*kafka)->CreateTopic("throughline.changes", 3).ok());

  SystemClock clock;
  EngineOptions options;
  options.data_dir = dir.path() + "/data";
  options.store.env = files.env();
  options.kafka.bootstrap = (*kafka)->bootstrap();
  options.hmpps_topics.clear();
  options.ingest.assign_all = true;
  std::atomic<int> failures{0};
  std::mutex failure_mu;
  std::string failure;
  options.on_store_failed = [&](const std::string& error) {
    std::lock_guard lock(failure_mu);
    failure = error;
    ++failures;
  };
  auto engine = Engine::Start(options, &clock);
  REQUIRE(engine.ok());

  const auto events = testing::SyntheticEvents(3'000, 300, 10, 29);
  PublishOptions publish;
  publish.connection.bootstrap = (*kafka)->bootstrap();
  publish.max_lag = 0;
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  auto publish_range = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i)
      REQUIRE((*publisher)->Publish(events[i]).ok());
    REQUIRE((*publisher)->Flush().ok());
  };
  publish_range(0, 2'000);
  WaitFor([&] { return (*engine)->metrics().appended == 2'000; }, 60s, "the first 2,000 events");
  WaitFor([&] { return (*engine)->Ready().ready; }, 30s, "the engine to be ready");

  // The memtables' flush cannot create its table file: RocksDB stops writes for good.
  files.FailNewTables(true);
  CHECK_FALSE((*engine)->store()->Flush().ok());
  CHECK(files.tables_refused() > 0);
  WaitFor([&] { return failures.load() > 0; }, 10s, "the engine to report the failed store");
  files.FailNewTables(false);  // the fault is gone, and still RocksDB cannot resume
  {
    std::lock_guard lock(failure_mu);
    CHECK(failure.find("No such file or directory") != std::string::npos);
  }
  const Readiness ready = (*engine)->Ready();
  INFO(Reasons(ready));
  CHECK_FALSE(ready.ready);
  CHECK(Reasons(ready).find("which this process cannot undo") != std::string::npos);
  CHECK(Reasons(ready).find("restart the engine") != std::string::npos);

  // Events go on arriving: none is written, and the engine says it once.
  publish_range(2'000, 3'000);
  WaitFor([&] { return (*engine)->metrics().write_errors > 0; }, 10s, "a write to fail");
  std::this_thread::sleep_for(3s);  // past a retry of the writer's backoff
  CHECK((*engine)->metrics().appended == 2'000);
  CHECK((*engine)->store()->state().next_sequence == 2'001);
  CHECK(failures.load() == 1);
  (*engine)->Stop();
  engine->reset();

  // As a supervisor would: start again on the same data. Reopening the store clears the error.
  options.on_store_failed = nullptr;
  auto again = Engine::Start(options, &clock);
  REQUIRE(again.ok());
  WaitFor([&] { return (*again)->store()->state().next_sequence == 3'001; }, 60s,
          "the events not written to be read again");
  WaitFor([&] { return (*again)->Ready().ready; }, 30s, "the new engine to be ready");
  CHECK((*again)->metrics().write_errors == 0);
  (*again)->Stop();
  again->reset();
  auto store = EventStore::Open(options.data_dir, StoreOptions{});
  REQUIRE(store.ok());
  testing::ExpectEachOnce(**store, events);
}

}  // namespace
}  // namespace throughline::services
