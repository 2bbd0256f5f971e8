#include "tools/progress.h"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>

namespace throughline::tools {

std::string Grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

Progress::Progress(std::string_view unit)
    : unit_(unit), terminal_(isatty(STDERR_FILENO) != 0), start_(Clock::now()), last_(start_) {}

void Progress::Update(double fraction, std::uint64_t count) {
  const auto now = Clock::now();
  // A file or CI log gets a line a second for the first ten seconds, so short work still shows
  // its rate, then one every ten.
  const auto every = terminal_                                 ? std::chrono::milliseconds(100)
                     : now - start_ < std::chrono::seconds(10) ? std::chrono::milliseconds(1000)
                                                               : std::chrono::milliseconds(10000);
  if (now - last_ < every)
    return;
  last_ = now;
  const std::string rate = Grouped(static_cast<std::uint64_t>(Rate(count)));
  if (fraction < 0) {
    fmt::print(stderr, "{}{} {} {}/s{}", terminal_ ? "\r" : "", Grouped(count), unit_, rate,
               terminal_ ? " " : "\n");
  } else if (terminal_) {
    constexpr int kWidth = 30;
    fraction = std::clamp(fraction, 0.0, 1.0);
    const int filled = static_cast<int>(fraction * kWidth);
    fmt::print(stderr, "\r[{}{}] {:3}% {} {} {}/s ", std::string(filled, '#'),
               std::string(kWidth - filled, '.'), static_cast<int>(fraction * 100), Grouped(count),
               unit_, rate);
  } else {
    fmt::print(stderr, "{}% {} {} {}/s\n", static_cast<int>(fraction * 100), Grouped(count), unit_,
               rate);
  }
  drawn_ = true;
}

void Progress::Finish() {
  if (terminal_ && drawn_)
    fmt::print(stderr, "\r{}\r", std::string(79, ' '));
  drawn_ = false;
}

double Progress::Seconds() const {
  return std::max(1e-9, std::chrono::duration<double>(Clock::now() - start_).count());
}

double Progress::Rate(std::uint64_t count) const { return static_cast<double>(count) / Seconds(); }

}  // namespace throughline::tools
