// The bench's reading of the kernel's DAMON (tools/bench/kernel_damon.h), against sysfs and
// procfs trees laid out as Linux 6.x lays them out.

#include "tools/bench/kernel_damon.h"

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

void WriteKdamond(const std::filesystem::path& admin, int index, const std::string& state,
                  int pid) {
  const auto dir = admin / "kdamonds" / std::to_string(index);
  Write(dir / "state", state);
  Write(dir / "pid", std::to_string(state == "on" ? pid : -1));
  Write(dir / "contexts" / "0" / "operations", "paddr");
  Write(dir / "contexts" / "0" / "monitoring_attrs" / "intervals" / "sample_us", "500000");
}

TEST_CASE("kdamond: which are on, what they sample, and the CPU they used", "[unit]") {
  testing::TempDir dir;
  const std::filesystem::path admin = dir.path() + "/admin";
  const std::filesystem::path proc = dir.path() + "/proc";
  WriteKdamond(admin, 0, "on", 79);
  WriteKdamond(admin, 1, "off", 0);
  const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  // A comm with a space and a ')' in it must not shift the fields; utime 250, stime 150 ticks.
  Write(proc / "79" / "stat",
        "79 (kdamond.0 x)) S 2 0 0 0 -1 2129984 0 0 0 0 250 150 0 0 20 0 1 0 330 0 0");

  const auto running = RunningKdamonds(admin.string());
  REQUIRE(running.size() == 1);
  CHECK(running[0].pid == 79);
  CHECK(running[0].operations == "paddr");
  CHECK(running[0].sample_us == 500'000);
  CHECK(DescribeKdamonds(running) == ", kernel DAMON on (paddr, sampling every 500 ms)");
  CHECK(KdamondCpuSeconds(running, proc.string()) == Approx(400 / ticks));

  // A file cut short, or with a field that is not a number: nothing counted, no exception.
  Write(proc / "79" / "stat", "79 (kdamond.0) S 2 0 0 0 -1 2129984 0 0 0 0 250");
  CHECK(KdamondCpuSeconds(running, proc.string()) == 0);
  Write(proc / "79" / "stat", "79 (kdamond.0) S 2 0 0 0 -1 2129984 0 0 0 0 25x 150 0");
  CHECK(KdamondCpuSeconds(running, proc.string()) == 0);

  // Its thread gone (the kdamond stopped between the two readings): no CPU, no crash.
  std::filesystem::remove_all(proc / "79");
  CHECK(KdamondCpuSeconds(running, proc.string()) == 0);
}

TEST_CASE("kdamond: a kernel without DAMON, or with every kdamond off, reports none", "[unit]") {
  testing::TempDir dir;
  CHECK(RunningKdamonds(dir.path() + "/no-such-dir").empty());
  WriteKdamond(dir.path() + "/admin", 0, "off", 0);
  const auto running = RunningKdamonds(dir.path() + "/admin");
  CHECK(running.empty());
  CHECK(DescribeKdamonds(running).empty());
}

}  // namespace
}  // namespace throughline::bench
