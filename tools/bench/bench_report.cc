#include "tools/bench/bench_report.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "events/json_writer.h"
#include "tools/bench/kernel_damon.h"

namespace throughline::bench {

namespace {

std::string Figure(double value, const std::string& unit) {
  if (value == 0)
    return "-";
  if (unit.find("/s") != std::string::npos)
    return fmt::format("{:.0f}", value);
  return value < 1 ? fmt::format("{:.3f}", value) : fmt::format("{:.2f}", value);
}

}  // namespace

std::string DescribeMachine() {
  std::string cpu;
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);) {
    if (line.starts_with("model name")) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  const double gib = static_cast<double>(sysconf(_SC_PHYS_PAGES)) *
                     static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 30);
  utsname u{};
  uname(&u);
  return fmt::format("{} cores ({}), {:.0f} GiB, {} {}{}", std::thread::hardware_concurrency(), cpu,
                     gib, u.sysname, u.release, DescribeKdamonds(RunningKdamonds()));
}

std::string FormatTable(const BenchRun& run) {
  std::string out =
      fmt::format("Throughline benchmark, {}\n{}\n{}\n\n", run.when, run.machine, run.options);
  out += fmt::format("{:<34} {:>12} {:<10} {:>12} {:>7}  {:<34} {}\n", "workload", "throughline",
                     "unit", "raw limit", "ratio", "target", "");
  for (const auto& r : run.rows) {
    out += fmt::format("{:<34} {:>12} {:<10} {:>12} {:>7}  {:<34} {}\n", r.workload,
                       Figure(r.figure, r.unit), r.unit, Figure(r.raw, r.unit),
                       r.ratio > 0 ? fmt::format("{:.2f}", r.ratio) : "-", r.target,
                       r.pass ? "PASS" : "FAIL");
  }
  out += "\nraw limits:\n";
  for (const auto& r : run.rows) {
    if (!r.raw_what.empty())
      out += fmt::format("  {:<32} {}\n", r.workload, r.raw_what);
  }
  bool notes = false;
  for (const auto& r : run.rows) {
    if (!r.note.empty()) {
      out += notes ? "" : "notes:\n";
      notes = true;
      out += fmt::format("  {:<32} {}\n", r.workload, r.note);
    }
  }
  return out;
}

std::string FormatJson(const BenchRun& run) {
  events::JsonWriter w;
  w.BeginObject();
  w.Key("when");
  w.String(run.when);
  w.Key("machine");
  w.String(run.machine);
  w.Key("options");
  w.String(run.options);
  w.Key("rows");
  w.BeginArray();
  for (const auto& r : run.rows) {
    w.BeginObject();
    w.Key("workload");
    w.String(r.workload);
    w.Key("figure");
    w.Double(r.figure);
    w.Key("unit");
    w.String(r.unit);
    w.Key("raw");
    w.Double(r.raw);
    w.Key("raw_what");
    w.String(r.raw_what);
    w.Key("ratio");
    w.Double(r.ratio);
    w.Key("target");
    w.String(r.target);
    w.Key("pass");
    w.Bool(r.pass);
    if (!r.note.empty()) {
      w.Key("note");
      w.String(r.note);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

Status WriteReport(const BenchRun& run, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Status::IOError(fmt::format("cannot create {}: {}", dir, ec.message()));
  std::ofstream(dir + "/bench.json") << FormatJson(run) << '\n';
  std::ofstream(dir + "/bench.txt") << FormatTable(run);
  // The plot: each workload's ratio to its raw limit, and the 1.0 line.
  {
    std::ofstream data(dir + "/bench.dat");
    for (const auto& r : run.rows) {
      if (r.ratio > 0)
        data << '"' << r.workload << "\" " << r.ratio << '\n';
    }
  }
  std::ofstream(dir + "/bench.gp")
      << "set terminal pngcairo size 1000,500 font ',10' noenhanced\n"
      << "set output '" << dir << "/bench.png'\n"
      << "set title 'Throughline against the raw limits of the same machine, same run'\n"
      << "set ylabel 'share of the raw limit'\nset yrange [0:1.05]\nset style fill solid 0.6\n"
      << "set boxwidth 0.6\nset xtics rotate by -20\nset grid ytics\nunset key\n"
      << "plot '" << dir << "/bench.dat' using 0:2:xtic(1) with boxes, 0.5 with lines dt 2\n";
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    const std::string command = fmt::format("gnuplot '{}/bench.gp' 2>&1", dir);
    if (std::system(command.c_str()) != 0)
      return Status::IOError("gnuplot failed on " + dir + "/bench.gp");
  }
  std::filesystem::remove(dir + "/bench.gp", ec);
  std::filesystem::remove(dir + "/bench.dat", ec);
  return Status::OK();
}

}  // namespace throughline::bench
