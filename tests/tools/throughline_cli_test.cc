// The throughline binary as a user runs it.

#include <catch2/catch.hpp>

#include "tests/test_support.h"

namespace throughline {
namespace {

std::string Binary() { return THROUGHLINE_BINARY; }

TEST_CASE("validate: the valid samples are all valid, exit 0", "[e2e]") {
  std::string out;
  int status = testing::Run(
      Binary() + " validate " + testing::SourcePath("tests/data/valid_events.ndjson"), &out);
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find(std::to_string(testing::ValidSamples().size()) +
                 " valid (0 flagged), 0 invalid") != std::string::npos);
}

TEST_CASE("validate: each bad message is reported on its line with path and rule, exit 1",
          "[e2e]") {
  std::string out;
  int status = testing::Run(
      Binary() + " validate " + testing::SourcePath("tests/data/invalid_events.ndjson"), &out);
  INFO(out);
  CHECK(status == 1);
  const auto lines = testing::ReadLines(testing::SourcePath("tests/data/invalid_events.ndjson"));
  CHECK(out.find("0 valid (0 flagged), " + std::to_string(lines.size()) + " invalid") !=
        std::string::npos);
  for (const char* expected : {
           "line 1: not JSON",
           "line 2: message is 1048826 bytes, over the limit of 1048576 bytes [too_large]",
           "line 3: nested deeper than 32 levels [too_deep]",
           "line 4: not valid UTF-8 [invalid_utf8]",
           "line 6 id \"missing-person\": data.person: required",
           "line 7 id \"no-identifier\": data.person: no identifier",
           "line 13 id \"check-letter\": data.person.pnc: check letter is K, expected X "
           "[check_letter]",
           "line 16 id \"time-format\": time: not RFC 3339: \"04/03/2019\"",
           "line 18 id \"unknown-type\": type: unknown event type \"arest.recorded\" (did you mean "
           "\"arrest.recorded\"?) [unknown_type]",
       }) {
    CHECK(out.find(expected) != std::string::npos);
  }
}

TEST_CASE("validate reads standard input and prints normalised, upcast events", "[e2e]") {
  std::string out;
  int status = testing::Run("head -n 6 " + testing::SourcePath("tests/data/valid_events.ndjson") +
                                " | " + Binary() + " validate --print - 2>/dev/null",
                            &out);
  CHECK(status == 0);
  CHECK(std::count(out.begin(), out.end(), '\n') == 6);
  // Line 6 is a custody.received of dataversion 1: printed as dataversion 2.
  CHECK(out.find(R"("type":"custody.received","time":"2019-03-18T16:20:00Z","dataversion":2)") !=
        std::string::npos);
  CHECK(out.find(R"("prison":"CFI")") != std::string::npos);
  CHECK(out.find("establishment") == std::string::npos);
}

TEST_CASE("validate: a missing file is an error that says what to do", "[e2e]") {
  std::string out;
  int status = testing::Run(Binary() + " validate /no/such/file.ndjson 2>&1", &out);
  CHECK(status == 2);
  CHECK(out.find("cannot open /no/such/file.ndjson") != std::string::npos);
}

TEST_CASE("catalogue prints docs/events.md", "[e2e]") {
  std::string out;
  REQUIRE(testing::Run(Binary() + " catalogue", &out) == 0);
  CHECK(out == testing::ReadFile(testing::SourcePath("docs/events.md")));
}

}  // namespace
}  // namespace throughline
