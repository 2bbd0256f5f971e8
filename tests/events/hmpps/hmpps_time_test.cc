#include "events/hmpps/hmpps_time.h"

#include <catch2/catch.hpp>

namespace throughline::events::hmpps {
namespace {

std::string Utc(std::string_view text, TimeBasis* basis = nullptr) {
  Timestamp t;
  TimeBasis b;
  auto p = ParseHmppsTime(text, &t, &b);
  INFO(text << ": " << (p ? p->message : ""));
  REQUIRE_FALSE(p);
  if (basis)
    *basis = b;
  return FormatTimestamp(t);
}

Rule Refused(std::string_view text) {
  Timestamp t;
  TimeBasis b;
  auto p = ParseHmppsTime(text, &t, &b);
  INFO(text);
  REQUIRE(p);
  return p->rule;
}

TEST_CASE("HMPPS times: every offset form Java writes") {
  TimeBasis basis;
  CHECK(Utc("2024-06-14T09:06:52+01:00", &basis) == "2024-06-14T08:06:52Z");
  CHECK(basis == TimeBasis::kOffset);
  CHECK(Utc("2024-06-14T08:06:52Z") == "2024-06-14T08:06:52Z");
  CHECK(Utc("2024-06-14T09:06:52.123456+01:00") == "2024-06-14T08:06:52.123Z");
  CHECK(Utc("2024-06-14T09:06:52+0100") == "2024-06-14T08:06:52Z");
  CHECK(Utc("2024-06-14T09:06:52+01") == "2024-06-14T08:06:52Z");
  CHECK(Utc("2024-06-14T09:06:52+01:00[Europe/London]") == "2024-06-14T08:06:52Z");
  // Java leaves out seconds that are zero.
  CHECK(Utc("2024-06-14T09:06+01:00") == "2024-06-14T08:06:00Z");
  CHECK(Utc("2024-01-14T09:06Z") == "2024-01-14T09:06:00Z");
}

TEST_CASE("HMPPS times: no offset is the time in England") {
  TimeBasis basis;
  CHECK(Utc("2024-06-14T09:06:52", &basis) == "2024-06-14T08:06:52Z");
  CHECK(basis == TimeBasis::kUkCivil);
  CHECK(Utc("2024-01-14T09:06:52") == "2024-01-14T09:06:52Z");
  CHECK(Utc("2024-06-14 09:06:52.5") == "2024-06-14T08:06:52.500Z");
  CHECK(Utc("2024-06-14T09:06") == "2024-06-14T08:06:00Z");
  CHECK(Utc("2024-06-14") == "2024-06-13T23:00:00Z");
  SECTION("around the changes of the clocks") {
    // BST starts at 01:00 UTC on 31 March 2024 and ends at 01:00 UTC on 27 October 2024.
    CHECK(Utc("2024-03-31T00:59:00") == "2024-03-31T00:59:00Z");
    CHECK(Utc("2024-03-31T02:00:00") == "2024-03-31T01:00:00Z");
    // 01:30 happens twice on 27 October: the first, in BST, is taken.
    CHECK(Utc("2024-10-27T01:30:00") == "2024-10-27T00:30:00Z");
    CHECK(Utc("2024-10-27T02:30:00") == "2024-10-27T02:30:00Z");
  }
}

TEST_CASE("HMPPS times: java.util.Date.toString()") {
  CHECK(Utc("Fri Jun 14 09:06:52 BST 2024") == "2024-06-14T08:06:52Z");
  CHECK(Utc("Sun Jan 14 09:06:52 GMT 2024") == "2024-01-14T09:06:52Z");
  CHECK(Utc("Sun Jan 14 09:06:52 UTC 2024") == "2024-01-14T09:06:52Z");
  CHECK(Utc("Fri Jun 14 10:06:52 CEST 2024") == "2024-06-14T08:06:52Z");
  CHECK(Utc("Fri Jun 14 09:06:52 GMT+01:00 2024") == "2024-06-14T08:06:52Z");
  CHECK(Refused("Sat Jun 14 09:06:52 BST 2024") == Rule::kInconsistent);
  CHECK(Refused("Fri Jun 14 09:06:52 IST 2024") == Rule::kTimeFormat);
  CHECK(Refused("Fri Jux 14 09:06:52 BST 2024") == Rule::kTimeFormat);
  CHECK(Refused("Fri Jun 31 09:06:52 BST 2024") == Rule::kTimeFormat);
}

TEST_CASE("HMPPS times: Jackson's numeric timestamps") {
  CHECK(Utc("1718352412") == "2024-06-14T08:06:52Z");
  CHECK(Utc("1718352412.5") == "2024-06-14T08:06:52.500Z");
  CHECK(Utc("1718352412123") == "2024-06-14T08:06:52.123Z");
  CHECK(Refused("12") == Rule::kRange);
}

TEST_CASE("HMPPS times: what is not a time") {
  for (std::string_view text : {"", "yesterday", "14/06/2024 09:06", "2024-13-14T09:06:52Z",
                                "2024-06-14T25:06:52Z", "2024-06-14T09:06:52+1"}) {
    CHECK(Refused(text) == Rule::kTimeFormat);
  }
  CHECK(Refused("20240-06-14T09:06:52Z") == Rule::kTimeFormat);
  CHECK(Refused("1890-06-14T09:06:52Z") == Rule::kRange);
}

TEST_CASE("HMPPS dates") {
  Date d;
  REQUIRE_FALSE(ParseHmppsDate("2025-03-01", &d));
  CHECK(FormatDate(d) == "2025-03-01");
  REQUIRE_FALSE(ParseHmppsDate("01/03/2025", &d));
  CHECK(FormatDate(d) == "2025-03-01");
  // A time is the day it was in England: 23:30 UTC in summer is the next day.
  REQUIRE_FALSE(ParseHmppsDate("2025-06-30T23:30:00Z", &d));
  CHECK(FormatDate(d) == "2025-07-01");
  CHECK(ParseHmppsDate("31/02/2025", &d)->rule == Rule::kTimeFormat);
  CHECK(ParseHmppsDate("1 March 2025", &d)->rule == Rule::kTimeFormat);
  CHECK(ParseHmppsDate("3025-03-01", &d)->rule == Rule::kRange);
}

TEST_CASE("British Summer Time") {
  CHECK_FALSE(IsBritishSummerTime(Timestamp{1'711'846'799'000}));  // 2024-03-31T00:59:59Z
  CHECK(IsBritishSummerTime(Timestamp{1'711'846'800'000}));        // 2024-03-31T01:00:00Z
  CHECK(IsBritishSummerTime(Timestamp{1'729'990'799'000}));        // 2024-10-27T00:59:59Z
  CHECK_FALSE(IsBritishSummerTime(Timestamp{1'729'990'800'000}));  // 2024-10-27T01:00:00Z
}

}  // namespace
}  // namespace throughline::events::hmpps
