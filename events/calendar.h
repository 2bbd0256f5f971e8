// Calendar values carried by events, and their text forms.
//
//   Timestamp  an instant, UTC milliseconds since 1970-01-01; text: RFC 3339 with any offset
//   Date       a calendar day (release dates, licence end dates); text: YYYY-MM-DD
//   Period     a sentence length as the court states it; text: ISO 8601 duration, P2Y6M, P18W
//
// Times arrive with any offset (+01:00 in British Summer Time) and are normalised to UTC, so two
// events are ordered by when they happened, whichever clock the publisher used.

#ifndef THROUGHLINE_EVENTS_CALENDAR_H_
#define THROUGHLINE_EVENTS_CALENDAR_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/validation_error.h"

namespace throughline::events {

struct Timestamp {
  std::int64_t unix_ms = 0;
  auto operator<=>(const Timestamp&) const = default;
};

struct Date {
  std::int32_t days = 0;  // since 1970-01-01
  auto operator<=>(const Date&) const = default;
};

struct Period {
  std::uint16_t years = 0;
  std::uint16_t months = 0;
  std::uint16_t weeks = 0;
  std::uint16_t days = 0;
  bool operator==(const Period&) const = default;
};

// Years outside this range are rejected: nothing in the justice record is older, and a year
// like 20190 is a typo that would sort the event to the end of time.
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2199;

constexpr std::int64_t kMillisPerDay = 86'400'000;

// RFC 3339 date-time: 2019-03-04T10:15:00Z, 2019-03-04t10:15:00.5+01:00. Fractions beyond
// milliseconds are truncated; a leap second (:60) is read as :59.999.
std::optional<Problem> ParseTimestamp(std::string_view text, Timestamp* out);
// Always UTC with a Z; milliseconds shown only when not zero.
std::string FormatTimestamp(Timestamp t);

std::optional<Problem> ParseDate(std::string_view text, Date* out);
std::string FormatDate(Date d);

// ISO 8601 duration with date parts only: P[nY][nM][nW][nD], at least one part, each < 1000.
std::optional<Problem> ParsePeriod(std::string_view text, Period* out);
std::string FormatPeriod(const Period& p);

// `date` plus a period: years and months first (a day past the end of the month becomes its
// last day: 31 January + P1M is 28 or 29 February), then weeks and days.
Date AddPeriod(Date date, const Period& period);

// Civil calendar arithmetic (proleptic Gregorian), after Howard Hinnant's algorithms.
std::int32_t DaysFromCivil(int year, unsigned month, unsigned day);
void CivilFromDays(std::int32_t days, int* year, unsigned* month, unsigned* day);
int YearOf(Timestamp t);
// The UTC calendar day of an instant. A time more than 5.8 million years from 1970 (only a
// corrupt record holds one) has no 32-bit day: its day wraps, defined but meaningless.
Date DateOf(Timestamp t);

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CALENDAR_H_
