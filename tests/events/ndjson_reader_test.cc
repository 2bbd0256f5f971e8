#include "events/ndjson_reader.h"

#include <sstream>

#include <catch2/catch.hpp>

namespace throughline::events {
namespace {

TEST_CASE("NdjsonReader splits lines, skips blanks and strips CR") {
  std::istringstream in("{\"a\":1}\n\n  \r\n{\"b\":2}\r\n{\"c\":3}");
  NdjsonReader reader(in, 100);
  std::string line;
  std::size_t number = 0;
  REQUIRE(reader.Next(&line, &number));
  CHECK(line == "{\"a\":1}");
  CHECK(number == 1);
  REQUIRE(reader.Next(&line, &number));
  CHECK(line == "{\"b\":2}");
  CHECK(number == 4);
  REQUIRE(reader.Next(&line, &number));
  CHECK(line == "{\"c\":3}");
  CHECK(number == 5);
  CHECK_FALSE(reader.Next(&line, &number));
}

TEST_CASE("NdjsonReader bounds the memory of a long line and carries on after it") {
  std::istringstream in(std::string(10'000, 'x') + "\nshort\n");
  NdjsonReader reader(in, 100);
  std::string line;
  std::size_t number = 0;
  REQUIRE(reader.Next(&line, &number));
  CHECK(reader.truncated());
  CHECK(line.size() == 101);
  CHECK(reader.line_bytes() == 10'000);
  REQUIRE(reader.Next(&line, &number));
  CHECK_FALSE(reader.truncated());
  CHECK(line == "short");
  CHECK(number == 2);
}

}  // namespace
}  // namespace throughline::events
