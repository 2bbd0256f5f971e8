#include "tools/bench/kernel_damon.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "tools/bench/cpu_time.h"

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
  double seconds = 0;
  for (const auto& k : kdamonds)
    seconds += ProcessCpuSeconds(k.pid, proc);
  return seconds;
}

}  // namespace throughline::bench
