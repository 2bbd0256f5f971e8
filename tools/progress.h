// Progress of long work on stderr (generation, import, rebuild, verify): a bar redrawn in place
// on a terminal, a line every few seconds otherwise (a log file or CI), always with the rate.
// THROUGHLINE_PROGRESS_SECONDS sets the seconds between those lines (as git's
// GIT_PROGRESS_DELAY does its delay): a job's log can ask for fewer, a test for some from work
// that ends within the first second.

#ifndef THROUGHLINE_TOOLS_PROGRESS_H_
#define THROUGHLINE_TOOLS_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace throughline::tools {

// 1234567 -> "1,234,567".
std::string Grouped(std::uint64_t n);

class Progress {
 public:
  // `unit` names what is counted: "events", "persons", "lines".
  explicit Progress(std::string_view unit);

  // `fraction` of the work done (0..1; negative when unknown), `count` units so far. Cheap when
  // called often: it draws at most ten times a second.
  void Update(double fraction, std::uint64_t count);
  // Clears the bar, so that the summary line that follows stands alone.
  void Finish();
  double Seconds() const;
  // count / Seconds().
  double Rate(std::uint64_t count) const;

 private:
  using Clock = std::chrono::steady_clock;
  std::string unit_;
  bool terminal_;
  // From THROUGHLINE_PROGRESS_SECONDS; unset, a second apart for ten seconds, then ten.
  std::optional<std::chrono::duration<double>> every_;
  Clock::time_point start_, last_;
  bool drawn_ = false;
};

}  // namespace throughline::tools

#endif  // THROUGHLINE_TOOLS_PROGRESS_H_
