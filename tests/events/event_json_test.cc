#include "events/event_json.h"

#include <catch2/catch.hpp>

#include "events/envelope_parser.h"
#include "events/json_writer.h"
#include "tests/test_support.h"

namespace throughline::events {
namespace {

TEST_CASE("Parse(EventToJson(e)) == e for every sample") {
  for (const auto& line : testing::ValidSamples()) {
    Event e = testing::ParseValid(line);
    std::string json = EventToJson(e);
    INFO(json);
    CHECK(testing::ParseValid(json) == e);
  }
}

TEST_CASE("The writer's JSON is the normal form: writing it again changes nothing") {
  for (const auto& line : testing::ValidSamples()) {
    std::string once = EventToJson(testing::ParseValid(line));
    CHECK(EventToJson(testing::ParseValid(once)) == once);
  }
}

TEST_CASE("JsonWriter places separators and escapes strings") {
  JsonWriter w;
  w.BeginObject();
  w.Key("a");
  w.Int(-1);
  w.Key("b");
  w.BeginArray();
  w.String("x");
  w.Bool(true);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.EndArray();
  w.Key("c\"");
  w.String("line\nbreak\t\"quoted\" back\\slash \x01 ŵ");
  w.EndObject();
  CHECK(w.str() ==
        R"({"a":-1,"b":["x",true,null,{}],"c\"":"line\nbreak\t\"quoted\" back\\slash \u0001 ŵ"})");
}

TEST_CASE("JsonWriter never passes on invalid UTF-8") {
  CHECK(JsonString("ok \xff end") == R"("ok \ufffd end")");
  CHECK(JsonString("cut \xc5") == R"("cut \ufffd")");
  CHECK(JsonString("ŵ \xed\xa0\x80") == R"("ŵ \ufffd\ufffd\ufffd")");
  // What it writes is always valid JSON.
  EnvelopeParser parser;
  auto result = parser.Parse(R"({"x":)" + JsonString("\xff\xfe") + "}");
  for (const auto& e : result.errors)
    CHECK(e.rule != Rule::kInvalidUtf8);
}

}  // namespace
}  // namespace throughline::events
