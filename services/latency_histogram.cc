#include "services/latency_histogram.h"

#include <algorithm>

#include <fmt/format.h>

namespace throughline::services {

void LatencyHistogram::Record(std::uint64_t micros) {
  const auto it = std::lower_bound(kBoundsUs.begin(), kBoundsUs.end(), micros);
  buckets_[static_cast<std::size_t>(it - kBoundsUs.begin())].fetch_add(1,
                                                                       std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(micros, std::memory_order_relaxed);
}

void LatencyHistogram::RecordBetween(std::chrono::steady_clock::time_point start,
                                     std::chrono::steady_clock::time_point end) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(end - start).count();
  Record(static_cast<std::uint64_t>(std::max<std::int64_t>(micros, 0)));
}

std::uint64_t LatencyHistogram::Quantile(double quantile) const {
  const std::uint64_t total = count();
  if (total == 0)
    return 0;
  const auto wanted = static_cast<std::uint64_t>(quantile * static_cast<double>(total) + 0.5);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBoundsUs.size(); ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= std::max<std::uint64_t>(wanted, 1))
      return kBoundsUs[i];
  }
  return kBoundsUs.back();
}

void LatencyHistogram::WritePrometheus(std::string_view name, std::string_view help,
                                       std::string* out) const {
  fmt::format_to(std::back_inserter(*out), "# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBoundsUs.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    const std::string le = kBoundsUs[i] == UINT64_MAX
                               ? std::string("+Inf")
                               : fmt::format("{}", static_cast<double>(kBoundsUs[i]) / 1e6);
    fmt::format_to(std::back_inserter(*out), "{}_bucket{{le=\"{}\"}} {}\n", name, le, cumulative);
  }
  fmt::format_to(std::back_inserter(*out), "{}_sum {}\n{}_count {}\n", name,
                 static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6, name, count());
}

}  // namespace throughline::services
