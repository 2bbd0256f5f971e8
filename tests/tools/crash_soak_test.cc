// The crash soak (label soak; tools/soak.sh): SIGKILL the engine at random moments while a
// synthetic region streams in through Kafka and readers hammer the API. At the end the log holds
// every event produced exactly once, and `throughline admin verify` finds the hash chain, the
// indexes, every view, cohort entry and alert exactly what a fresh fold of the log gives.
//
//   THROUGHLINE_SOAK_EVENTS      events to ingest (default 1,000,000)
//   THROUGHLINE_SOAK_KILLS       SIGKILLs (default 20)
//   THROUGHLINE_SOAK_READERS     reader threads on person views and cohorts (default 4)
//   THROUGHLINE_SOAK_PARTITIONS  partitions of the embedded Kafka's topics (default 64)

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <signal.h>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "services/event_store.h"
#include "services/http_client.h"
#include "tests/test_support.h"
#include "tests/tools/soak_support.h"
#include "tools/generator/generator.h"

namespace throughline {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Events in the store, read beside the running engine; 0 before it has a store.
std::uint64_t StoredEvents(const std::string& data) {
  auto store =
      services::EventStore::Open(data, services::StoreOptions{}, services::OpenMode::kSecondary);
  return store.ok() ? (*store)->state().next_sequence - 1 : 0;
}

// The engine as the readers see it: its address, and an epoch that moves on at each kill and
// each restart, so that a request begun before a kill is not held against the engine.
class EngineState {
 public:
  void Down() {
    std::lock_guard lock(mu_);
    up_ = false;
    ++epoch_;
  }
  void Up(std::string address) {
    std::lock_guard lock(mu_);
    address_ = std::move(address);
    up_ = true;
    ++epoch_;
  }
  // The address and epoch, or nullopt while down.
  std::optional<std::pair<std::string, std::uint64_t>> Get() const {
    std::lock_guard lock(mu_);
    if (!up_)
      return std::nullopt;
    return std::make_pair(address_, epoch_);
  }
  bool UpSince(std::uint64_t epoch) const {
    std::lock_guard lock(mu_);
    return up_ && epoch_ == epoch;
  }

 private:
  mutable std::mutex mu_;
  std::string address_;
  bool up_ = false;
  std::uint64_t epoch_ = 0;
};

struct ReaderCounts {
  std::atomic<std::uint64_t> ok{0};
  std::atomic<std::uint64_t> down{0};  // no answer, the engine being down or killed meanwhile
  std::atomic<std::uint64_t> failed{0};
  std::mutex mu;
  std::vector<std::string> failures;  // the first few
  void Fail(std::string what) {
    if (++failed <= 10) {
      std::lock_guard lock(mu);
      failures.push_back(std::move(what));
    }
  }
};

// Person views (the first 100 person ids, all assigned before the readers start) and cohorts,
// one request after another on fresh connections, until `stop`.
void Read(const EngineState& engine, const std::string& token, unsigned seed,
          const std::atomic<bool>& stop, ReaderCounts* counts) {
  static constexpr std::array kCohorts = {"/v1/cohorts/iom",
                                          "/v1/cohorts/mappa?level=2",
                                          "/v1/cohorts/prisons/CFI",
                                          "/v1/cohorts/licence?area=Gwent",
                                          "/v1/cohorts/releases?within_days=28",
                                          "/v1/cohorts/mappa"};
  const services::Headers auth = {{"Authorization", "Bearer " + token}};
  std::mt19937 rng(seed);
  while (!stop) {
    const auto state = engine.Get();
    if (!state) {
      std::this_thread::sleep_for(20ms);
      continue;
    }
    const std::string target = rng() % 2 ? fmt::format("/v1/persons/id:{}", 1 + rng() % 100)
                                         : std::string(kCohorts[rng() % kCohorts.size()]);
    const auto response = services::HttpCall("GET", state->first, target, "", auth, 10s);
    if (response.status == 200) {
      ++counts->ok;
    } else if (response.status == 0 && !engine.UpSince(state->second)) {
      ++counts->down;  // refused or cut off: the engine was killed meanwhile
    } else {
      counts->Fail(fmt::format("GET {}: {} {}{}", target, response.status, response.error,
                               response.body.substr(0, 200)));
    }
  }
}

TEST_CASE(
    "Crash soak: random SIGKILLs under steady ingest and readers, each event once and the "
    "store a fresh fold",
    "[soak]") {
  const std::uint64_t kTarget = testing::EnvCount("THROUGHLINE_SOAK_EVENTS", 1'000'000);
  const std::uint64_t kKills = testing::EnvCount("THROUGHLINE_SOAK_KILLS", 20);
  const std::uint64_t kReaders = testing::EnvCount("THROUGHLINE_SOAK_READERS", 4);
  const int kPartitions = static_cast<int>(testing::EnvCount("THROUGHLINE_SOAK_PARTITIONS", 64));
  REQUIRE(kTarget >= 20'000);
  REQUIRE(kKills >= 1);
  const auto started = Clock::now();

  testing::TempDir dir;
  const std::string binary = THROUGHLINE_BINARY;
  const std::string log = dir.path() + "/processes.log";
  const std::string data = dir.path() + "/data";
  INFO("process output: " << log);
  auto kafka = testing::StartKafka(binary, dir.path(), log, kPartitions);

  // A synthetic region of at least kTarget distinct events (tools/generator/): every kind of
  // event, with late, out-of-order, duplicate and retracted deliveries and merges.
  const std::string events_file = dir.path() + "/events.ndjson";
  std::unordered_set<std::string> produced;
  std::uint64_t messages = 0;
  for (std::uint64_t persons = kTarget / 36 + 1; produced.size() < kTarget;
       persons += persons / 20 + 1) {
    produced.clear();
    std::ofstream out(events_file, std::ios::trunc);
    generator::GeneratorOptions g;
    g.persons = persons;
    g.seed = 2027;
    generator::Generator gen(g);
    REQUIRE(gen.Run([&](std::string_view json) {
                 out << json << '\n';
                 produced.insert(std::string(boost::json::parse(json).at("id").as_string()));
               })
                .ok());
    messages = gen.stats().messages;
  }
  const std::uint64_t kEvents = produced.size();

  const std::string token = testing::MakeToken(data, "probation", "probation:soak");
  const std::vector<std::string> serve = {
      binary,     "serve",         "--data",         data,
      "--kafka",  kafka.bootstrap, "--kafka-config", "session.timeout.ms=6000",
      "--listen", "127.0.0.1:0",   "--log-level",    "warn"};
  EngineState state;
  auto start_engine = [&] {
    std::filesystem::remove(data + "/http.address");
    auto engine = std::make_unique<testing::ChildProcess>(serve, log);
    std::string address;
    testing::WaitFor(
        [&] {
          address = testing::ReadFirstLine(data + "/http.address");
          return !address.empty() && services::HttpGet(address, "/healthz").status == 200;
        },
        120s, "the engine to listen");
    state.Up(address);
    return engine;
  };
  auto engine = start_engine();
  // The lag-paced producer: it waits while the engine is more than 20,000 messages behind, so
  // the cluster's 5 MiB a partition is never outrun, the engine dead or alive.
  testing::ChildProcess producer(
      {binary, "produce", "--kafka", kafka.bootstrap, "--max-lag", "20000", events_file}, log);

  // The readers start once the first hundred persons are there.
  testing::WaitFor(
      [&] { return testing::Metric(state.Get()->first, "throughline_log_size_events") >= 10'000; },
      300s, "the first 10,000 events");
  std::atomic<bool> stop{false};
  ReaderCounts reads;
  std::vector<std::thread> readers;
  for (std::uint64_t i = 0; i < kReaders; ++i)
    readers.emplace_back(Read, std::cref(state), token, static_cast<unsigned>(i + 1),
                         std::cref(stop), &reads);

  std::random_device seed_source;
  const unsigned seed = seed_source();
  std::mt19937 rng(seed);
  INFO("seed " << seed);
  // Each kill at a random log size in its share of the first 80% of the events: so always
  // while the engine is writing, batches of views, cohorts and alerts half done.
  const std::uint64_t share = kEvents * 8 / 10 / kKills;
  std::uint64_t stored = 0;
  std::vector<std::uint64_t> landed;
  for (std::uint64_t kill = 0; kill < kKills; ++kill) {
    const std::uint64_t target = 10'000 + kill * share + rng() % (share / 2 + 1);
    const auto deadline = Clock::now() + 600s;
    while (Clock::now() < deadline) {
      const double size = testing::Metric(state.Get()->first, "throughline_log_size_events");
      if (size >= static_cast<double>(target))
        break;
      std::this_thread::sleep_for(10ms);
    }
    state.Down();
    engine->Signal(SIGKILL);
    CHECK(engine->Wait() == 128 + SIGKILL);
    const std::uint64_t now = StoredEvents(data);
    INFO("kill " << kill + 1 << " aimed at " << target << ", landed at " << now << " events");
    CHECK(now >= target);
    CHECK(now < kEvents);  // still ingesting when killed
    CHECK(now >= stored);
    stored = now;
    landed.push_back(now);
    engine = start_engine();
  }
  CHECK(producer.Wait() == 0);

  // The last engine takes the rest.
  std::uint64_t events = 0;
  const auto deadline = Clock::now() + 900s;
  while (Clock::now() < deadline) {
    events = static_cast<std::uint64_t>(
        std::max(0.0, testing::Metric(state.Get()->first, "throughline_log_size_events")));
    if (events >= kEvents)
      break;
    std::this_thread::sleep_for(500ms);
  }
  stop = true;
  for (auto& t : readers)
    t.join();
  CHECK(events == kEvents);
  const double rss_mib = static_cast<double>(engine->PeakResidentBytes()) / (1 << 20);
  state.Down();
  engine->Signal(SIGTERM);
  CHECK(engine->Wait() == 0);
  const auto ingested = Clock::now();

  // Every event produced is in the log, once.
  const std::string log_file = dir.path() + "/log.ndjson";
  std::string out;
  REQUIRE(testing::Run(fmt::format("{} log --data {} > {}", binary, data, log_file), &out) == 0);
  std::unordered_map<std::string, int> seen;
  std::uint64_t records = 0;
  {
    std::ifstream in(log_file);
    for (std::string line; std::getline(in, line);) {
      if (line.empty())
        continue;
      ++records;
      const auto record = boost::json::parse(line);
      ++seen[std::string(record.at("event").at("id").as_string())];
    }
  }
  std::uint64_t doubled = 0, lost = 0, unknown = 0;
  for (const auto& [id, n] : seen) {
    doubled += n > 1 ? n - 1 : 0;
    unknown += produced.count(id) ? 0 : 1;
  }
  for (const auto& id : produced)
    lost += seen.count(id) ? 0 : 1;
  CHECK(records == kEvents);
  CHECK(lost == 0);
  CHECK(doubled == 0);
  CHECK(unknown == 0);

  // The hash chain, the indexes, and every view, cohort entry and alert a fresh fold of the log.
  std::string report;
  const int verify =
      testing::Run(fmt::format("{} admin verify --data {} 2>/dev/null", binary, data), &report);
  INFO(report);
  CHECK(verify == 0);
  CHECK(report.find(fmt::format("{} records", kEvents)) != std::string::npos);
  CHECK(report.find("verify: OK") != std::string::npos);
  const auto verified = Clock::now();

  for (const auto& f : reads.failures)
    UNSCOPED_INFO("reader failure: " << f);
  CHECK(reads.failed == 0);
  CHECK(reads.ok > 0);
  const auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
  WARN(fmt::format(
      "soak: {} events ({} messages with duplicates) over {} partitions, {} SIGKILLs landing at "
      "{}; ingest {:.0f} s, verify {:.0f} s, all {:.0f} s; log {} records: {} lost, {} doubled; "
      "readers {} answers, {} failed, {} cut off while the engine was down; last engine peak "
      "RSS {:.0f} MiB; seed {}",
      kEvents, messages, kPartitions, kKills, fmt::join(landed, ","), seconds(ingested - started),
      seconds(verified - ingested), seconds(verified - started), records, lost, doubled,
      reads.ok.load(), reads.failed.load(), reads.down.load(), rss_mib, seed));
  WARN(report);
}

}  // namespace
}  // namespace throughline
