#include "services/latency_histogram.h"

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace throughline::services {
namespace {

TEST_CASE("A quantile is the bound of the bucket it falls in") {
  LatencyHistogram h;
  CHECK(h.Quantile(0.99) == 0);  // nothing recorded
  // 90 deliveries of 12 ms, 9 of 35 ms, 1 of 2.5 s.
  for (int i = 0; i < 90; ++i)
    h.Record(12'000);
  for (int i = 0; i < 9; ++i)
    h.Record(35'000);
  h.Record(2'500'000);
  CHECK(h.count() == 100);
  CHECK(h.Quantile(0.5) == 15'000);
  CHECK(h.Quantile(0.9) == 15'000);
  CHECK(h.Quantile(0.95) == 40'000);
  CHECK(h.Quantile(0.99) == 40'000);
  CHECK(h.Quantile(1.0) == 3'000'000);
  // A bound itself falls in its own bucket; beyond the last bound, the overflow.
  LatencyHistogram edge;
  edge.Record(50'000);
  CHECK(edge.Quantile(0.5) == 50'000);
  LatencyHistogram huge;
  huge.Record(60'000'000);
  CHECK(huge.Quantile(0.5) == UINT64_MAX);
}

TEST_CASE("The buckets are at most 1.5 times apart from 1 to 200 ms") {
  const auto& b = LatencyHistogram::kBoundsUs;
  CHECK(std::is_sorted(b.begin(), b.end()));
  for (std::size_t i = 1; i < b.size(); ++i) {
    if (b[i - 1] >= 1'000 && b[i] <= 200'000)
      CHECK(b[i] * 2 <= b[i - 1] * 3);
  }
}

TEST_CASE("A time running backwards is recorded as zero, not as a huge one") {
  LatencyHistogram h;
  const auto now = std::chrono::steady_clock::now();
  h.RecordBetween(now, now - std::chrono::seconds(1));
  CHECK(h.Quantile(1.0) == 50);
}

TEST_CASE("Prometheus sees cumulative buckets in seconds, then the sum and the count") {
  LatencyHistogram h;
  h.Record(700);
  h.Record(1'200);
  h.Record(1'200);
  h.Record(20'000'000);
  std::string out;
  h.WritePrometheus("x_seconds", "Time to x.", &out);
  std::istringstream lines(out);
  std::vector<std::string> all;
  for (std::string line; std::getline(lines, line);)
    all.push_back(line);
  REQUIRE(all.size() == LatencyHistogram::kBoundsUs.size() + 4);
  CHECK(all[0] == "# HELP x_seconds Time to x.");
  CHECK(all[1] == "# TYPE x_seconds histogram");
  CHECK(all[2] == "x_seconds_bucket{le=\"5e-05\"} 0");
  CHECK(std::find(all.begin(), all.end(), "x_seconds_bucket{le=\"0.001\"} 1") != all.end());
  CHECK(std::find(all.begin(), all.end(), "x_seconds_bucket{le=\"0.0015\"} 3") != all.end());
  CHECK(std::find(all.begin(), all.end(), "x_seconds_bucket{le=\"10\"} 3") != all.end());
  CHECK(all[all.size() - 3] == "x_seconds_bucket{le=\"+Inf\"} 4");
  CHECK(all[all.size() - 2] == "x_seconds_sum 20.0031");
  CHECK(all[all.size() - 1] == "x_seconds_count 4");
}

}  // namespace
}  // namespace throughline::services
