// The probation family: Delius registrations, merged cases, prison numbers matched to cases,
// and OGRS scores.

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/event.h"
#include "tests/events/hmpps/hmpps_messages.h"

namespace throughline::events::hmpps {
namespace {

using testing::Adapt;
using testing::Crn;
using testing::CrnAndNoms;
using testing::FlagAt;
using testing::HmppsEvent;
using testing::Refused;

std::string Registration(const std::string& change, const std::string& type_code,
                         const std::string& more = "") {
  return HmppsEvent(fmt::format("probation-case.registration.{}", change), "2024-09-05T11:00:00Z",
                    Crn("X123456"),
                    fmt::format(R"("registrationId":"2500012345","registerTypeCode":"{}",)"
                                R"("registerTypeDescription":"Register {}",)"
                                R"("registrationDate":"2024-09-05"{})",
                                type_code, type_code, more.empty() ? "" : "," + more));
}

TEST_CASE("registration MAPP: registered, level changed, deregistered") {
  SECTION("added, category and level as M codes, strings or numbers") {
    for (const std::string codes : {R"("registerCategoryCode":"M2","registerLevelCode":"M2")",
                                    R"("registerCategoryCode":"2","registerLevelCode":"2")",
                                    R"("registerCategoryCode":2,"registerLevelCode":2)"}) {
      INFO(codes);
      const Event e = Adapt(Registration("added", "MAPP", codes));
      CHECK(e.source == "hmpps/probation-case");
      CHECK(e.person.crn == "X123456");
      const auto& m = std::get<MappaRegistered>(e.data);
      CHECK(m.category == 2);
      CHECK(m.level == 2);
      CHECK(m.area == "unknown");
      CHECK(FlagAt(e, "data.area") != nullptr);
    }
  }
  SECTION("added, with its area") {
    const Event e = Adapt(Registration("added", "MAPP",
                                       R"("registerCategoryCode":"M1","registerLevelCode":"M3",)"
                                       R"("probationAreaDescription":"Wales")"));
    CHECK(std::get<MappaRegistered>(e.data).area == "Wales");
    CHECK(e.flags.empty());
  }
  SECTION("a category or level that does not exist") {
    auto errors = Refused(
        Registration("added", "MAPP", R"("registerCategoryCode":"M5","registerLevelCode":"M2")"));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].path == "additionalInformation.registerCategoryCode");
    CHECK(errors[0].rule == Rule::kRange);
    errors = Refused(Registration("added", "MAPP", R"("registerCategoryCode":"M1")"));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].path == "additionalInformation.registerLevelCode");
    CHECK(errors[0].rule == Rule::kRequired);
  }
  SECTION("updated") {
    const Event e = Adapt(Registration("updated", "MAPP", R"("registerLevelCode":"M3")"));
    const auto& m = std::get<MappaLevelChanged>(e.data);
    CHECK(m.level == 3);
    CHECK_FALSE(m.category);
  }
  SECTION("deregistered, or deleted") {
    CHECK(Adapt(Registration("deregistered", "MAPP")).type_name() == "mappa.deregistered");
    CHECK(Adapt(Registration("deleted", "MAPP")).type_name() == "mappa.deregistered");
  }
}

TEST_CASE("registration IIOM: adopted and exited") {
  const Event flex = Adapt(Registration("added", "IIOM"));
  CHECK(std::get<IomAdopted>(flex.data).cohort == IomCohort::kFlex);
  CHECK(FlagAt(flex, "data.cohort") != nullptr);
  const Event fixed = Adapt(Registration("added", "IIOM", R"("registerLevelCode":"IOM_FIXED")"));
  CHECK(std::get<IomAdopted>(fixed.data).cohort == IomCohort::kFixed);
  CHECK(FlagAt(fixed, "data.cohort") == nullptr);
  CHECK(Adapt(Registration("deregistered", "IIOM")).type_name() == "iom.exited");
}

TEST_CASE("registration RoSH: the level of risk of serious harm") {
  const auto [code, level] = GENERATE(table<std::string, RiskLevel>({
      {"RLRH", RiskLevel::kLow},
      {"RMRH", RiskLevel::kMedium},
      {"RHRH", RiskLevel::kHigh},
      {"RVHR", RiskLevel::kVeryHigh},
  }));
  INFO(code);
  const Event e = Adapt(Registration("added", code));
  CHECK(std::get<RiskAssessed>(e.data).rosh == level);
  CHECK(Adapt(Registration("deregistered", code)).type_name() == "external");
}

TEST_CASE("Other registers are kept as external, saying which") {
  const Event e = Adapt(Registration("added", "RCCO"));
  CHECK(e.type_name() == "external");
  CHECK(std::get<External>(e.data).note->find("RCCO (Register RCCO)") != std::string::npos);
}

TEST_CASE("merge.completed and unmerge.completed: identity") {
  const Event merged =
      Adapt(HmppsEvent("probation-case.merge.completed", "2024-10-01T09:00:00Z", Crn("X654321"),
                       R"("sourceCRN":"X654321","targetCRN":"X123456")"));
  CHECK(merged.type_name() == "identity.merged");
  CHECK(merged.person.crn == "X123456");
  CHECK(std::get<IdentityMerged>(merged.data).merged.crn == "X654321");

  const Event unmerged =
      Adapt(HmppsEvent("probation-case.unmerge.completed", "2024-10-02T09:00:00Z", Crn("X123456"),
                       R"("unmergedCRN":"X123456","reactivatedCRN":"X654321")"));
  CHECK(unmerged.type_name() == "identity.unmerged");
  CHECK(unmerged.person.crn == "X123456");
  CHECK(std::get<IdentityUnmerged>(unmerged.data).unmerged.crn == "X654321");

  const auto errors = Refused(HmppsEvent("probation-case.merge.completed", "2024-10-01T09:00:00Z",
                                         Crn("X123456"), R"("sourceCRN":"X123456")"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "additionalInformation.sourceCRN");
  CHECK(errors[0].rule == Rule::kInconsistent);
}

TEST_CASE("prison-identifier.added links the CRN to the prison number") {
  const Event e =
      Adapt(HmppsEvent("probation-case.prison-identifier.added", "2024-06-20T10:00:00Z",
                       CrnAndNoms("X123456", "A1234BC"), R"("bookingNumber":"45680A")"));
  CHECK(e.type_name() == "identity.merged");
  CHECK(e.person.crn == "X123456");
  CHECK_FALSE(e.person.noms);
  CHECK(std::get<IdentityMerged>(e.data).merged.noms == "A1234BC");
  const auto errors = Refused(HmppsEvent("probation-case.prison-identifier.added",
                                         "2024-06-20T10:00:00Z", Crn("X123456"), ""));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "personReference.identifiers");
  CHECK(errors[0].rule == Rule::kRequired);
}

TEST_CASE("OGRS scores: risk.assessed when the event carries the score") {
  for (const std::string type : {"risk-assessment.scores.ogrs.determined",
                                 "probation-case.risk-scores.ogrs.manual-calculation"}) {
    INFO(type);
    for (const std::string score : {R"("67")", "67", "67.0", R"(" 67 ")"}) {
      const Event e = Adapt(HmppsEvent(type, "2024-10-05T10:00:00Z", Crn("X123456"),
                                       fmt::format(R"("ogrs2Yr":{})", score)));
      const auto& r = std::get<RiskAssessed>(e.data);
      CHECK(r.ogrs_2yr == 67);
      CHECK_FALSE(r.ogrs_band);
      CHECK(e.flags.empty());
    }
  }
  const std::string type = "risk-assessment.scores.ogrs.determined";
  const Event rounded =
      Adapt(HmppsEvent(type, "2024-10-05T10:00:00Z", Crn("X123456"), R"("twoYears":"67.5")"));
  CHECK(std::get<RiskAssessed>(rounded.data).ogrs_2yr == 68);
  CHECK(FlagAt(rounded, "data.ogrs_2yr") != nullptr);
  const Event unscored = Adapt(HmppsEvent(type, "2024-10-05T10:00:00Z", Crn("X123456"), ""));
  CHECK(unscored.type_name() == "external");
  auto errors =
      Refused(HmppsEvent(type, "2024-10-05T10:00:00Z", Crn("X123456"), R"("ogrs2Yr":"high")"));
  CHECK(errors.at(0).path == "additionalInformation.ogrs2Yr");
  CHECK(errors.at(0).rule == Rule::kWrongType);
  errors = Refused(HmppsEvent(type, "2024-10-05T10:00:00Z", Crn("X123456"), R"("ogrs2Yr":120)"));
  CHECK(errors.at(0).rule == Rule::kRange);
}

}  // namespace
}  // namespace throughline::events::hmpps
