// The API under load, as the engine runs it: wrk (Debian's) at 100 connections for 10 s on a
// person's view while ingest goes on through Kafka. No errors; the latencies are reported.

#include <chrono>
#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "services/http_client.h"
#include "tests/test_support.h"
#include "tests/tools/soak_support.h"

namespace throughline {
namespace {

using namespace std::chrono_literals;

TEST_CASE("wrk at 100 connections on a person's view while ingesting: no errors", "[e2e]") {
  testing::TempDir dir;
  const std::string binary = THROUGHLINE_BINARY;
  const std::string data = dir.path() + "/data";
  const std::string log = dir.path() + "/processes.log";
  INFO("process output: " << log);
  const std::string token = testing::MakeToken(data, "probation", "probation:test");
  testing::ChildProcess engine({binary, "serve", "--data", data, "--listen", "127.0.0.1:0"}, log);
  const std::string address = testing::WaitForEngine(data);

  // A region to read, then more of it arriving while wrk runs.
  std::string out;
  REQUIRE(testing::Run(fmt::format("{} gen --persons 1000 --seed 5 --data {} --wait 2>>{}", binary,
                                   data, log),
                       &out) == 0);
  const services::Headers auth = {{"Authorization", "Bearer " + token}};
  REQUIRE(services::HttpGet(address, "/v1/persons/id:1", auth).status == 200);
  testing::ChildProcess ingest(
      {binary, "gen", "--persons", "3000", "--seed", "6", "--data", data, "--wait"}, log);

  const int rc =
      testing::Run(fmt::format("wrk -t2 -c100 -d10s --latency -H 'Authorization: Bearer {}' "
                               "http://{}/v1/persons/id:1 2>&1",
                               token, address),
                   &out);
  WARN(out);
  REQUIRE(rc == 0);
  const testing::WrkReport wrk = testing::ParseCleanWrk(out);
  WARN("p99 " << wrk.p99 << " over " << wrk.requests << " requests while ingesting");

  // Ingest went on meanwhile.
  auto metrics = services::HttpGet(address, "/metrics");
  std::smatch m;
  REQUIRE(std::regex_search(metrics.body, m, std::regex(R"(throughline_log_size_events (\d+))")));
  CHECK(std::stol(m[1]) > 40000);
  // And says how long RocksDB held its writes back (a number, to the millisecond).
  CHECK(std::regex_search(
      metrics.body, std::regex(R"(\nthroughline_store_write_stall_seconds_total \d+\.\d{3}\n)")));
  engine.Signal(SIGTERM);
  CHECK(engine.Wait() == 0);

  // Every one of those reads is in the audit log, chained.
  REQUIRE(testing::Run(fmt::format("{} audit --data {} --verify", binary, data), &out) == 0);
  REQUIRE(std::regex_search(out, m, std::regex(R"(OK: (\d+) records)")));
  CHECK(std::stol(m[1]) >= wrk.requests);
  REQUIRE(testing::Run(fmt::format("{} audit --data {} --limit 2", binary, data), &out) == 0);
  CHECK(std::count(out.begin(), out.end(), '\n') == 2);
  CHECK(out.find(R"("action":"view","target":"id:1","person":1,"status":200)") !=
        std::string::npos);
}

}  // namespace
}  // namespace throughline
