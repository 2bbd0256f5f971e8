// LatencyHistogram: counts of durations in fixed buckets, Prometheus-style, cheap to record
// from any thread (relaxed atomics) and read for /metrics and percentiles.

#ifndef THROUGHLINE_SERVICES_LATENCY_HISTOGRAM_H_
#define THROUGHLINE_SERVICES_LATENCY_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace throughline::services {

class LatencyHistogram {
 public:
  // Upper bounds of the buckets, in microseconds: 50 us to 10 s, at most 1.5 times apart from
  // 1 to 200 ms, where a delivery's spans lie (with bounds 2.5 times apart, a span's p99 read
  // "within 50 ms" when the whole delivery took 40).
  static constexpr std::array<std::uint64_t, 29> kBoundsUs = {
      50,     100,    200,    500,     1000,    1500,    2000,    3000,     4000,      5000,
      7500,   10000,  15000,  20000,   30000,   40000,   50000,   75000,    100000,    150000,
      200000, 300000, 500000, 1000000, 2000000, 3000000, 5000000, 10000000, UINT64_MAX};

  void Record(std::uint64_t micros);
  // Records the time from `start` to `end`.
  void RecordBetween(std::chrono::steady_clock::time_point start,
                     std::chrono::steady_clock::time_point end);
  void RecordSince(std::chrono::steady_clock::time_point start) {
    RecordBetween(start, std::chrono::steady_clock::now());
  }

  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // The bucket bound below which `quantile` (0..1) of the recorded durations fall, in us.
  std::uint64_t Quantile(double quantile) const;

  // Appends the Prometheus histogram `name` (in seconds), with its HELP and TYPE lines.
  void WritePrometheus(std::string_view name, std::string_view help, std::string* out) const;

 private:
  std::array<std::atomic<std::uint64_t>, kBoundsUs.size()> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_LATENCY_HISTOGRAM_H_
