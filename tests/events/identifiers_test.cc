#include "events/identifiers.h"

#include <catch2/catch.hpp>

namespace throughline::events {
namespace {

TEST_CASE("CheckLetter follows the public mod-23 rule") {
  // The worked examples of the brief.
  CHECK(CheckLetter(120123456) == 'Y');  // PNC 2012/0123456
  CHECK(CheckLetter(11123456) == 'M');   // CRO 123456/11
  CHECK(CheckLetter(0) == 'Z');
  CHECK(CheckLetter(22) == 'Y');
  CHECK(CheckLetter(23) == 'Z');
}

TEST_CASE("PNC IDs: long and short forms, normalised") {
  std::string normal;
  SECTION("the long form is accepted as is") {
    CHECK_FALSE(CheckPnc("2012/0123456Y", 2019, &normal));
    CHECK(normal == "2012/0123456Y");
  }
  SECTION("a short year and unpadded serial widen to the long form") {
    CHECK_FALSE(CheckPnc("12/123456Y", 2019, &normal));
    CHECK(normal == "2012/0123456Y");
  }
  SECTION("a lower-case check letter is normalised") {
    CHECK_FALSE(CheckPnc("2012/0123456y", 2019, &normal));
    CHECK(normal == "2012/0123456Y");
  }
  SECTION("a 2-digit year later than the event's year belongs to the previous century") {
    // 95 in an event of 2019 is 1995, not 2095.
    std::string digits = "95/0012345";
    char letter = CheckLetter(950012345);
    CHECK_FALSE(CheckPnc(digits + letter, 2019, &normal));
    CHECK(normal == std::string("1995/0012345") + letter);
  }
  SECTION("the year pivot follows the event, not today's date") {
    char letter = CheckLetter(250000001);
    CHECK_FALSE(CheckPnc(std::string("25/1") + letter, 2024, &normal));
    CHECK(normal == std::string("1925/0000001") + letter);
    CHECK_FALSE(CheckPnc(std::string("25/1") + letter, 2025, &normal));
    CHECK(normal == std::string("2025/0000001") + letter);
  }
}

TEST_CASE("PNC IDs: wrong check letters and shapes are rejected with the rule") {
  std::string normal;
  auto p = CheckPnc("2012/0123478K", 2019, &normal);
  REQUIRE(p);
  CHECK(p->rule == Rule::kCheckLetter);
  CHECK(p->message == "check letter is K, expected X");

  auto shape =
      GENERATE(as<std::string>{}, "", "2012", "2012/", "2012/Y", "201/0123456Y", "2012/01234567Y",
               "2012-0123456Y", "2012/0123456", "2012/012345AY", "ABCD/0123456Y", "2012/0123456YY");
  INFO(shape);
  auto f = CheckPnc(shape, 2019, &normal);
  REQUIRE(f);
  CHECK(f->rule == Rule::kFormat);
}

TEST_CASE("CRO numbers") {
  std::string normal;
  CHECK_FALSE(CheckCro("123456/11M", &normal));
  CHECK(normal == "123456/11M");
  CHECK_FALSE(CheckCro("23456/11" + std::string(1, CheckLetter(11023456)), &normal));
  CHECK(normal == "023456/11" + std::string(1, CheckLetter(11023456)));
  auto bad = CheckCro("123456/11A", &normal);
  REQUIRE(bad);
  CHECK(bad->rule == Rule::kCheckLetter);
  for (const char* shape : {"123456/1M", "1234567/11M", "123456-11M", "12345A/11M", "/11M"}) {
    INFO(shape);
    auto f = CheckCro(shape, &normal);
    REQUIRE(f);
    CHECK(f->rule == Rule::kFormat);
  }
}

TEST_CASE("Prison numbers and CRNs") {
  std::string normal;
  CHECK_FALSE(CheckNoms("A1234BC", &normal));
  CHECK(normal == "A1234BC");
  CHECK_FALSE(CheckNoms("a1234bc", &normal));
  CHECK(normal == "A1234BC");
  for (const char* bad : {"A123BC", "A12345BC", "11234BC", "A1234B1", "A1234BCD", ""}) {
    INFO(bad);
    auto p = CheckNoms(bad, &normal);
    REQUIRE(p);
    CHECK(p->rule == Rule::kFormat);
  }
  CHECK_FALSE(CheckCrn("X123456", &normal));
  CHECK(normal == "X123456");
  for (const char* bad : {"X12345", "X1234567", "1123456", "XX23456"}) {
    INFO(bad);
    auto p = CheckCrn(bad, &normal);
    REQUIRE(p);
    CHECK(p->rule == Rule::kFormat);
  }
}

TEST_CASE("Arrest/Summons Numbers") {
  std::string normal;
  SECTION("the brief's example") {
    CHECK_FALSE(CheckAsn("1101ZD0100000410780J", &normal));
    CHECK(normal == "1101ZD0100000410780J");
  }
  SECTION("slashes and a short sequence normalise to 20 characters") {
    CHECK_FALSE(CheckAsn("11/01ZD/01/410780J", &normal));
    CHECK(normal == "1101ZD0100000410780J");
  }
  SECTION("a wrong check letter") {
    auto p = CheckAsn("1101ZD0100000410780K", &normal);
    REQUIRE(p);
    CHECK(p->rule == Rule::kCheckLetter);
    CHECK(p->message == "check letter is K, expected J");
  }
  SECTION("shapes") {
    for (const char* bad : {"1101ZD01J", "AB01ZD0100000410780J", "1101ZD01000004107800J",
                            "1101ZD010000041078AJ", "1101Z-0100000410780J"}) {
      INFO(bad);
      auto p = CheckAsn(bad, &normal);
      REQUIRE(p);
      CHECK(p->rule == Rule::kFormat);
    }
  }
}

TEST_CASE("Identifier kinds have stable names") {
  for (auto kind :
       {IdentifierKind::kPnc, IdentifierKind::kNoms, IdentifierKind::kCrn, IdentifierKind::kCro}) {
    CHECK(ParseIdentifierKind(IdentifierKindName(kind)) == kind);
  }
  CHECK_FALSE(ParseIdentifierKind("nomis"));
}

}  // namespace
}  // namespace throughline::events
