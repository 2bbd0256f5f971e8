// `throughline bench`: the benchmark suite (tools/bench/), one table of every workload beside
// the raw limit measured in the same run; written to docs/performance/ as JSON and a plot.
//
//   throughline bench                 the full suite (tools/bench.sh builds Release and runs it)
//   throughline bench --quick         every workload on little data: that each runs and reports

#include <filesystem>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include "tools/bench/bench_report.h"
#include "tools/bench/suite.h"
#include "tools/commands.h"
#include "tools/process.h"

namespace throughline::tools {

namespace {

struct BenchFlags {
  bench::SuiteOptions suite;
  bool quick = false;
  std::string out;
  std::string work;
  bool keep = false;
};

int Bench(BenchFlags flags) {
  SetUpLogging("warn");
  flags.suite.binary = std::filesystem::canonical("/proc/self/exe").string();
  if (flags.quick)
    flags.suite = bench::QuickOptions(flags.suite);
  std::string work = flags.work;
  if (work.empty()) {
    work = (std::filesystem::temp_directory_path() / "throughline-bench-XXXXXX").string();
    if (mkdtemp(work.data()) == nullptr) {
      fmt::print(stderr, "throughline bench: cannot make a directory in {}\n",
                 std::filesystem::temp_directory_path().string());
      return 2;
    }
  }
  flags.suite.work_dir = work;
  const auto start = std::chrono::steady_clock::now();
  auto run = bench::RunSuite(flags.suite, [&](const std::string& step) {
    fmt::print(stderr, "[{:6.1f} s] {}\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
               step);
  });
  if (!run.ok()) {
    fmt::print(stderr, "throughline bench: {} (its files are kept in {})\n", run.status().message(),
               work);
    return 1;
  }
  if (!flags.keep) {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  }
  std::cout << bench::FormatTable(*run);
  if (!flags.out.empty()) {
    if (Status s = bench::WriteReport(*run, flags.out); !s.ok()) {
      fmt::print(stderr, "throughline bench: {}\n", s.message());
      return 1;
    }
    fmt::print(stderr, "written to {}/bench.json, bench.txt and bench.png\n", flags.out);
  }
  bool pass = true;
  for (const auto& row : run->rows)
    pass = pass && row.pass;
  // --quick checks that every workload runs and reports, not its speed.
  return flags.quick || pass ? 0 : 3;
}

}  // namespace

void AddBenchCommand(CLI::App& app) {
  auto flags = std::make_shared<BenchFlags>();
  auto* cmd = app.add_subcommand(
      "bench", "Benchmark every path against the raw limits of this machine, in one table");
  cmd->add_flag("--quick", flags->quick,
                "Every workload on little data: checks that each runs, not its speed");
  cmd->add_option("--events", flags->suite.events, "Events to ingest")->capture_default_str();
  cmd->add_option("--persons", flags->suite.persons, "People they are about")
      ->capture_default_str();
  cmd->add_option("--partitions", flags->suite.partitions,
                  "Partitions of the embedded topic (it keeps 5 MiB each)")
      ->capture_default_str();
  cmd->add_option("--growth-events", flags->suite.growth_events,
                  "Events of other people published last, paced by the engine's lag: memory and "
                  "restart again with the log grown (0: skip)")
      ->capture_default_str();
  cmd->add_option("--out", flags->out, "Write bench.json, bench.txt and bench.png here");
  cmd->add_option("--work", flags->work, "Scratch directory (default: a new one in /tmp)");
  cmd->add_flag("--keep", flags->keep, "Keep the scratch directory");
  cmd->callback([flags] { throw CLI::RuntimeError(Bench(*flags)); });
}

}  // namespace throughline::tools
