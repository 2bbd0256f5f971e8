// The API under load while ingesting at full rate: wrk at 200 connections on person views and
// cohorts, and 200 WebSocket subscribers, several tokens (a token may hold 256 connections and
// 8 subscriptions). No errors, every subscriber receives exactly its changes, the engine's
// memory does not keep growing (RSS sampled each second), and the latencies are reported.
//
// Label soak (tools/soak.sh runs it): it takes a minute or more even at its default size.
//   THROUGHLINE_LOAD_SECONDS      how long wrk runs (default 10; the figures in
//                                 docs/reliability.md are of 120)
//   THROUGHLINE_LOAD_PERSONS      people in the region ingested meanwhile (default 2,000)
//   THROUGHLINE_LOAD_CONNECTIONS  wrk's connections (default 200)
//   THROUGHLINE_LOAD_SUBSCRIBERS  WebSocket subscribers (default 200)

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "services/http_client.h"
#include "tests/test_support.h"
#include "tests/tools/soak_support.h"

namespace throughline {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Event types of middling frequency: each subscriber follows one, so that together they take
// a few times the ingest rate.
constexpr std::array kTypes = {
    "custody.received",    "custody.released",    "licence.started",     "licence.recalled",
    "licence.breached",    "custody.transferred", "supervision.started", "intervention.referred",
    "mappa.level_changed", "bail.breached"};

// One subscriber: the change sequences it received, and how far its cursor has moved.
struct Subscriber {
  std::string type;
  services::WebSocketClient ws;
  std::mutex mu;
  std::vector<std::uint64_t> changes;
  std::atomic<std::uint64_t> cursor{0};
  std::string error;
};

void Listen(Subscriber* s, const std::atomic<bool>& stop) {
  while (!stop) {
    const auto message = s->ws.Read(200ms);
    if (!message) {
      if (s->ws.closed()) {
        std::lock_guard lock(s->mu);
        s->error = "closed: " + s->ws.close_reason();
        return;
      }
      continue;
    }
    const auto json = boost::json::parse(*message).as_object();
    const std::string_view kind = json.at("type").as_string();
    const auto sequence =
        json.contains("sequence") ? json.at("sequence").to_number<std::uint64_t>() : 0;
    std::lock_guard lock(s->mu);
    if (kind == "change") {
      s->changes.push_back(sequence);
      if (json.at("event").at("type").as_string() != s->type)
        s->error = fmt::format("a change of type {} at {}",
                               json.at("event").at("type").as_string().c_str(), sequence);
    }
    s->cursor = std::max<std::uint64_t>(s->cursor, sequence);
  }
}

TEST_CASE(
    "Load: wrk at 200 connections on views and cohorts and 200 subscribers while "
    "ingesting: no errors, each change delivered, memory bounded",
    "[soak]") {
  const std::uint64_t kSeconds = testing::EnvCount("THROUGHLINE_LOAD_SECONDS", 10);
  const std::uint64_t kPersons = testing::EnvCount("THROUGHLINE_LOAD_PERSONS", 2'000);
  const std::uint64_t kConnections = testing::EnvCount("THROUGHLINE_LOAD_CONNECTIONS", 200);
  const std::uint64_t kSubscribers = testing::EnvCount("THROUGHLINE_LOAD_SUBSCRIBERS", 200);
  testing::TempDir dir;
  const std::string binary = THROUGHLINE_BINARY;
  const std::string data = dir.path() + "/data";
  const std::string log = dir.path() + "/processes.log";
  INFO("process output: " << log);

  // Tokens: one per 100 wrk connections, one per 8 subscribers.
  std::vector<std::string> wrk_tokens, ws_tokens;
  for (std::uint64_t i = 0; i < (kConnections + 99) / 100; ++i)
    wrk_tokens.push_back(testing::MakeToken(data, "probation", fmt::format("probation:wrk{}", i)));
  for (std::uint64_t i = 0; i < (kSubscribers + 7) / 8; ++i)
    ws_tokens.push_back(testing::MakeToken(data, "probation", fmt::format("probation:ws{}", i)));
  testing::ChildProcess engine(
      {binary, "serve", "--data", data, "--listen", "127.0.0.1:0", "--log-level", "warn"}, log);
  const std::string address = testing::WaitForEngine(data);

  // A region to read (person ids 1 to 100 and the cohorts), then more arriving under load.
  std::string out;
  REQUIRE(testing::Run(fmt::format("{} gen --persons 300 --seed 5 --data {} --wait 2>>{}", binary,
                                   data, log),
                       &out) == 0);
  const auto start_seq =
      static_cast<std::uint64_t>(testing::Metric(address, "throughline_log_size_events")) + 1;
  REQUIRE(start_seq > 5'000);

  // The subscribers, from the next sequence on, each following one event type.
  std::vector<std::unique_ptr<Subscriber>> subscribers;
  std::atomic<bool> stop{false};
  std::vector<std::thread> listeners;
  for (std::uint64_t i = 0; i < kSubscribers; ++i) {
    auto s = std::make_unique<Subscriber>();
    s->type = kTypes[i % kTypes.size()];
    const int status =
        s->ws.Connect(address, fmt::format("/v1/subscribe?from={}&types={}", start_seq, s->type),
                      {{"Authorization", "Bearer " + ws_tokens[i / 8]}});
    REQUIRE(status == 101);
    subscribers.push_back(std::move(s));
    listeners.emplace_back(Listen, subscribers.back().get(), std::cref(stop));
  }

  testing::ChildProcess ingest({binary, "gen", "--persons", std::to_string(kPersons), "--seed", "6",
                                "--data", data, "--wait"},
                               log);

  // The engine's RSS each second while wrk runs, and its own part: less RocksDB's memtables and
  // block cache and the record cache, which fill up to their configured sizes
  // (--write-buffer-mb, --block-cache-mb, --record-cache-mb).
  std::vector<double> rss_mib, own_mib;
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      const double memtables =
          testing::Metric(address, R"(throughline_store_memory_bytes\{of="memtables"\})");
      const double block_cache =
          testing::Metric(address, R"(throughline_store_memory_bytes\{of="block_cache"\})");
      const double record_cache =
          testing::Metric(address, R"(throughline_store_memory_bytes\{of="record_cache"\})");
      const double rss = static_cast<double>(engine.ResidentBytes());
      rss_mib.push_back(rss / (1 << 20));
      // A second whose /metrics did not answer (-1) has no own figure, rather than a wrong one.
      if (memtables >= 0 && block_cache >= 0 && record_cache >= 0)
        own_mib.push_back((rss - memtables - block_cache - record_cache) / (1 << 20));
      std::this_thread::sleep_for(1s);
    }
  });

  // wrk: person views and cohorts, each thread with its own token.
  const std::string script = dir.path() + "/load.lua";
  {
    std::ofstream lua(script);
    lua << "local tokens = {";
    for (const auto& t : wrk_tokens)
      lua << '"' << t << "\",";
    lua << "}\nlocal n = 0\n"
           "function setup(thread)\n"
           "  n = n + 1\n"
           "  thread:set(\"token\", tokens[(n - 1) % #tokens + 1])\n"
           "end\n"
           "local cohorts = {\"/v1/cohorts/iom\", \"/v1/cohorts/mappa?level=2\",\n"
           "  \"/v1/cohorts/prisons/CFI\", \"/v1/cohorts/licence?area=Gwent\",\n"
           "  \"/v1/cohorts/releases?within_days=28\"}\n"
           "function request()\n"
           "  local path\n"
           "  if math.random(2) == 1 then path = \"/v1/persons/id:\" .. math.random(100)\n"
           "  else path = cohorts[math.random(#cohorts)] end\n"
           "  return wrk.format(\"GET\", path, {[\"Authorization\"] = \"Bearer \" .. token})\n"
           "end\n";
  }
  const double log_before = testing::Metric(address, "throughline_log_size_events");
  const auto wrk_started = Clock::now();
  const int rc =
      testing::Run(fmt::format("wrk -t{} -c{} -d{}s --timeout 10s --latency -s {} http://{}/ 2>&1",
                               wrk_tokens.size(), kConnections, kSeconds, script, address),
                   &out);
  const double wrk_seconds = std::chrono::duration<double>(Clock::now() - wrk_started).count();
  const double log_after = testing::Metric(address, "throughline_log_size_events");
  sampling = false;
  sampler.join();
  WARN(out);
  REQUIRE(rc == 0);
  const testing::WrkReport wrk = testing::ParseCleanWrk(out);
  CHECK(log_after > log_before);  // ingest went on under load

  // Ingest ends; every subscriber then has exactly the changes of its type in the log.
  CHECK(ingest.Wait() == 0);
  const auto end_seq =
      static_cast<std::uint64_t>(testing::Metric(address, "throughline_log_size_events"));
  const std::string log_file = dir.path() + "/log.ndjson";
  REQUIRE(testing::Run(
              fmt::format("{} log --data {} --from {} > {}", binary, data, start_seq, log_file),
              &out) == 0);
  std::map<std::string, std::vector<std::uint64_t>> expected;
  {
    std::ifstream in(log_file);
    for (std::string line; std::getline(in, line);) {
      if (line.empty())
        continue;
      const auto record = boost::json::parse(line);
      const auto sequence = record.at("sequence").to_number<std::uint64_t>();
      if (sequence <= end_seq)
        expected[std::string(record.at("event").at("type").as_string())].push_back(sequence);
    }
  }
  std::uint64_t delivered = 0, wrong = 0;
  for (std::size_t i = 0; i < subscribers.size(); ++i) {
    auto& s = subscribers[i];
    const auto& want = expected[s->type];
    const std::uint64_t last = want.empty() ? 0 : want.back();
    const auto deadline = Clock::now() + 60s;
    const auto failed = [&] {
      std::lock_guard lock(s->mu);
      return !s->error.empty();
    };
    while (s->cursor < last && Clock::now() < deadline && !failed())
      std::this_thread::sleep_for(50ms);
    std::lock_guard lock(s->mu);
    delivered += s->changes.size();
    if (s->changes != want || !s->error.empty()) {
      ++wrong;
      const auto missing =
          std::mismatch(want.begin(), want.end(), s->changes.begin(), s->changes.end());
      UNSCOPED_INFO("subscriber " << i << " (" << s->type << "): " << s->changes.size()
                                  << " changes, " << want.size() << " expected, cursor at "
                                  << s->cursor << ", first difference at "
                                  << (missing.first == want.end() ? 0 : *missing.first) << "; "
                                  << s->error);
    }
  }
  stop = true;
  for (auto& t : listeners)
    t.join();
  CHECK(wrong == 0);
  CHECK(delivered > 0);

  // Memory: what the second half of the run adds to the engine's own is bounded.
  REQUIRE(own_mib.size() >= 4);
  const double middle = own_mib[own_mib.size() / 2];
  const double peak = *std::max_element(own_mib.begin() + own_mib.size() / 2, own_mib.end());
  INFO("the engine's own memory, MiB, each second: " << fmt::format("{:.0f}",
                                                                    fmt::join(own_mib, " ")));
  CHECK(peak - middle <= std::max(64.0, middle * 0.25));

  engine.Signal(SIGTERM);
  CHECK(engine.Wait() == 0);
  WARN(fmt::format(
      "load: wrk {} connections for {:.0f} s: {} requests ({:.0f}/s), p50 {}, p99 {}, no "
      "errors; {} subscribers on {} tokens received {} changes, each exactly its own; ingest "
      "{:.0f} events/s under load ({} events in all); engine RSS {:.0f} MiB at the start and "
      "{:.0f} at the end, "
      "of which its own (less RocksDB's memtables and block cache) {:.0f} at the start, {:.0f} "
      "at half time, {:.0f} at most in the second half, {:.0f} at the end",
      kConnections, wrk_seconds, wrk.requests, wrk.requests / wrk_seconds, wrk.p50, wrk.p99,
      kSubscribers, ws_tokens.size(), delivered, (log_after - log_before) / wrk_seconds, end_seq,
      rss_mib.front(), rss_mib.back(), own_mib.front(), middle, peak, own_mib.back()));
}

}  // namespace
}  // namespace throughline
