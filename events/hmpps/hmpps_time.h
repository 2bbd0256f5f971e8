// Times and dates as HMPPS producers actually send them.
//
// The native envelope accepts RFC 3339 with an offset and nothing else. HMPPS producers are
// Java services with a decade of history, and their times arrive as:
//
//   2024-06-14T09:06:52.123+01:00             OffsetDateTime, any offset (also +0100, +01, Z)
//   2024-06-14T09:06:52+01:00[Europe/London]  ZonedDateTime: the zone id is dropped
//   2024-06-14T09:06+01:00                    Java leaves out seconds that are zero
//   2024-06-14T09:06:52   2024-06-14 09:06:52 LocalDateTime, no offset: UK civil time
//   Fri Jun 14 09:06:52 BST 2024              java.util.Date.toString(): BST, GMT, UTC, UT,
//                                             CET, CEST, GMT+01:00
//   1718352412.123   1718352412123            Jackson's numeric timestamps: seconds, or
//                                             milliseconds when above 10^11; from 2000
//
// A time with no offset is read as the civil time of England and Wales (GMT, or BST from 01:00
// UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October): that is the
// clock every HMPPS system runs on, and reading it as UTC would move summer events an hour.
// The caller is told, so it can flag the event. In the hour the clocks go back, a civil time
// happens twice; the first (BST) is taken.

#ifndef THROUGHLINE_EVENTS_HMPPS_HMPPS_TIME_H_
#define THROUGHLINE_EVENTS_HMPPS_HMPPS_TIME_H_

#include <optional>
#include <string_view>

#include "events/calendar.h"
#include "events/validation_error.h"

namespace throughline::events::hmpps {

// How a time was read.
enum class TimeBasis { kOffset, kUkCivil };

// Any of the forms above. `text` is a JSON string's contents or a JSON number's text.
std::optional<Problem> ParseHmppsTime(std::string_view text, Timestamp* out, TimeBasis* basis);

// A calendar day: YYYY-MM-DD, DD/MM/YYYY, or any time above (its UK civil day).
std::optional<Problem> ParseHmppsDate(std::string_view text, Date* out);

// True when `t` falls in British Summer Time.
bool IsBritishSummerTime(Timestamp t);

}  // namespace throughline::events::hmpps

#endif  // THROUGHLINE_EVENTS_HMPPS_HMPPS_TIME_H_
