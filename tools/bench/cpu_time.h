// CPU time from procfs: how much of the machine a phase of the bench used, and by whom.
//
// An ingest row that falls short is read against these: when the machine's cores are busy
// throughout, only less CPU an event helps (docs/performance.md, stop 32); and on a virtual
// machine, the time the hypervisor gave to others ("steal") is time nobody here had.

#ifndef THROUGHLINE_TOOLS_BENCH_CPU_TIME_H_
#define THROUGHLINE_TOOLS_BENCH_CPU_TIME_H_

#include <string>

namespace throughline::bench {

// The CPU seconds process (or thread) `pid` has used so far, user and system, from
// `proc`/PID/stat; 0 when that cannot be read (the process gone, a file not laid out as Linux
// lays it out).
double ProcessCpuSeconds(int pid, const std::string& proc = "/proc");

// The machine's CPU seconds so far, all cores summed, from the first line of `proc`/stat; all
// zero when it cannot be read.
struct MachineCpu {
  double busy = 0;   // user, nice, system, irq, softirq
  double steal = 0;  // the hypervisor running something else while this machine had work
  double total = 0;  // busy, steal, idle and iowait
};
MachineCpu MachineCpuSeconds(const std::string& proc = "/proc");

// The machine's CPU between two readings, for a row's note: "the machine's 2 cores 181% busy,
// 2% stolen by the hypervisor" (shares of one core, as top shows them).
std::string DescribeMachineCpu(const MachineCpu& from, const MachineCpu& to, int cores);

}  // namespace throughline::bench

#endif  // THROUGHLINE_TOOLS_BENCH_CPU_TIME_H_
