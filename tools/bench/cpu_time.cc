#include "tools/bench/cpu_time.h"

#include <array>
#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

namespace throughline::bench {

namespace {

double SecondsOfTicks(std::uint64_t ticks) {
  static const double per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(ticks) / per_second;
}

// The whole of a small procfs file ("" when it cannot be read).
std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool ParseTicks(std::string_view field, std::uint64_t* ticks) {
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), *ticks);
  return ec == std::errc() && end == field.data() + field.size();
}

}  // namespace

double ProcessCpuSeconds(int pid, const std::string& proc) {
  const std::string stat = ReadAll(fmt::format("{}/{}/stat", proc, pid));
  // "pid (comm) state ..." where comm may hold spaces and ')': fields count from the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 > stat.size())
    return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  std::uint64_t used[2] = {0, 0};  // utime, stime: fields 14 and 15
  int numbers = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14)
      numbers += ParseTicks(field, &used[i - 14]);
  }
  return numbers == 2 ? SecondsOfTicks(used[0] + used[1]) : 0;
}

MachineCpu MachineCpuSeconds(const std::string& proc) {
  std::istringstream first_line(ReadAll(proc + "/stat"));
  std::string label;
  if (!(first_line >> label) || label != "cpu")
    return {};
  // user nice system idle iowait irq softirq steal (then guest and guest_nice, which user and
  // nice already count).
  std::array<std::uint64_t, 8> ticks{};
  std::string field;
  for (auto& t : ticks) {
    if (!(first_line >> field) || !ParseTicks(field, &t))
      return {};
  }
  MachineCpu cpu;
  cpu.busy = SecondsOfTicks(ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]);
  cpu.steal = SecondsOfTicks(ticks[7]);
  cpu.total = cpu.busy + cpu.steal + SecondsOfTicks(ticks[3] + ticks[4]);
  return cpu;
}

std::string DescribeMachineCpu(const MachineCpu& from, const MachineCpu& to, int cores) {
  const double total = to.total - from.total;
  if (total <= 0 || cores <= 0)
    return "";
  // Shares of the elapsed time of one core: total / cores is the elapsed time.
  const double elapsed = total / cores;
  return fmt::format("the machine's {} cores {:.0f}% busy, {:.0f}% stolen by the hypervisor", cores,
                     100 * (to.busy - from.busy) / elapsed,
                     100 * (to.steal - from.steal) / elapsed);
}

}  // namespace throughline::bench
