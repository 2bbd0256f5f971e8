#include "events/envelope_parser.h"

#include <random>

#include <catch2/catch.hpp>

#include "tests/test_support.h"

namespace throughline::events {
namespace {

using testing::ParseValid;
using testing::WithMember;
using testing::WithoutMember;

// A valid arrest, the brief's example.
const std::string kArrest =
    R"({"specversion":"1.0","id":"c1f6d1b2-0d5e-4b43-9f57-3c2c1b7d5a10",)"
    R"("source":"police/dyfed-powys/custody","type":"arrest.recorded",)"
    R"("time":"2019-03-04T10:15:00Z","dataversion":1,"data":{"person":{"pnc":"2012/0123456Y",)"
    R"("noms":"A1234BC","crn":"X123456","cro":"123456/11M"},"mode":"arrest",)"
    R"("force":"dyfed-powys","asn":"1101ZD0100000410780J",)"
    R"("offences":[{"code":"TH68001","description":"Theft from a shop"}]}})";

ValidationErrors Errors(const std::string& json, ParseLimits limits = {}) {
  EnvelopeParser parser(limits);
  return parser.Parse(json).errors;
}

// The single error a message must fail with.
ValidationError OnlyError(const std::string& json, ParseLimits limits = {}) {
  auto errors = Errors(json, limits);
  INFO(json.substr(0, 300));
  INFO(JoinErrors(errors));
  REQUIRE(errors.size() == 1);
  return errors[0];
}

TEST_CASE("The brief's example parses into a typed event") {
  Event e = ParseValid(kArrest);
  CHECK(e.id == "c1f6d1b2-0d5e-4b43-9f57-3c2c1b7d5a10");
  CHECK(e.source == "police/dyfed-powys/custody");
  CHECK(e.type() == EventType::kArrestRecorded);
  CHECK(e.dataversion() == 1);
  CHECK(e.time.unix_ms == 1551694500000);
  CHECK(e.person.pnc == "2012/0123456Y");
  CHECK(e.person.noms == "A1234BC");
  CHECK(e.person.crn == "X123456");
  CHECK(e.person.cro == "123456/11M");
  const auto& arrest = std::get<ArrestRecorded>(e.data);
  CHECK(arrest.mode == ArrestMode::kArrest);
  CHECK(arrest.force == "dyfed-powys");
  CHECK(arrest.asn == "1101ZD0100000410780J");
  REQUIRE(arrest.offences.size() == 1);
  CHECK(arrest.offences[0].code == "TH68001");
  CHECK(arrest.offences[0].description == "Theft from a shop");
  CHECK_FALSE(arrest.custody_suite);
  CHECK(e.flags.empty());
}

TEST_CASE("Identifiers and times are normalised") {
  std::string json = WithMember(kArrest, {"data", "person"}, {{"pnc", "12/123456y"}});
  json = WithMember(json, {"time"}, "2019-03-04T11:15:00+01:00");
  Event e = ParseValid(json);
  CHECK(e.person.pnc == "2012/0123456Y");
  CHECK(e.time.unix_ms == 1551694500000);
}

TEST_CASE("Every error names the path, the rule and what was found") {
  SECTION("a wrong check letter") {
    auto e = OnlyError(WithMember(kArrest, {"data", "person", "pnc"}, "2012/0123478K"));
    CHECK(e.path == "data.person.pnc");
    CHECK(e.rule == Rule::kCheckLetter);
    CHECK(e.ToString() == "data.person.pnc: check letter is K, expected X");
  }
  SECTION("a misspelt type") {
    auto e = OnlyError(WithMember(kArrest, {"type"}, "arest.recorded"));
    CHECK(e.path == "type");
    CHECK(e.rule == Rule::kUnknownType);
    CHECK(e.ToString() ==
          R"(type: unknown event type "arest.recorded" (did you mean "arrest.recorded"?))");
  }
  SECTION("a type that is nothing like one") {
    auto e = OnlyError(WithMember(kArrest, {"type"}, "com.example.order"));
    CHECK(e.rule == Rule::kUnknownType);
    CHECK(e.message == R"(unknown event type "com.example.order")");
  }
  SECTION("a time in the wrong form") {
    auto e = OnlyError(WithMember(kArrest, {"time"}, "04/03/2019"));
    CHECK(e.path == "time");
    CHECK(e.rule == Rule::kTimeFormat);
    CHECK(e.message.starts_with(R"(not RFC 3339: "04/03/2019")"));
  }
  SECTION("a nested field") {
    auto e = OnlyError(WithMember(kArrest, {"data", "offences"},
                                  boost::json::array{{{"code", "TH68001"}}, {{"code", "X1"}}}));
    CHECK(e.path == "data.offences[1].code");
    CHECK(e.rule == Rule::kFormat);
  }
  SECTION("several errors are all reported, in document order") {
    std::string json = WithMember(kArrest, {"data", "mode"}, "arrestt");
    json = WithMember(json, {"data", "person", "noms"}, "A12BC");
    auto errors = Errors(json);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].path == "data.person.noms");
    CHECK(errors[1].path == "data.mode");
    CHECK(errors[1].rule == Rule::kEnumValue);
  }
}

TEST_CASE("Size limit") {
  ParseLimits limits;
  limits.max_bytes = 2000;
  std::string padded = WithMember(kArrest, {"data", "custody_suite"}, "x");
  const std::size_t room = limits.max_bytes - padded.size() + 1;
  std::string exact =
      WithMember(kArrest, {"data", "custody_suite"}, boost::json::string(std::string(room, 'x')));
  REQUIRE(exact.size() == limits.max_bytes);
  CHECK(Errors(exact, limits).size() == 1);  // only the suite name being too long
  auto e = OnlyError(exact + " ", limits);
  CHECK(e.rule == Rule::kTooLarge);
  CHECK(e.path.empty());

  SECTION("the default is 1 MiB") {
    std::string big = WithMember(kArrest, {"data", "custody_suite"},
                                 boost::json::string(std::string(1 << 20, 'x')));
    CHECK(OnlyError(big).rule == Rule::kTooLarge);
  }
}

TEST_CASE("Nesting limit: 32 levels pass, 33 fail") {
  auto nested = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']');
  };
  // 32 levels are within the limit: the message fails only for not being an object.
  CHECK(OnlyError(nested(32)).rule == Rule::kWrongType);
  CHECK(OnlyError(nested(33)).rule == Rule::kTooDeep);
  CHECK(OnlyError(nested(100000)).rule == Rule::kTooDeep);
  std::string deep_in_data = kArrest;
  deep_in_data.replace(deep_in_data.find(R"("mode")"), 0, R"("x":)" + nested(40) + ",");
  CHECK(OnlyError(deep_in_data).rule == Rule::kTooDeep);
}

TEST_CASE("Invalid UTF-8 is refused") {
  std::string json = WithMember(kArrest, {"data", "custody_suite"}, "Llanelli");
  for (const char* bad : {"\xff", "\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"}) {
    std::string broken = json;
    broken.replace(broken.find("Llanelli") + 4, 0, bad);
    CHECK(OnlyError(broken).rule == Rule::kInvalidUtf8);
  }
  // Real multi-byte text is fine.
  Event e = ParseValid(WithMember(kArrest, {"data", "custody_suite"}, "Ystradgynlais ŵ ŷ"));
  CHECK(std::get<ArrestRecorded>(e.data).custody_suite == "Ystradgynlais ŵ ŷ");
}

TEST_CASE("Duplicate keys are refused at every level") {
  std::string root = kArrest;
  root.replace(root.find(R"("source")"), 0, R"("id":"again",)");
  auto e = OnlyError(root);
  CHECK(e.path == "id");
  CHECK(e.rule == Rule::kDuplicateKey);

  std::string person = kArrest;
  person.replace(person.find(R"("noms")"), 0, R"("pnc":"2012/0123456Y",)");
  e = OnlyError(person);
  CHECK(e.path == "data.person.pnc");
  CHECK(e.rule == Rule::kDuplicateKey);

  std::string offence = kArrest;
  offence.replace(offence.find(R"("description")"), 0, R"("code":"TH68001",)");
  e = OnlyError(offence);
  CHECK(e.path == "data.offences[0].code");
  CHECK(e.rule == Rule::kDuplicateKey);
}

TEST_CASE("The person") {
  SECTION("missing") {
    auto e = OnlyError(WithoutMember(kArrest, {"data", "person"}));
    CHECK(e.path == "data.person");
    CHECK(e.rule == Rule::kRequired);
  }
  SECTION("null") {
    CHECK(OnlyError(WithMember(kArrest, {"data", "person"}, nullptr)).rule == Rule::kRequired);
  }
  SECTION("with no identifier") {
    auto e = OnlyError(WithMember(kArrest, {"data", "person"}, boost::json::object{}));
    CHECK(e.path == "data.person");
    CHECK(e.rule == Rule::kNoIdentifier);
  }
  SECTION("with only null identifiers") {
    auto e = OnlyError(WithMember(kArrest, {"data", "person"}, {{"pnc", nullptr}}));
    CHECK(e.rule == Rule::kNoIdentifier);
  }
  SECTION("not an object") {
    auto e = OnlyError(WithMember(kArrest, {"data", "person"}, "2012/0123456Y"));
    CHECK(e.path == "data.person");
    CHECK(e.rule == Rule::kWrongType);
  }
  SECTION("with a field that is not an identifier") {
    auto e = OnlyError(WithMember(kArrest, {"data", "person", "name"}, "Jones"));
    CHECK(e.path == "data.person.name");
    CHECK(e.rule == Rule::kUnknownField);
  }
}

TEST_CASE("The envelope") {
  SECTION("specversion must be 1.0") {
    auto e = OnlyError(WithMember(kArrest, {"specversion"}, "0.3"));
    CHECK(e.path == "specversion");
    CHECK(e.rule == Rule::kSpecVersion);
  }
  SECTION("each required attribute") {
    for (const char* key : {"specversion", "id", "source", "type", "time", "data"}) {
      auto e = OnlyError(WithoutMember(kArrest, {key}));
      CHECK(e.path == key);
      CHECK(e.rule == Rule::kRequired);
    }
  }
  SECTION("a misspelt attribute is pointed at") {
    std::string json = WithoutMember(kArrest, {"time"});
    json = WithMember(json, {"tyme"}, "2019-03-04T10:15:00Z");
    auto e = OnlyError(json);
    CHECK(e.path == "time");
    CHECK(e.rule == Rule::kRequired);
    CHECK(e.message == R"(required (is "tyme" a misspelling of it?))");
  }
  SECTION("an attribute name CloudEvents does not allow") {
    auto e = OnlyError(WithMember(kArrest, {"Source"}, "x"));
    CHECK(e.path == "Source");
    CHECK(e.rule == Rule::kUnknownField);
    CHECK(e.message == R"(unknown attribute (did you mean "source"?))");
  }
  SECTION("extension attributes are kept as text") {
    std::string json = WithMember(kArrest, {"subject"}, "2012/0123456Y");
    json = WithMember(json, {"traceparent"},
                      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    json = WithMember(json, {"priority"}, 3);
    json = WithMember(json, {"urgent"}, true);
    Event e = ParseValid(json);
    REQUIRE(e.attributes.size() == 4);
    CHECK(e.attributes[0] == Attribute{"subject", "2012/0123456Y"});
    CHECK(e.attributes[2] == Attribute{"priority", "3"});
    CHECK(e.attributes[3] == Attribute{"urgent", "true"});
  }
  SECTION("an extension attribute that is an object") {
    auto e = OnlyError(WithMember(kArrest, {"trace"}, {{"a", 1}}));
    CHECK(e.path == "trace");
    CHECK(e.rule == Rule::kWrongType);
  }
  SECTION("datacontenttype must be JSON") {
    ParseValid(WithMember(kArrest, {"datacontenttype"}, "application/json"));
    auto e = OnlyError(WithMember(kArrest, {"datacontenttype"}, "application/xml"));
    CHECK(e.rule == Rule::kFormat);
  }
  SECTION("id and source are checked") {
    CHECK(OnlyError(WithMember(kArrest, {"id"}, "")).rule == Rule::kFormat);
    CHECK(OnlyError(WithMember(kArrest, {"id"}, 42)).rule == Rule::kWrongType);
    CHECK(OnlyError(WithMember(kArrest, {"id"}, boost::json::string(std::string(201, 'a')))).rule ==
          Rule::kTooLong);
    CHECK(OnlyError(WithMember(kArrest, {"source"}, "a\tb")).rule == Rule::kFormat);
    CHECK(OnlyError(WithMember(kArrest, {"source"}, " police")).rule == Rule::kFormat);
  }
  SECTION("data must be an object") {
    auto e = OnlyError(WithMember(kArrest, {"data"}, boost::json::array{}));
    CHECK(e.path == "data");
    CHECK(e.rule == Rule::kWrongType);
  }
  SECTION("the message must be an object") {
    for (const char* json : {"[]", "\"event\"", "42", "null"}) {
      CHECK(OnlyError(json).rule == Rule::kWrongType);
    }
  }
  SECTION("not JSON at all") {
    for (const std::string& json :
         {std::string(""), std::string("{"), std::string("{\"a\":}"), std::string("{'a':1}"),
          std::string("{\"a\":1}}"), std::string("\x00\x01", 2)}) {
      CHECK(OnlyError(json).rule == Rule::kJsonSyntax);
    }
  }
}

TEST_CASE("dataversion") {
  const std::string received =
      R"({"specversion":"1.0","id":"r1","source":"prison/cfi/nomis","type":"custody.received",)"
      R"("time":"2019-03-18T16:20:00Z","data":{"person":{"noms":"A1234BC"},)"
      R"("establishment":"CFI","basis":"remand"}})";
  SECTION("absent means 1") { CHECK(ParseValid(received).dataversion() == 1); }
  SECTION("a string of digits is read as the integer") {
    CHECK(ParseValid(WithMember(received, {"dataversion"}, "1")).dataversion() == 1);
  }
  SECTION("anything else is a wrong type") {
    for (const boost::json::value& v : {boost::json::value("one"), boost::json::value(1.5),
                                        boost::json::value(boost::json::array{})}) {
      auto e = OnlyError(WithMember(received, {"dataversion"}, v));
      CHECK(e.path == "dataversion");
      CHECK(e.rule == Rule::kWrongType);
    }
  }
  SECTION("a version from the future is a clear error") {
    auto e = OnlyError(WithMember(received, {"dataversion"}, 3));
    CHECK(e.path == "dataversion");
    CHECK(e.rule == Rule::kUnsupportedVersion);
    CHECK(e.message ==
          "dataversion 3 of custody.received is not known to this engine (it reads 1, 2)");
  }
  SECTION("a field of the other version is explained") {
    auto errors = Errors(WithMember(received, {"dataversion"}, 2));
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].path == "data.establishment");
    CHECK(errors[0].rule == Rule::kUnknownField);
    CHECK(errors[0].message.find("dataversion 1") != std::string::npos);
    CHECK(errors[1].path == "data.prison");
    CHECK(errors[1].rule == Rule::kRequired);
  }
}

TEST_CASE("null for an optional field means absent, and for a required one missing") {
  Event e = ParseValid(WithMember(kArrest, {"data", "asn"}, nullptr));
  CHECK_FALSE(std::get<ArrestRecorded>(e.data).asn);
  auto error = OnlyError(WithMember(kArrest, {"data", "force"}, nullptr));
  CHECK(error.path == "data.force");
  CHECK(error.rule == Rule::kRequired);
  CHECK(error.message == "required (found null)");
}

TEST_CASE("Unknown prison and force codes are accepted and flagged") {
  const std::string received =
      R"({"specversion":"1.0","id":"r1","source":"prison/xyz/nomis","type":"custody.received",)"
      R"("time":"2019-03-18T16:20:00Z","dataversion":2,"data":{"person":{"noms":"A1234BC"},)"
      R"("prison":"xyz","basis":"remand"}})";
  Event e = ParseValid(received);
  CHECK(std::get<CustodyReceived>(e.data).prison == "XYZ");
  REQUIRE(e.flags.size() == 1);
  CHECK(e.flags[0].path == "data.prison");
  CHECK(e.flags[0].rule == Rule::kUnknownReference);

  Event arrest = ParseValid(WithMember(kArrest, {"data", "force"}, "police-scotland"));
  REQUIRE(arrest.flags.size() == 1);
  CHECK(arrest.flags[0].path == "data.force");

  CHECK(ParseValid(kArrest).flags.empty());
  CHECK(OnlyError(WithMember(kArrest, {"data", "force"}, "Dyfed Powys")).rule == Rule::kFormat);
}

TEST_CASE("Errors stop at the limit, never unbounded") {
  boost::json::array offences;
  for (int i = 0; i < 200; ++i)
    offences.push_back(boost::json::object{{"code", "bad"}});
  auto errors = Errors(WithMember(kArrest, {"data", "offences"}, offences));
  CHECK(errors.size() == ParseLimits{}.max_errors);
}

TEST_CASE("A parser is reusable: the same message gives the same result") {
  EnvelopeParser parser;
  auto first = parser.Parse(kArrest);
  parser.Parse(WithMember(kArrest, {"type"}, "nope"));
  parser.Parse("{");
  auto again = parser.Parse(kArrest);
  REQUIRE(first.ok());
  CHECK(first.event == again.event);
}

TEST_CASE("Mangled messages never crash the parser") {
  // A quick in-test fuzz over the samples: flip, drop and duplicate bytes. The libFuzzer
  // targets go much further; this keeps the property in every test run.
  EnvelopeParser parser;
  std::mt19937 rng(20191220);
  for (const auto& sample : testing::ValidSamples()) {
    for (int round = 0; round < 200; ++round) {
      std::string m = sample;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < edits && !m.empty(); ++k) {
        std::size_t at = rng() % m.size();
        switch (rng() % 3) {
          case 0:
            m[at] = static_cast<char>(rng());
            break;
          case 1:
            m.erase(at, 1 + rng() % 8);
            break;
          default:
            m.insert(at, m.substr(at, 1 + rng() % 8));
        }
      }
      auto result = parser.Parse(m);
      for (const auto& e : result.errors)
        CHECK_FALSE(RuleName(e.rule).empty());
    }
  }
}

}  // namespace
}  // namespace throughline::events
