// The kernel's DAMON (Data Access MONitor), as it bears on a latency benchmark.
//
// Some virtual machines run DAMON to find cold memory to reclaim. Its kernel thread, kdamond,
// wakes every sampling interval (500 ms on the machine of docs/performance.md) and walks the
// page tables of sampled pages, clearing their accessed bits; for tens of milliseconds it holds
// a core, and the processes whose pages it touched fault them back. On 2 cores that is a burst
// of slow answers twice a second, whatever the engine does. The bench reports whether DAMON is
// on and how much CPU kdamond took in each latency phase, so that a tail can be read against it.

#ifndef THROUGHLINE_TOOLS_BENCH_KERNEL_DAMON_H_
#define THROUGHLINE_TOOLS_BENCH_KERNEL_DAMON_H_

#include <cstdint>
#include <string>
#include <vector>

namespace throughline::bench {

struct Kdamond {
  int pid = 0;
  std::string operations;       // "paddr" (physical memory), "vaddr" (some processes)
  std::uint64_t sample_us = 0;  // how often it samples
};

// The kdamonds that are on, from DAMON's sysfs interface under `admin` (its admin directory);
// none when the kernel has no DAMON or it is off.
std::vector<Kdamond> RunningKdamonds(const std::string& admin = "/sys/kernel/mm/damon/admin");

// ", kernel DAMON on (paddr, sampling every 500 ms)", or "" when none is running.
std::string DescribeKdamonds(const std::vector<Kdamond>& kdamonds);

// The CPU seconds the kdamonds' threads have used so far, from `proc` (/proc/PID/stat).
double KdamondCpuSeconds(const std::vector<Kdamond>& kdamonds, const std::string& proc = "/proc");

}  // namespace throughline::bench

#endif  // THROUGHLINE_TOOLS_BENCH_KERNEL_DAMON_H_
