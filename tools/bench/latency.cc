#include "tools/bench/latency.h"

#include <algorithm>
#include <cmath>

namespace throughline::bench {

double Latencies::Percentile(double q) const {
  if (ms_.empty())
    return 0;
  std::vector<double> sorted = ms_;
  const auto i = static_cast<std::size_t>(
      std::min<double>(static_cast<double>(sorted.size() - 1),
                       std::ceil(q * static_cast<double>(sorted.size())) - 1));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(i), sorted.end());
  return sorted[i];
}

}  // namespace throughline::bench
