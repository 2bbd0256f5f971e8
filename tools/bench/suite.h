// The benchmark suite (`throughline bench`): each workload of the engine beside its raw limit.
//
// The events come from the generator; they are published to an embedded Kafka cluster hosted
// by this process, in enough partitions to hold them all (the mock cluster keeps 5 MiB a
// partition), so that the engine and the raw consumer read the same bytes from the start. The
// engine runs as its own process (`throughline serve --kafka ...`), as in production, so its
// memory is its own.

#ifndef THROUGHLINE_TOOLS_BENCH_SUITE_H_
#define THROUGHLINE_TOOLS_BENCH_SUITE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "events/status.h"
#include "tools/bench/bench_report.h"

namespace throughline::bench {

struct SuiteOptions {
  std::string binary;    // the throughline executable, to run the engine
  std::string work_dir;  // scratch: the stores; must not exist or be empty
  std::uint64_t events = 1'000'000;
  std::uint32_t persons = 100'000;
  int years = 3;
  int partitions = 128;
  int connections = 32;  // person view clients
  std::uint64_t view_requests = 40'000;
  std::uint64_t replay_requests = 400;
  double subscription_rate = 5000;          // events a second
  double subscription_seconds = 10;         // timed at the target, after the warm-up
  double subscription_warm_up_seconds = 2;  // the first live events after idle: reported apart
  // Events of other people published after the other workloads, as `gen` publishes them (paced
  // by the engine's lag): memory and restart again with the log this much larger. 0: not run.
  std::uint64_t growth_events = 4'000'000;
};

// Quick: every workload, on little data, to show that each runs and reports.
SuiteOptions QuickOptions(SuiteOptions base);

// Runs every workload; `say` gets a line about each step as it starts.
Result<BenchRun> RunSuite(const SuiteOptions& options,
                          const std::function<void(const std::string&)>& say);

}  // namespace throughline::bench

#endif  // THROUGHLINE_TOOLS_BENCH_SUITE_H_
