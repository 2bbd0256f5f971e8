// Time arithmetic of the simulation: UTC milliseconds, and the working week of courts, prisons
// and probation offices (hearings are not held at 3 a.m. on a Sunday).

#ifndef THROUGHLINE_TOOLS_GENERATOR_SIM_TIME_H_
#define THROUGHLINE_TOOLS_GENERATOR_SIM_TIME_H_

#include <cstdint>

namespace throughline::generator {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kWeek = 7 * kDay;
constexpr double kDaysPerMonth = 30.436875;
constexpr std::int64_t kYear = 365 * kDay + 6 * kHour;

constexpr std::int64_t Days(double d) { return static_cast<std::int64_t>(d * kDay); }
constexpr std::int64_t Months(double m) { return Days(m * kDaysPerMonth); }

// Midnight (UTC) of the day of t.
constexpr std::int64_t DayOf(std::int64_t t) { return (t >= 0 ? t : t - kDay + 1) / kDay * kDay; }

// 0 = Monday .. 6 = Sunday; 1970-01-01 was a Thursday.
constexpr int Weekday(std::int64_t t) {
  const std::int64_t days = DayOf(t) / kDay;
  return static_cast<int>(((days + 3) % 7 + 7) % 7);
}

// Midnight of the first weekday on or after the day of t.
constexpr std::int64_t WorkingDay(std::int64_t t) {
  std::int64_t day = DayOf(t);
  while (Weekday(day) >= 5)
    day += kDay;
  return day;
}

// The day of t at hh:mm.
constexpr std::int64_t At(std::int64_t t, int hour, int minute = 0) {
  return DayOf(t) + hour * kHour + minute * kMinute;
}

}  // namespace throughline::generator

#endif  // THROUGHLINE_TOOLS_GENERATOR_SIM_TIME_H_
