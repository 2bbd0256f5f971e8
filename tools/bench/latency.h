// Latencies collected from many requests, and their percentiles.

#ifndef THROUGHLINE_TOOLS_BENCH_LATENCY_H_
#define THROUGHLINE_TOOLS_BENCH_LATENCY_H_

#include <chrono>
#include <vector>

namespace throughline::bench {

class Latencies {
 public:
  void Add(std::chrono::steady_clock::duration d) {
    ms_.push_back(std::chrono::duration<double, std::milli>(d).count());
  }
  void Merge(const Latencies& other) { ms_.insert(ms_.end(), other.ms_.begin(), other.ms_.end()); }
  std::size_t size() const { return ms_.size(); }
  // The q-th quantile (0.5, 0.99) in milliseconds; 0 when empty.
  double Percentile(double q) const;

 private:
  std::vector<double> ms_;
};

}  // namespace throughline::bench

#endif  // THROUGHLINE_TOOLS_BENCH_LATENCY_H_
