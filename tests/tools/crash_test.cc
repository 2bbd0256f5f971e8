// Kill -9 the engine at random moments while it ingests, or fail its store under it; nothing
// may be lost or doubled, and every view, cohort entry and alert must still be exactly what a
// fresh fold of the log gives (`throughline verify` checks all of it).

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <signal.h>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "services/event_store.h"
#include "tests/test_support.h"
#include "tests/tools/soak_support.h"
#include "tools/generator/generator.h"

namespace throughline {
namespace {

using namespace std::chrono_literals;

// Events in the store, read beside the running engine; 0 before it has a store.
std::uint64_t StoredEvents(const std::string& data) {
  auto store =
      services::EventStore::Open(data, services::StoreOptions{}, services::OpenMode::kSecondary);
  return store.ok() ? (*store)->state().next_sequence - 1 : 0;
}

// A synthetic region (tools/generator/) written to `path`: every kind of event, late,
// out-of-order, duplicate and retracted deliveries, merges. The number of distinct events.
std::uint64_t GenerateRegion(const std::string& path, std::size_t persons, unsigned seed) {
  std::ofstream out(path);
  generator::GeneratorOptions g;
  g.persons = persons;
  g.seed = seed;
  generator::Generator gen(g);
  REQUIRE(gen.Run([&](std::string_view json) { out << json << '\n'; }).ok());
  return gen.stats().messages - gen.stats().duplicates;
}

// Waits for `engine` to store `events` (reading its store beside it), stops it, and checks
// with `throughline verify` that the log holds each of them once and every view is whole.
void ExpectEachEventOnce(testing::ChildProcess& engine, const std::string& data,
                         std::uint64_t events) {
  std::uint64_t stored = 0;
  const auto deadline = std::chrono::steady_clock::now() + 180s;
  while (std::chrono::steady_clock::now() < deadline) {
    stored = StoredEvents(data);
    if (stored >= events)
      break;
    std::this_thread::sleep_for(500ms);
  }
  CHECK(stored == events);
  engine.Signal(SIGTERM);
  CHECK(engine.Wait() == 0);
  std::string report;
  CHECK(testing::Run(fmt::format("{} verify --data {} 2>/dev/null", THROUGHLINE_BINARY, data),
                     &report) == 0);
  INFO(report);
  CHECK(report.find(fmt::format("{} records", events)) != std::string::npos);
  CHECK(report.find("verify: OK") != std::string::npos);
}

// An engine's directory and its processes' output, and Kafka in a process of its own, so that
// it outlives the engine's deaths.
struct EngineBesideKafka {
  testing::TempDir dir;
  const std::string binary = THROUGHLINE_BINARY;
  const std::string log = dir.path() + "/processes.log";
  const std::string data = dir.path() + "/data";
  const testing::KafkaProcess kafka = testing::StartKafka(binary, dir.path(), log, 6);
};

TEST_CASE_METHOD(
    EngineBesideKafka,
    "SIGKILL at 5 random moments while ingesting 100000 events: each once, views whole", "[e2e]") {
  INFO("process output: " << log);

  // Every kind of event, so the views, cohorts and alerts are killed mid-batch too.
  const std::string events_file = dir.path() + "/events.ndjson";
  const std::uint64_t kEvents = GenerateRegion(events_file, 3'200, 2024);
  REQUIRE(kEvents >= 100'000);
  testing::ChildProcess producer({binary, "produce", "--kafka", kafka.bootstrap, events_file}, log);

  const std::vector<std::string> serve = {binary,           "serve",
                                          "--data",         data,
                                          "--listen",       "127.0.0.1:0",
                                          "--kafka",        kafka.bootstrap,
                                          "--kafka-config", "session.timeout.ms=6000"};
  auto start_engine = [&] {
    std::filesystem::remove(data + "/http.address");
    return std::make_unique<testing::ChildProcess>(serve, log);
  };
  auto engine = start_engine();
  std::random_device seed_source;
  const unsigned seed = seed_source();
  std::mt19937 rng(seed);
  INFO("seed " << seed);
  // Five random moments, each while the engine is writing: when the log passes a random
  // count in each fifth of the first 40% of the events. The count is the engine's own
  // (/metrics, the log's size once a batch is durable), read every few milliseconds. It was
  // read by opening the store beside the engine, which replays up to 64 MiB of its write-ahead
  // log and took long enough on a loaded machine for the engine to store every event before
  // the kill landed (three CI runs, the last with 60% of the events left).
  std::uint64_t stored = 0;
  const std::uint64_t fifth = kEvents * 4 / 10 / 5;
  for (std::uint64_t kill = 0; kill < 5; ++kill) {
    const std::uint64_t target = kill * fifth + 1000 + rng() % (fifth - 2000);
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string address = testing::ReadFirstLine(data + "/http.address");
      if (!address.empty() &&
          testing::Metric(address, "throughline_log_size_events") >= static_cast<double>(target))
        break;
      std::this_thread::sleep_for(5ms);
    }
    engine->Signal(SIGKILL);
    CHECK(engine->Wait() == 128 + SIGKILL);
    const std::uint64_t now = StoredEvents(data);
    INFO("kill " << kill + 1 << " aimed at " << target << ", landed at " << now << " events");
    CHECK(now >= target);
    CHECK(now < kEvents);  // still ingesting when killed
    CHECK(now >= stored);
    stored = now;
    engine = start_engine();
  }
  CHECK(producer.Wait() == 0);
  ExpectEachEventOnce(*engine, data, kEvents);
}

// The flush that cannot create its table file, which RocksDB grades as fatal: `serve` says so
// and exits with status 3, for its supervisor to start it again (docs/reliability.md). The
// fault is put under the binary with LD_PRELOAD (tests/table_file_fault.cc); Kafka lives in a
// process of its own, so the events the failed engine had not stored are read again.
TEST_CASE_METHOD(EngineBesideKafka,
                 "A store that only reopening can clear: serve exits with status 3, and started "
                 "again it takes every event once",
                 "[e2e]") {
  INFO("process output: " << log);
  const std::string events_file = dir.path() + "/events.ndjson";
  const std::uint64_t kEvents = GenerateRegion(events_file, 1'000, 7);
  REQUIRE(kEvents >= 20'000);

  // Small memtables (16 MiB in all), so that the events need flushes.
  const std::vector<std::string> serve = {binary,    "serve",         "--data",
                                          data,      "--listen",      "127.0.0.1:0",
                                          "--kafka", kafka.bootstrap, "--write-buffer-mb",
                                          "16"};
  const std::string trigger = dir.path() + "/refuse-table-files";
  const char* asan = std::getenv("ASAN_OPTIONS");
  std::vector<std::string> faulty = {
      "/usr/bin/env", std::string("LD_PRELOAD=") + THROUGHLINE_TABLE_FILE_FAULT,
      "THROUGHLINE_FAULT_TRIGGER=" + trigger,
      // AddressSanitizer's runtime would otherwise insist on being loaded first.
      std::string("ASAN_OPTIONS=") + (asan ? asan : "") + ":verify_asan_link_order=0"};
  faulty.insert(faulty.end(), serve.begin(), serve.end());
  auto engine = std::make_unique<testing::ChildProcess>(faulty, log);
  testing::WaitForEngine(data);
  std::ofstream(trigger) << "from now on\n";
  testing::ChildProcess producer({binary, "produce", "--kafka", kafka.bootstrap, events_file}, log);

  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (engine->Running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  REQUIRE_FALSE(engine->Running());
  CHECK(engine->Wait() == 3);
  const std::string said = testing::ReadFile(log);
  CHECK(said.find("store.failed") != std::string::npos);
  CHECK(said.find("serve.exiting code=3") != std::string::npos);
  const std::uint64_t at_failure = StoredEvents(data);
  INFO(at_failure << " events stored when the store failed");
  CHECK(at_failure < kEvents);

  // The fault gone, as after a supervisor's restart: every event once, every view whole.
  std::filesystem::remove(trigger);
  std::filesystem::remove(data + "/http.address");
  engine = std::make_unique<testing::ChildProcess>(serve, log);
  CHECK(producer.Wait() == 0);
  ExpectEachEventOnce(*engine, data, kEvents);
}

}  // namespace
}  // namespace throughline
