// `throughline bench --quick`: every workload of the benchmark runs and reports a figure, with
// its raw limit where it has one (not its speed: that is tools/bench.sh's).

#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "tests/test_support.h"

namespace throughline {
namespace {

namespace json = boost::json;

TEST_CASE("bench --quick: every workload runs and reports", "[bench-smoke]") {
  testing::TempDir dir;
  std::string out;
  const int status =
      testing::Run(fmt::format("{} bench --quick --out {}/report --work {}/work 2>{}/bench.log",
                               THROUGHLINE_BINARY, dir.path(), dir.path(), dir.path()),
                   &out);
  INFO(out << testing::ReadFile(dir.path() + "/bench.log"));
  REQUIRE(status == 0);
  const json::object report =
      json::parse(testing::ReadFile(dir.path() + "/report/bench.json")).as_object();
  std::set<std::string> workloads;
  for (const auto& v : report.at("rows").as_array()) {
    const json::object& row = v.as_object();
    const std::string workload(row.at("workload").as_string());
    INFO(workload);
    workloads.insert(workload);
    CHECK(row.at("figure").to_number<double>() > 0);
    if (!row.at("raw_what").as_string().empty())
      CHECK(row.at("raw").to_number<double>() > 0);
    CHECK(out.find(workload) != std::string::npos);  // and in the printed table
    // Speed is not checked here; answers that failed are ("N errors" in the note).
    if (const auto* note = row.if_contains("note"))
      CHECK_FALSE(std::string(note->as_string()).ends_with(" errors"));
    // What the ingest cost: the engine's CPU an event, and how busy the machine was.
    if (workload == "ingest, end to end") {
      const std::string note(row.at("note").as_string());
      CHECK(note.find("µs of CPU an event") != std::string::npos);
      CHECK(note.find("% busy") != std::string::npos);
      // The refolds' reads, counted by the record cache and read from /metrics.
      CHECK(note.find("the record cache answered") != std::string::npos);
      // The raw append measured on both sides of the engine's phases, with its own CPU.
      CHECK(note.find("before the ingest and ") != std::string::npos);
      CHECK(note.find("µs of CPU a record") != std::string::npos);
    }
    // The memory row reads RocksDB's caches and the record cache from the engine's /metrics,
    // at both points.
    if (workload == "memory: peak RSS during ingest") {
      const std::string note(row.at("note").as_string());
      CHECK(note.find("less RocksDB's memtables and block cache and the record cache (") !=
            std::string::npos);
      CHECK(note.find("unknown") == std::string::npos);
      CHECK(note.find(" × half way") != std::string::npos);
    }
  }
  CHECK(workloads == std::set<std::string>{
                         "ingest, end to end",
                         "rebuild of every view",
                         "person view, HTTP, flat out p50",
                         "person view, HTTP, flat out p99",
                         "person view, HTTP, paced p50",
                         "person view, HTTP, paced p99",
                         "replay of ~100 events p50",
                         "replay of ~100 events p99",
                         "subscription delivery p50",
                         "subscription delivery p99",
                         "subscription, warm-up 0.5 s p50",
                         "subscription, warm-up 0.5 s p99",
                         "restart to ready",
                         "memory: peak RSS during ingest",
                         "restart to ready, the log grown",
                         "memory: peak RSS, the log grown",
                     });
  CHECK(report.at("machine").as_string().size() > 0);
}

}  // namespace
}  // namespace throughline
