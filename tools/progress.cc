#include "tools/progress.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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

namespace {

constexpr char kEverySetting[] = "THROUGHLINE_PROGRESS_SECONDS";

std::optional<std::chrono::duration<double>> EveryFromEnvironment() {
  const char* text = std::getenv(kEverySetting);
  if (text == nullptr || *text == '\0')
    return std::nullopt;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (*end != '\0' || !(seconds >= 0) || seconds > 86400) {
    fmt::print(stderr,
               "{}: '{}' is not a number of seconds from 0 to 86400; progress lines keep their "
               "default spacing (unset it, or set e.g. 60)\n",
               kEverySetting, text);
    return std::nullopt;
  }
  return std::chrono::duration<double>(seconds);
}

}  // namespace

Progress::Progress(std::string_view unit)
    : unit_(unit),
      terminal_(isatty(STDERR_FILENO) != 0),
      every_(EveryFromEnvironment()),
      start_(Clock::now()),
      last_(start_) {}

void Progress::Update(double fraction, std::uint64_t count) {
  const auto now = Clock::now();
  // A file or CI log gets a line a second for the first ten seconds, so short work still shows
  // its rate, then one every ten.
  const std::chrono::duration<double> every = terminal_ ? std::chrono::milliseconds(100)
                                              : every_  ? *every_
                                              : now - start_ < std::chrono::seconds(10)
                                                  ? std::chrono::milliseconds(1000)
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
