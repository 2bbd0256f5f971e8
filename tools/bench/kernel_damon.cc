#include "tools/bench/kernel_damon.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

namespace throughline::bench {
namespace {

std::string ReadWord(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string word;
  in >> word;
  return word;
}

}  // namespace

std::vector<Kdamond> RunningKdamonds(const std::string& admin) {
  std::vector<Kdamond> running;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(admin + "/kdamonds", ec)) {
    const auto& dir = entry.path();
    if (ReadWord(dir / "state") != "on")
      continue;
    Kdamond k;
    try {
      k.pid = std::stoi(ReadWord(dir / "pid"));
      // The first context says what it samples; a kdamond runs one context in practice.
      const auto context = dir / "contexts" / "0";
      k.operations = ReadWord(context / "operations");
      k.sample_us = std::stoull(ReadWord(context / "monitoring_attrs" / "intervals" / "sample_us"));
    } catch (const std::exception&) {
      // A kernel whose files differ: report it on, without the details.
    }
    running.push_back(k);
  }
  return running;
}

std::string DescribeKdamonds(const std::vector<Kdamond>& kdamonds) {
  if (kdamonds.empty())
    return "";
  const Kdamond& k = kdamonds.front();
  if (k.sample_us == 0)
    return ", kernel DAMON on";
  return fmt::format(", kernel DAMON on ({}, sampling every {} ms)", k.operations,
                     k.sample_us / 1000);
}

double KdamondCpuSeconds(const std::vector<Kdamond>& kdamonds, const std::string& proc) {
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  double seconds = 0;
  for (const auto& k : kdamonds) {
    std::ifstream in(fmt::format("{}/{}/stat", proc, k.pid));
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // "pid (comm) state ..." where comm may hold spaces: fields count from the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos)
      continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    std::uint64_t ticks_used[2] = {0, 0};  // utime, stime: fields 14 and 15
    int numbers = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i >= 14) {
        auto [end, ec] =
            std::from_chars(field.data(), field.data() + field.size(), ticks_used[i - 14]);
        numbers += ec == std::errc() && end == field.data() + field.size();
      }
    }
    // A file not laid out as the kernel lays it out counts nothing rather than stopping a run.
    if (numbers == 2)
      seconds += static_cast<double>(ticks_used[0] + ticks_used[1]) / ticks;
  }
  return seconds;
}

}  // namespace throughline::bench
