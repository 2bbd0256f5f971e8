#include "events/hmpps/hmpps_time.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string>

#include <fmt/format.h>

namespace throughline::events::hmpps {

namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr double kYear2000Ms = 946'684'800'000.0;    // 2000-01-01T00:00:00Z
constexpr double kYear2199Ms = 7'226'582'400'000.0;  // 2199-01-01T00:00:00Z

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Problem NotATime(std::string_view text) {
  return Problem{Rule::kTimeFormat,
                 fmt::format("not a time: {} (expected e.g. 2024-06-14T09:06:52+01:00 or "
                             "Fri Jun 14 09:06:52 BST 2024)",
                             Quote(text))};
}

// 0 = Sunday.
int Weekday(std::int32_t days) { return ((days + 4) % 7 + 7) % 7; }

std::int64_t LastSundayAt0100Utc(int year, unsigned month) {
  const std::int32_t last = DaysFromCivil(year, month, 31);
  return (last - Weekday(last)) * kMillisPerDay + kHourMs;
}

// `local` is a civil time read as if it were UTC; the instant it names in England.
Timestamp FromUkCivil(Timestamp local) {
  const Timestamp if_summer{local.unix_ms - kHourMs};
  return IsBritishSummerTime(if_summer) ? if_summer : local;
}

std::optional<Problem> ParseNumeric(std::string_view text, Timestamp* out) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0) {
    return NotATime(text);
  }
  // Jackson writes seconds (with a fraction); a count above 10^11 can only be milliseconds
  // (10^11 seconds is the year 5138).
  const double ms = value > 1e11 ? value : value * 1000.0;
  // Domain events are this century's; a smaller number is a count or an id in the wrong place.
  if (ms < kYear2000Ms || ms > kYear2199Ms)
    return Problem{Rule::kRange, fmt::format("{} is not a plausible time", Quote(text))};
  out->unix_ms = static_cast<std::int64_t>(ms);
  return std::nullopt;
}

// Fri Jun 14 09:06:52 BST 2024
std::optional<Problem> ParseJavaDate(std::string_view text, Timestamp* out) {
  static constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::array<std::string_view, 6> part;
  std::size_t n = 0, pos = 0;
  while (pos < text.size() && n < part.size()) {
    const std::size_t space = text.find(' ', pos);
    const std::size_t end = space == std::string_view::npos ? text.size() : space;
    if (end > pos)
      part[n++] = text.substr(pos, end - pos);
    pos = end + 1;
  }
  if (n != 6 || pos < text.size())
    return NotATime(text);
  int weekday = -1, month = -1;
  for (int i = 0; i < 7; ++i)
    weekday = part[0] == kDays[i] ? i : weekday;
  for (int i = 0; i < 12; ++i)
    month = part[1] == kMonths[i] ? i + 1 : month;
  if (weekday < 0 || month < 0 || part[2].size() > 2 || part[3].size() != 8 ||
      part[5].size() != 4) {
    return NotATime(text);
  }
  std::string offset;
  const std::string_view zone = part[4];
  if (zone == "GMT" || zone == "UTC" || zone == "UT" || zone == "Z") {
    offset = "Z";
  } else if (zone == "BST" || zone == "CET") {
    offset = "+01:00";
  } else if (zone == "CEST") {
    offset = "+02:00";
  } else if (zone.starts_with("GMT") && zone.size() == 9) {
    offset = std::string(zone.substr(3));
  } else {
    return Problem{Rule::kTimeFormat,
                   fmt::format("time zone {} of {} is not one this adapter can place (BST, GMT, "
                               "UTC, CET, CEST or GMT+hh:mm)",
                               Quote(zone), Quote(text))};
  }
  const std::string day = part[2].size() == 1 ? "0" + std::string(part[2]) : std::string(part[2]);
  const std::string iso = fmt::format("{}-{:02}-{}T{}{}", part[5], month, day, part[3], offset);
  if (auto p = ParseTimestamp(iso, out))
    return p->rule == Rule::kRange ? p : std::optional<Problem>(NotATime(text));
  // Java prints the day the date fell on; another day means the text was made by hand or broken.
  Date date;
  if (!ParseDate(iso.substr(0, 10), &date) && Weekday(date.days) != weekday) {
    return Problem{Rule::kInconsistent,
                   fmt::format("{} was not a {}", Quote(iso.substr(0, 10)), kDays[weekday])};
  }
  return std::nullopt;
}

// The ISO forms, normalised to RFC 3339 (or to a civil time with no offset).
std::optional<Problem> ParseIso(std::string_view text, Timestamp* out, TimeBasis* basis) {
  std::string s(text);
  if (auto bracket = s.find('['); bracket != std::string::npos && s.back() == ']')
    s.erase(bracket);
  if (s.size() == 10)
    s += "T00:00:00";
  if (s.size() > 10 && s[10] == ' ')
    s[10] = 'T';
  // Seconds Java left out because they were zero.
  if (s.size() >= 16 && (s.size() == 16 || (!IsDigit(s[16]) && s[16] != ':')))
    s.insert(16, ":00");
  // The offset: after the time and its fraction.
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && IsDigit(s[pos]))
      ++pos;
  }
  bool has_offset = pos < s.size();
  if (has_offset && (s[pos] == '+' || s[pos] == '-')) {
    const std::string_view rest = std::string_view(s).substr(pos + 1);
    if (rest.size() == 2)
      s += ":00";
    else if (rest.size() == 4 && rest.find(':') == std::string_view::npos)
      s.insert(pos + 3, ":");
  }
  if (!has_offset)
    s += 'Z';
  if (auto p = ParseTimestamp(s, out))
    return p->rule == Rule::kRange ? p : std::optional<Problem>(NotATime(text));
  if (!has_offset) {
    *out = FromUkCivil(*out);
    *basis = TimeBasis::kUkCivil;
  }
  return std::nullopt;
}

}  // namespace

bool IsBritishSummerTime(Timestamp t) {
  const int year = YearOf(t);
  return t.unix_ms >= LastSundayAt0100Utc(year, 3) && t.unix_ms < LastSundayAt0100Utc(year, 10);
}

std::optional<Problem> ParseHmppsTime(std::string_view text, Timestamp* out, TimeBasis* basis) {
  *basis = TimeBasis::kOffset;
  if (text.empty())
    return NotATime(text);
  if (std::all_of(text.begin(), text.end(), [](char c) { return IsDigit(c) || c == '.'; }))
    return ParseNumeric(text, out);
  if (text.size() > 4 && text[3] == ' ')
    return ParseJavaDate(text, out);
  if (text.size() >= 10 && IsDigit(text[0]) && text[4] == '-')
    return ParseIso(text, out, basis);
  return NotATime(text);
}

std::optional<Problem> ParseHmppsDate(std::string_view text, Date* out) {
  std::string iso(text);
  // DD/MM/YYYY, the form of UK screens and of some HMPPS APIs.
  if (text.size() == 10 && text[2] == '/' && text[5] == '/') {
    iso = fmt::format("{}-{}-{}", text.substr(6, 4), text.substr(3, 2), text.substr(0, 2));
  }
  if (iso.size() == 10) {
    auto p = ParseDate(iso, out);
    if (!p || p->rule == Rule::kRange)
      return p;
  } else {
    Timestamp t;
    TimeBasis basis;
    if (!ParseHmppsTime(text, &t, &basis)) {
      *out = DateOf(Timestamp{t.unix_ms + (IsBritishSummerTime(t) ? kHourMs : 0)});
      return std::nullopt;
    }
  }
  return Problem{
      Rule::kTimeFormat,
      fmt::format("not a date: {} (expected e.g. 2025-01-31 or 31/01/2025)", Quote(text))};
}

}  // namespace throughline::events::hmpps
