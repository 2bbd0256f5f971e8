// Helpers of the long tests (the crash soak, the load test): sizes from the environment, the
// embedded Kafka in its own process, an engine's metrics.

#ifndef THROUGHLINE_TESTS_TOOLS_SOAK_SUPPORT_H_
#define THROUGHLINE_TESTS_TOOLS_SOAK_SUPPORT_H_

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "services/http_client.h"
#include "tests/test_support.h"

namespace throughline::testing {

// The environment variable `name` as a count, or `fallback` when it is not set.
inline std::uint64_t EnvCount(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 10) : fallback;
}

// `throughline kafka` in its own process (so it outlives the engine's deaths), with
// `partitions` partitions per topic: the mock cluster keeps 5 MiB of each.
struct KafkaProcess {
  std::unique_ptr<ChildProcess> process;
  std::string bootstrap;
};

inline KafkaProcess StartKafka(const std::string& binary, const std::string& dir,
                               const std::string& log, int partitions) {
  KafkaProcess kafka;
  const std::string bootstrap_file = dir + "/kafka.bootstrap";
  kafka.process = std::make_unique<ChildProcess>(
      std::vector<std::string>{binary, "kafka", "--partitions", std::to_string(partitions),
                               "--bootstrap-file", bootstrap_file},
      log);
  for (int i = 0; i < 300 && kafka.bootstrap.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    kafka.bootstrap = ReadFirstLine(bootstrap_file);
  }
  REQUIRE_FALSE(kafka.bootstrap.empty());
  return kafka;
}

// A counter or gauge of the engine's /metrics (the first sample of that name); -1 when the
// engine does not answer.
inline double Metric(const std::string& address, const std::string& name) {
  const auto metrics = services::HttpGet(address, "/metrics");
  std::smatch m;
  if (metrics.status != 200 ||
      !std::regex_search(metrics.body, m,
                         std::regex("(?:^|\n)" + name + R"((?:\{[^}]*\})? ([-0-9.e+]+))")))
    return -1;
  return std::stod(m[1]);
}

// What wrk printed (run with --latency): requests, whether any failed, and its percentiles as
// printed ("1.23ms").
struct WrkReport {
  long requests = 0;
  bool non_2xx = false;
  bool socket_errors = false;
  std::string p50, p99;
};

inline WrkReport ParseWrk(const std::string& out) {
  WrkReport r;
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex(R"((\d+) requests in)")));
  r.requests = std::stol(m[1]);
  r.non_2xx = out.find("Non-2xx or 3xx responses") != std::string::npos;
  r.socket_errors = out.find("Socket errors") != std::string::npos;
  REQUIRE(std::regex_search(out, m, std::regex(R"(\s50%\s+([\d.]+\w+))")));
  r.p50 = m[1];
  REQUIRE(std::regex_search(out, m, std::regex(R"(\s99%\s+([\d.]+\w+))")));
  r.p99 = m[1];
  return r;
}

// What wrk printed, parsed, and checked clean: many requests, every answer 2xx or 3xx, no
// socket errors (connect, read, write or timeout).
inline WrkReport ParseCleanWrk(const std::string& out) {
  WrkReport r = ParseWrk(out);
  CHECK(r.requests > 1000);
  CHECK_FALSE(r.non_2xx);
  CHECK_FALSE(r.socket_errors);
  return r;
}

}  // namespace throughline::testing

#endif  // THROUGHLINE_TESTS_TOOLS_SOAK_SUPPORT_H_
