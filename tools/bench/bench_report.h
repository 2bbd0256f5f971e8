// The benchmark's table: one row per workload, Throughline's figure beside the raw limit
// measured in the same run, the ratio, the target and whether it holds. Printed, and written
// as JSON and as a plot (gnuplot, when installed) for docs/performance/.

#ifndef THROUGHLINE_TOOLS_BENCH_BENCH_REPORT_H_
#define THROUGHLINE_TOOLS_BENCH_BENCH_REPORT_H_

#include <string>
#include <vector>

#include "events/status.h"

namespace throughline::bench {

struct BenchRow {
  std::string workload;  // "ingest, end to end"
  double figure = 0;     // Throughline's
  std::string unit;      // "events/s", "ms p99", "s", "MiB"
  double raw = 0;        // the raw limit in the same unit; 0 when the row has none
  std::string raw_what;  // what the raw limit is
  std::string target;    // "≥ 50% of raw and ≥ 50,000/s"
  bool pass = false;
  std::string note;
  // figure / raw for rates, raw / figure for latencies: above 1 is faster than raw (never
  // for rates), 0 when there is no raw limit.
  double ratio = 0;
};

struct BenchRun {
  std::string machine;  // cores, memory, kernel
  std::string when;     // RFC 3339
  std::string options;  // how it was run
  std::vector<BenchRow> rows;
};

std::string FormatTable(const BenchRun& run);
std::string FormatJson(const BenchRun& run);
// Writes bench.json, bench.txt and, when gnuplot is installed, bench.png into `dir`.
Status WriteReport(const BenchRun& run, const std::string& dir);

// This machine in a line: "2 cores (AMD EPYC ...), 24 GiB, Linux 6.1", and whether the kernel
// samples memory with DAMON (kernel_damon.h).
std::string DescribeMachine();

}  // namespace throughline::bench

#endif  // THROUGHLINE_TOOLS_BENCH_BENCH_REPORT_H_
