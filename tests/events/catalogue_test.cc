// The catalogue, type by type: every (type, dataversion) has a valid sample, and every
// required field, enumeration and JSON type is enforced, driven by the same field lists the
// parser uses so that a new field cannot escape its tests.

#include <set>

#include <catch2/catch.hpp>

#include "events/catalogue_markdown.h"
#include "events/envelope_parser.h"
#include "events/event.h"
#include "tests/test_support.h"

namespace throughline::events {
namespace {

using testing::WithMember;
using testing::WithoutMember;

template <class M>
struct Inner {
  using type = M;
  static constexpr bool optional = false;
  static constexpr bool vector = false;
};
template <class X>
struct Inner<std::optional<X>> {
  using type = X;
  static constexpr bool optional = true;
  static constexpr bool vector = false;
};
template <class X>
struct Inner<std::vector<X>> {
  using type = X;
  static constexpr bool optional = false;
  static constexpr bool vector = true;
};

// The only error of a message, which must be at `path` by `rule`.
void ExpectOnly(const std::string& json, const std::string& path, Rule rule) {
  EnvelopeParser parser;
  auto errors = parser.Parse(json).errors;
  INFO(json);
  INFO(JoinErrors(errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == path);
  CHECK(RuleName(errors[0].rule) == RuleName(rule));
}

// Checks one field of one type against the sample of that type.
struct FieldCases {
  const std::string& sample;
  std::string type_name;

  template <class U, class M>
  void operator()(M U::*, const FieldSpec& spec) {
    using X = typename Inner<M>::type;
    const std::vector<std::string> key = {"data", std::string(spec.name)};
    const std::string path = "data." + std::string(spec.name);
    DYNAMIC_SECTION(type_name << " " << spec.name) {
      const bool required =
          (!Inner<M>::optional && !Inner<M>::vector) || (Inner<M>::vector && spec.min_items > 0);
      if (required)
        ExpectOnly(WithoutMember(sample, key), path, Rule::kRequired);

      // The wrong JSON type for the field.
      boost::json::value wrong;
      if constexpr (Inner<M>::vector) {
        wrong = "not an array";
      } else if constexpr (Record<X>) {
        wrong = 42;
      } else if constexpr (std::is_same_v<X, std::int32_t>) {
        wrong = "2";
      } else {
        wrong = boost::json::object{{"x", 1}};
      }
      ExpectOnly(WithMember(sample, key, wrong), path, Rule::kWrongType);

      if constexpr (Enumeration<X> && !Inner<M>::vector) {
        ExpectOnly(WithMember(sample, key, "not_a_value"), path, Rule::kEnumValue);
        // Enumerations: names and persisted numbers unique, numbers never 0 (the unset value).
        std::set<std::string_view> names;
        std::set<int> numbers;
        for (const auto& v : EnumInfo<X>::kValues) {
          CHECK(names.insert(v.name).second);
          CHECK(numbers.insert(static_cast<int>(v.value)).second);
          CHECK(static_cast<int>(v.value) != 0);
          // Each value is a value of the enumeration (cross-field rules may still object).
          EnvelopeParser parser;
          auto result = parser.Parse(WithMember(sample, key, boost::json::string(v.name)));
          for (const auto& e : result.errors)
            CHECK_FALSE(e.rule == Rule::kEnumValue);
        }
      }
      if constexpr (std::is_same_v<X, std::int32_t> && !Inner<M>::vector) {
        ExpectOnly(WithMember(sample, key, spec.max + 1), path, Rule::kRange);
        ExpectOnly(WithMember(sample, key, spec.min - 1), path, Rule::kRange);
      }
      if constexpr (std::is_same_v<X, std::string> && !Inner<M>::vector) {
        ExpectOnly(WithMember(sample, key, ""), path, Rule::kFormat);
      }
    }
  }
};

template <class T>
void CheckType() {
  const std::string sample = testing::SampleFor(T::kInfo);
  const Event event = testing::ParseValid(sample);
  REQUIRE(std::holds_alternative<T>(event.data));
  CHECK(event.flags.empty());
  // An unknown field is refused, with its path.
  ExpectOnly(WithMember(sample, {"data", "unexpected_field"}, 1), "data.unexpected_field",
             Rule::kUnknownField);
  FieldCases cases{sample, std::string(T::kInfo.name) + " v" + std::to_string(T::kInfo.version)};
  T::Fields(cases);
}

TEST_CASE("Every type: a valid sample, required fields, types, enumerations and ranges") {
  ForEachEventStruct([](auto tag) { CheckType<typename decltype(tag)::type>(); });
}

TEST_CASE("The catalogue has every type of the brief, each with a unique name and number") {
  const std::set<std::string_view> brief = {"arrest.recorded",
                                            "charge.recorded",
                                            "charge.disposed",
                                            "out_of_court.disposal",
                                            "bail.granted",
                                            "bail.breached",
                                            "court.hearing",
                                            "conviction.recorded",
                                            "sentence.imposed",
                                            "custody.received",
                                            "custody.transferred",
                                            "custody.released",
                                            "custody.temporary_absence.started",
                                            "custody.temporary_absence.ended",
                                            "licence.started",
                                            "licence.varied",
                                            "licence.breached",
                                            "licence.recalled",
                                            "licence.ended",
                                            "supervision.started",
                                            "supervision.ended",
                                            "em.tag.fitted",
                                            "em.tag.violation",
                                            "em.tag.removed",
                                            "intervention.referred",
                                            "intervention.started",
                                            "intervention.completed",
                                            "intervention.exited",
                                            "iom.adopted",
                                            "iom.exited",
                                            "mappa.registered",
                                            "mappa.level_changed",
                                            "mappa.deregistered",
                                            "risk.assessed",
                                            "intelligence.ocg_linked",
                                            "intelligence.ocg_unlinked",
                                            "safeguarding.concern_raised",
                                            "immigration.status_changed",
                                            "identity.merged",
                                            "identity.unmerged",
                                            "person.deceased",
                                            "event.retracted"};
  std::set<std::string_view> names;
  std::set<EventType> types;
  for (const auto* info : CurrentTypeInfos()) {
    CHECK(names.insert(info->name).second);
    CHECK(types.insert(info->type).second);
  }
  // Beyond the brief: other systems' events, kept as they were published.
  std::set<std::string_view> expected = brief;
  expected.insert("external");
  CHECK(names == expected);
  // (type, version) pairs are unique too.
  std::set<std::pair<EventType, int>> pairs;
  for (const auto* info : AllTypeInfos())
    CHECK(pairs.insert({info->type, info->version}).second);
}

TEST_CASE("Cross-field rules") {
  const std::string sentence = testing::SampleFor(SentenceImposed::kInfo);
  SECTION("custody needs a length") {
    ExpectOnly(WithoutMember(sentence, {"data", "length"}), "data.length", Rule::kRequired);
  }
  SECTION("a fine has no release date") {
    std::string fine = WithMember(sentence, {"data", "kind"}, "fine");
    fine = WithoutMember(fine, {"data", "licence_end_date"});
    ExpectOnly(fine, "data.expected_release_date", Rule::kInconsistent);
  }
  SECTION("licence cannot end before release") {
    ExpectOnly(WithMember(sentence, {"data", "licence_end_date"}, "2019-01-01"),
               "data.licence_end_date", Rule::kInconsistent);
  }
  SECTION("OGRS band must agree with the percentage") {
    const std::string risk = testing::SampleFor(RiskAssessed::kInfo);
    ExpectOnly(WithMember(risk, {"data", "ogrs_band"}, "high"), "data.ogrs_band",
               Rule::kInconsistent);
    for (auto [percent, band] : {std::pair{0, "low"},
                                 {49, "low"},
                                 {50, "medium"},
                                 {74, "medium"},
                                 {75, "high"},
                                 {89, "high"},
                                 {90, "very_high"},
                                 {100, "very_high"}}) {
      std::string json = WithMember(risk, {"data", "ogrs_2yr"}, percent);
      testing::ParseValid(WithMember(json, {"data", "ogrs_band"}, band));
    }
    std::string none = WithoutMember(
        WithoutMember(WithoutMember(risk, {"data", "ogrs_2yr"}), {"data", "ogrs_band"}),
        {"data", "rosh"});
    ExpectOnly(none, "data", Rule::kRequired);
  }
  SECTION("a transfer goes somewhere else") {
    const std::string transfer = testing::SampleFor(CustodyTransferred::kInfo);
    ExpectOnly(WithMember(transfer, {"data", "to_prison"}, "SWI"), "data.to_prison",
               Rule::kInconsistent);
    // Where from may be left to the fold, which knows where it held the person.
    testing::ParseValid(WithoutMember(transfer, {"data", "from_prison"}));
  }
  SECTION("a licence variation varies something") {
    const std::string varied = testing::SampleFor(LicenceVaried::kInfo);
    std::string nothing = WithoutMember(WithoutMember(varied, {"data", "conditions_added"}),
                                        {"data", "conditions_removed"});
    ExpectOnly(nothing, "data", Rule::kRequired);
  }
  SECTION("a merge names the other record's identifiers") {
    const std::string merged = testing::SampleFor(IdentityMerged::kInfo);
    ExpectOnly(WithMember(merged, {"data", "merged"}, boost::json::object{}), "data.merged",
               Rule::kNoIdentifier);
    ExpectOnly(WithMember(merged, {"data", "merged", "pnc"}, "2015/0048213A"), "data.merged.pnc",
               Rule::kCheckLetter);
  }
}

// One line per rule in tests/data/invalid_events.ndjson, identified by its id (or its line
// number when it cannot be parsed far enough to have one).
TEST_CASE("The bad-messages file: each message fails by its rule, and nothing crashes") {
  struct Expected {
    std::string path;
    Rule rule;
  };
  const std::vector<Expected> expected = {
      {"", Rule::kJsonSyntax},
      {"", Rule::kTooLarge},
      {"", Rule::kTooDeep},
      {"", Rule::kInvalidUtf8},
      {"data.mode", Rule::kDuplicateKey},
      {"data.person", Rule::kRequired},
      {"data.person", Rule::kNoIdentifier},
      {"data.force", Rule::kRequired},
      {"data.custody_suit", Rule::kUnknownField},
      {"data.offences", Rule::kWrongType},
      {"data.mode", Rule::kEnumValue},
      {"data.person.noms", Rule::kFormat},
      {"data.person.pnc", Rule::kCheckLetter},
      {"data.person.cro", Rule::kCheckLetter},
      {"data.asn", Rule::kCheckLetter},
      {"time", Rule::kTimeFormat},
      {"time", Rule::kTimeFormat},
      {"type", Rule::kUnknownType},
      {"specversion", Rule::kSpecVersion},
      {"dataversion", Rule::kUnsupportedVersion},
      {"data.offences[0].description", Rule::kTooLong},
      {"data.offences", Rule::kItemCount},
      {"data.level", Rule::kRange},
      {"data.to_prison", Rule::kInconsistent},
      {"data.expected_release_date", Rule::kTimeFormat},
      {"data", Rule::kWrongType},
      {"", Rule::kWrongType},
  };
  const auto lines = testing::ReadLines(testing::SourcePath("tests/data/invalid_events.ndjson"));
  REQUIRE(lines.size() == expected.size());
  EnvelopeParser parser;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto errors = parser.Parse(lines[i]).errors;
    INFO("line " << i + 1 << ": " << JoinErrors(errors));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].path == expected[i].path);
    CHECK(RuleName(errors[0].rule) == RuleName(expected[i].rule));
  }
}

TEST_CASE("docs/events.md is the catalogue the code prints") {
  const std::string docs = testing::ReadFile(testing::SourcePath("docs/events.md"));
  INFO("regenerate with: build/throughline catalogue > docs/events.md");
  CHECK(docs == CatalogueMarkdown());
}

}  // namespace
}  // namespace throughline::events
