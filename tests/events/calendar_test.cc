#include "events/calendar.h"

#include <limits>

#include <catch2/catch.hpp>

namespace throughline::events {
namespace {

std::int64_t Ms(std::string_view text) {
  Timestamp t;
  auto p = ParseTimestamp(text, &t);
  INFO(text << ": " << (p ? p->message : ""));
  REQUIRE_FALSE(p);
  return t.unix_ms;
}

Rule TimeRule(std::string_view text) {
  Timestamp t;
  auto p = ParseTimestamp(text, &t);
  INFO(text);
  REQUIRE(p);
  return p->rule;
}

TEST_CASE("RFC 3339 times normalise to UTC milliseconds") {
  const std::int64_t base = 1551694500000;  // 2019-03-04T10:15:00Z
  CHECK(Ms("2019-03-04T10:15:00Z") == base);
  CHECK(Ms("2019-03-04t10:15:00z") == base);
  CHECK(Ms("2019-03-04T11:15:00+01:00") == base);
  CHECK(Ms("2019-03-04T05:45:00-04:30") == base);
  CHECK(Ms("2019-03-04T10:15:00.5Z") == base + 500);
  CHECK(Ms("2019-03-04T10:15:00.123456789Z") == base + 123);
  CHECK(Ms("1970-01-01T00:00:00Z") == 0);
  CHECK(Ms("1969-12-31T23:59:59.999Z") == -1);
  // A leap second is kept inside its minute.
  CHECK(Ms("2016-12-31T23:59:60Z") == Ms("2016-12-31T23:59:59.999Z"));
}

TEST_CASE("Times that are not RFC 3339 say why") {
  for (const char* text :
       {"04/03/2019", "2019-03-04", "2019-03-04 10:15:00Z", "2019-03-04T10:15Z",
        "2019-03-04T10:15:00", "2019-03-04T10:15:00.Z", "2019-03-04T24:00:00Z",
        "2019-03-04T10:60:00Z", "2019-03-04T10:15:00+1:00", "2019-03-04T10:15:00+01:00x",
        "2019-02-29T10:15:00Z", "2019-13-01T00:00:00Z", "", "Mon, 04 Mar 2019 10:15:00 GMT"}) {
    CHECK(TimeRule(text) == Rule::kTimeFormat);
  }
  CHECK(TimeRule("1899-12-31T23:59:59Z") == Rule::kRange);
  CHECK(TimeRule("2200-01-01T00:00:00Z") == Rule::kRange);

  Timestamp t;
  auto p = ParseTimestamp("04/03/2019", &t);
  REQUIRE(p);
  CHECK(p->message == "not RFC 3339: \"04/03/2019\" (expected e.g. 2019-03-04T10:15:00Z)");
}

TEST_CASE("Times format back to RFC 3339 in UTC") {
  CHECK(FormatTimestamp(Timestamp{1551694500000}) == "2019-03-04T10:15:00Z");
  CHECK(FormatTimestamp(Timestamp{1551694500007}) == "2019-03-04T10:15:00.007Z");
  CHECK(FormatTimestamp(Timestamp{-1}) == "1969-12-31T23:59:59.999Z");
  for (const char* text : {"2000-02-29T12:00:00Z", "2199-12-31T23:59:59.999Z"}) {
    CHECK(FormatTimestamp(Timestamp{Ms(text)}) == text);
  }
}

// A stored record can hold any 64-bit time and any 32-bit date (a flipped bit, a bad disk),
// and `throughline log`, the API and `verify` print whatever they decode: the formatters give
// the true calendar value for every one, without overflowing (found by the fuzzer, in
// FormatTimestamp's day arithmetic; tests/fuzz/event_codec_fuzzer.cc).
TEST_CASE("Every representable time and date formats") {
  using Limits64 = std::numeric_limits<std::int64_t>;
  using Limits32 = std::numeric_limits<std::int32_t>;
  CHECK(FormatTimestamp(Timestamp{Limits64::max()}) == "292278994-08-17T07:12:55.807Z");
  CHECK(FormatTimestamp(Timestamp{Limits64::min()}) == "-292275055-05-16T16:47:04.192Z");
  CHECK(YearOf(Timestamp{Limits64::max()}) == 292278994);
  CHECK(YearOf(Timestamp{Limits64::min()}) == -292275055);
  CHECK(FormatDate(Date{Limits32::max()}) == "5881580-07-11");
  CHECK(FormatDate(Date{Limits32::min()}) == "-5877641-06-23");
}

TEST_CASE("Dates") {
  Date d;
  REQUIRE_FALSE(ParseDate("2019-12-20", &d));
  CHECK(FormatDate(d) == "2019-12-20");
  REQUIRE_FALSE(ParseDate("2020-02-29", &d));
  CHECK(d.days == DaysFromCivil(2020, 2, 29));
  CHECK(DateOf(Timestamp{Ms("2019-12-20T23:59:59.999Z")}) == Date{DaysFromCivil(2019, 12, 20)});
  CHECK(DateOf(Timestamp{-1}).days == -1);
  for (const char* bad : {"2019-02-29", "2019-12-20T00:00:00Z", "20-12-2019", "2019-1-01", ""}) {
    INFO(bad);
    auto p = ParseDate(bad, &d);
    REQUIRE(p);
    CHECK(p->rule == Rule::kTimeFormat);
  }
  // Round trip across the supported range, a day at a time every 97 days.
  for (std::int32_t day = DaysFromCivil(kMinYear, 1, 1); day < DaysFromCivil(kMaxYear, 12, 31);
       day += 97) {
    Date parsed;
    REQUIRE_FALSE(ParseDate(FormatDate(Date{day}), &parsed));
    REQUIRE(parsed.days == day);
  }
}

TEST_CASE("Sentence lengths are ISO 8601 periods") {
  Period p;
  REQUIRE_FALSE(ParsePeriod("P2Y6M", &p));
  CHECK(p == Period{.years = 2, .months = 6});
  REQUIRE_FALSE(ParsePeriod("P18W", &p));
  CHECK(p == Period{.weeks = 18});
  REQUIRE_FALSE(ParsePeriod("P1Y2M3W4D", &p));
  CHECK(FormatPeriod(p) == "P1Y2M3W4D");
  CHECK(FormatPeriod(Period{}) == "P0D");
  for (const char* bad : {"P", "2Y", "P2", "P6M2Y", "P2Y2Y", "PT6H", "P1000D", "P-1D", "P2.5Y"}) {
    INFO(bad);
    auto problem = ParsePeriod(bad, &p);
    REQUIRE(problem);
    CHECK(problem->rule == Rule::kFormat);
  }
}

}  // namespace
}  // namespace throughline::events
