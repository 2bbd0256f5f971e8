#include "events/calendar.h"

#include <algorithm>

#include <fmt/format.h>

namespace throughline::events {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `width` digits at `pos`; false when any is not a digit.
bool ReadDigits(std::string_view s, std::size_t pos, std::size_t width, int* out) {
  if (pos + width > s.size())
    return false;
  int n = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!IsDigit(s[i]))
      return false;
    n = n * 10 + (s[i] - '0');
  }
  *out = n;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads YYYY-MM-DD at the start of `s` and checks it is a real day in range.
std::optional<Problem> ReadCivilDate(std::string_view s, std::string_view whole, int* y, int* m,
                                     int* d) {
  if (s.size() < 10 || !ReadDigits(s, 0, 4, y) || s[4] != '-' || !ReadDigits(s, 5, 2, m) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, d)) {
    return Problem{Rule::kTimeFormat, ""};
  }
  if (*m < 1 || *m > 12 || *d < 1 || static_cast<unsigned>(*d) > DaysInMonth(*y, *m)) {
    return Problem{Rule::kTimeFormat, fmt::format("no such day: {}", Quote(whole))};
  }
  if (*y < kMinYear || *y > kMaxYear) {
    return Problem{Rule::kRange, fmt::format("year {} is outside {}..{}", *y, kMinYear, kMaxYear)};
  }
  return std::nullopt;
}

}  // namespace

std::int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

namespace {

// The civil day of `days` since 1970-01-01, for every day a 64-bit millisecond time can fall
// on (about +-1e11): in 64 bits, since a stored record may hold any time or date, and 32-bit
// arithmetic would overflow near the ends of the range.
void Civil64(std::int64_t days, std::int64_t* year, unsigned* month, unsigned* day) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = y + (*month <= 2);
}

// Floor division: the day an instant falls on, and the milliseconds into it.
std::int64_t DayOf(Timestamp t) {
  return t.unix_ms / kMillisPerDay - (t.unix_ms % kMillisPerDay < 0 ? 1 : 0);
}
std::int64_t MillisIntoDay(Timestamp t) {
  const std::int64_t r = t.unix_ms % kMillisPerDay;
  return r < 0 ? r + kMillisPerDay : r;
}

}  // namespace

void CivilFromDays(std::int32_t days, int* year, unsigned* month, unsigned* day) {
  std::int64_t y;
  Civil64(days, &y, month, day);
  *year = static_cast<int>(y);  // within +-5.9 million for a 32-bit day
}

Date AddPeriod(Date date, const Period& period) {
  int y;
  unsigned m, d;
  CivilFromDays(date.days, &y, &m, &d);
  int months = static_cast<int>(m) - 1 + period.months + 12 * period.years;
  y += months / 12;
  m = static_cast<unsigned>(months % 12) + 1;
  d = std::min(d, DaysInMonth(y, m));
  return Date{DaysFromCivil(y, m, d) + 7 * period.weeks + period.days};
}

int YearOf(Timestamp t) {
  std::int64_t y;
  unsigned m, d;
  Civil64(DayOf(t), &y, &m, &d);
  return static_cast<int>(y);  // within +-293 million for a 64-bit time
}

Date DateOf(Timestamp t) { return Date{static_cast<std::int32_t>(DayOf(t))}; }

std::optional<Problem> ParseTimestamp(std::string_view s, Timestamp* out) {
  const auto not_rfc3339 = [&] {
    return Problem{Rule::kTimeFormat,
                   fmt::format("not RFC 3339: {} (expected e.g. 2019-03-04T10:15:00Z)", Quote(s))};
  };
  int y, mo, d, h, mi, sec;
  if (auto p = ReadCivilDate(s, s, &y, &mo, &d)) {
    return p->message.empty() ? not_rfc3339() : *p;
  }
  if (s.size() < 19 || (s[10] != 'T' && s[10] != 't') || !ReadDigits(s, 11, 2, &h) ||
      s[13] != ':' || !ReadDigits(s, 14, 2, &mi) || s[16] != ':' || !ReadDigits(s, 17, 2, &sec)) {
    return not_rfc3339();
  }
  std::size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < s.size() && IsDigit(s[pos])) {
      if (digits < 3)
        millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0)
      return not_rfc3339();
    for (std::size_t i = digits; i < 3; ++i)
      millis *= 10;
  }
  int offset_minutes = 0;
  if (pos == s.size()) {
    return Problem{Rule::kTimeFormat,
                   fmt::format("not RFC 3339: {} has no offset (add Z for UTC)", Quote(s))};
  }
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!ReadDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return not_rfc3339();
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return not_rfc3339();
  }
  if (pos != s.size() || h > 23 || mi > 59 || sec > 60)
    return not_rfc3339();
  if (sec == 60) {
    sec = 59;
    millis = 999;
  }
  std::int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  std::int64_t ms = days * kMillisPerDay + (h * 3600LL + mi * 60LL + sec) * 1000LL + millis;
  out->unix_ms = ms - offset_minutes * 60'000LL;
  return std::nullopt;
}

std::string FormatTimestamp(Timestamp t) {
  // Not through DateOf: a time more than 5.8 million years away has no 32-bit Date.
  const std::int64_t in_day = MillisIntoDay(t);
  std::int64_t y;
  unsigned mo, d;
  Civil64(DayOf(t), &y, &mo, &d);
  auto secs = in_day / 1000;
  auto millis = in_day % 1000;
  if (millis == 0) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, mo, d, secs / 3600,
                       secs / 60 % 60, secs % 60);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, mo, d, secs / 3600,
                     secs / 60 % 60, secs % 60, millis);
}

std::optional<Problem> ParseDate(std::string_view s, Date* out) {
  int y, m, d;
  if (auto p = ReadCivilDate(s, s, &y, &m, &d)) {
    if (p->message.empty()) {
      return Problem{Rule::kTimeFormat,
                     fmt::format("not a date: {} (expected YYYY-MM-DD)", Quote(s))};
    }
    return p;
  }
  if (s.size() != 10) {
    return Problem{Rule::kTimeFormat,
                   fmt::format("not a date: {} (expected YYYY-MM-DD)", Quote(s))};
  }
  out->days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return std::nullopt;
}

std::string FormatDate(Date date) {
  int y;
  unsigned m, d;
  CivilFromDays(date.days, &y, &m, &d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::optional<Problem> ParsePeriod(std::string_view s, Period* out) {
  const auto bad = [&] {
    return Problem{
        Rule::kFormat,
        fmt::format("not an ISO 8601 period: {} (expected e.g. P2Y6M, P18W, P28D)", Quote(s))};
  };
  if (s.size() < 3 || s[0] != 'P')
    return bad();
  Period p;
  std::size_t pos = 1;
  int last_unit = -1;  // parts must come in the order Y, M, W, D, each at most once
  while (pos < s.size()) {
    std::size_t start = pos;
    int n = 0;
    while (pos < s.size() && IsDigit(s[pos]) && pos - start < 4)
      n = n * 10 + (s[pos++] - '0');
    if (pos == start || pos - start > 3 || pos == s.size())
      return bad();
    static constexpr std::string_view kUnits = "YMWD";
    auto unit = kUnits.find(s[pos]);
    if (unit == std::string_view::npos || static_cast<int>(unit) <= last_unit)
      return bad();
    last_unit = static_cast<int>(unit);
    std::uint16_t* fields[] = {&p.years, &p.months, &p.weeks, &p.days};
    *fields[unit] = static_cast<std::uint16_t>(n);
    ++pos;
  }
  *out = p;
  return std::nullopt;
}

std::string FormatPeriod(const Period& p) {
  std::string out = "P";
  if (p.years)
    out += fmt::format("{}Y", p.years);
  if (p.months)
    out += fmt::format("{}M", p.months);
  if (p.weeks)
    out += fmt::format("{}W", p.weeks);
  if (p.days || out.size() == 1)
    out += fmt::format("{}D", p.days);
  return out;
}

}  // namespace throughline::events
