// The bench's reading of CPU time from procfs (tools/bench/cpu_time.h), against files laid out
// as Linux lays them out, and against this process's own.

#include "tools/bench/cpu_time.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/test_support.h"

namespace throughline::bench {
namespace {

void Write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text << "\n";
}

TEST_CASE("cpu time: a process's user and system seconds, from its stat file", "[unit]") {
  testing::TempDir dir;
  const std::filesystem::path proc = dir.path() + "/proc";
  const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  // A comm with a space and a ')' in it must not shift the fields; utime 250, stime 150 ticks.
  Write(proc / "79" / "stat",
        "79 (tl-w x)) S 2 0 0 0 -1 2129984 0 0 0 0 250 150 0 0 20 0 1 0 330 0 0");
  CHECK(ProcessCpuSeconds(79, proc.string()) == Approx(400 / ticks));

  // A file cut short, or with a field that is not a number: nothing counted, no exception.
  Write(proc / "79" / "stat", "79 (tl-w) S 2 0 0 0 -1 2129984 0 0 0 0 250");
  CHECK(ProcessCpuSeconds(79, proc.string()) == 0);
  Write(proc / "79" / "stat", "79 (tl-w) S 2 0 0 0 -1 2129984 0 0 0 0 25x 150 0");
  CHECK(ProcessCpuSeconds(79, proc.string()) == 0);
  Write(proc / "79" / "stat", "79 (tl-w)");
  CHECK(ProcessCpuSeconds(79, proc.string()) == 0);
  // The process gone: no CPU, no crash.
  CHECK(ProcessCpuSeconds(80, proc.string()) == 0);

  // This process, after a spin of 0.3 s of CPU by the kernel's own clock of it (not of the
  // wall: other tests may share the cores): procfs counts at least that much, to its ticks.
  auto process_clock = [] {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
  };
  const double before = ProcessCpuSeconds(getpid());
  const double spin_start = process_clock();
  volatile std::uint64_t spin = 0;
  while (process_clock() - spin_start < 0.3)
    spin = spin + 1;
  CHECK(ProcessCpuSeconds(getpid()) - before >= 0.3 - 2 / ticks);
}

TEST_CASE("cpu time: the machine's busy, stolen and total seconds, and its note", "[unit]") {
  testing::TempDir dir;
  const std::filesystem::path proc = dir.path() + "/proc";
  const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  // user nice system idle iowait irq softirq steal guest guest_nice; the guest fields are in
  // user and nice already and must not count twice.
  Write(proc / "stat",
        "cpu  1000 10 300 5000 40 20 30 100 700 0\ncpu0 500 5 150 2500 20 10 15 50 350 0\n");
  const MachineCpu from = MachineCpuSeconds(proc.string());
  CHECK(from.busy == Approx(1360 / ticks));
  CHECK(from.steal == Approx(100 / ticks));
  CHECK(from.total == Approx(6500 / ticks));

  // 10 s later on 2 cores (2,000 ticks at 100 a second): 1,620 busy, 40 stolen, 340 idle.
  Write(proc / "stat", "cpu  2500 10 400 5300 80 20 50 140 700 0\n");
  const MachineCpu to = MachineCpuSeconds(proc.string());
  CHECK(to.total - from.total == Approx(2000 / ticks));
  CHECK(DescribeMachineCpu(from, to, 2) ==
        "the machine's 2 cores 162% busy, 4% stolen by the hypervisor");

  // No time between the readings, or a file that cannot be read: nothing to say.
  CHECK(DescribeMachineCpu(to, to, 2).empty());
  Write(proc / "stat", "intr 12345\n");
  CHECK(MachineCpuSeconds(proc.string()).total == 0);
  Write(proc / "stat", "cpu  2500 10 400\n");
  CHECK(MachineCpuSeconds(proc.string()).total == 0);
  CHECK(MachineCpuSeconds(dir.path() + "/none").total == 0);
}

}  // namespace
}  // namespace throughline::bench
