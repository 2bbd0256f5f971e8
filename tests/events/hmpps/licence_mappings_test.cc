// The licence family: Create and Vary a Licence, and recalls.

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/event.h"
#include "tests/events/hmpps/hmpps_messages.h"

namespace throughline::events::hmpps {
namespace {

using testing::Adapt;
using testing::Crn;
using testing::FlagAt;
using testing::HmppsEvent;
using testing::Noms;
using testing::Refused;

std::string Licence(const std::string& what, const std::string& more) {
  return HmppsEvent(fmt::format("create-and-vary-a-licence.{}", what), "2024-09-02T10:30:00+01:00",
                    Crn("X123456"),
                    fmt::format(R"("licenceId":"1234"{})", more.empty() ? "" : "," + more));
}

TEST_CASE("licence.activated: licence.started, when the event carries the end date") {
  for (const std::string date : {"2025-03-01", "01/03/2025"}) {
    const Event e = Adapt(Licence(
        "licence.activated",
        fmt::format(R"("licenceExpiryDate":"{}","probationPduDescription":"Cardiff and Vale")",
                    date)));
    CHECK(e.source == "hmpps/create-and-vary-a-licence");
    const auto& l = std::get<LicenceStarted>(e.data);
    CHECK(FormatDate(l.end_date) == "2025-03-01");
    CHECK(l.area == "Cardiff and Vale");
    CHECK_FALSE(l.kind);
    CHECK(e.flags.empty());
  }
  const Event hdc =
      Adapt(Licence("licence.activated", R"("licenceExpiryDate":"2025-03-01","kind":"HDC")"));
  CHECK(std::get<LicenceStarted>(hdc.data).kind == LicenceKind::kHomeDetentionCurfew);
  CHECK(FlagAt(hdc, "data.area") != nullptr);
  // As published today: the licence id and a link to it, no end date.
  const Event bare = Adapt(Licence("licence.activated", ""));
  CHECK(bare.type_name() == "external");
  CHECK(std::get<External>(bare.data).note->find("end date") != std::string::npos);
  const auto errors =
      Refused(Licence("licence.activated", R"("licenceExpiryDate":"first of March")"));
  CHECK(errors.at(0).path == "additionalInformation.licenceExpiryDate");
  CHECK(errors.at(0).rule == Rule::kTimeFormat);
}

TEST_CASE("licence.inactivated and variation.activated") {
  CHECK(Adapt(Licence("licence.inactivated", "")).type_name() == "licence.ended");
  const Event varied =
      Adapt(Licence("licence.variation.activated", R"("licenceExpiryDate":"2025-06-01")"));
  CHECK(FormatDate(*std::get<LicenceVaried>(varied.data).end_date) == "2025-06-01");
  CHECK(Adapt(Licence("licence.variation.activated", "")).type_name() == "external");
}

TEST_CASE("recall.inserted and enforcement.recall.raised: licence.recalled") {
  const auto [type, kind] = GENERATE(table<std::string, RecallKind>({
      {"LR", RecallKind::kStandard},
      {"FTR_14", RecallKind::kFixedTerm14},
      {"FTR_28", RecallKind::kFixedTerm28},
      {"FTR_56", RecallKind::kFixedTerm56},
      {"FTR_HDC_14", RecallKind::kFixedTerm14},
      {"FTR_HDC_28", RecallKind::kFixedTerm28},
      {"CUR_HDC", RecallKind::kHdcCurfewBreach},
      {"IN_HDC", RecallKind::kHdcCurfewBreach},
  }));
  INFO(type);
  const std::string info =
      fmt::format(R"("recallId":"5a4d2f1e-0c3b-4b2a-9f8e-7d6c5b4a3f21","sentenceIds":["s1","s2"],)"
                  R"("source":"DPS","recallType":"{}","inPrisonOnRevocationDate":"false")",
                  type);
  const Event e =
      Adapt(HmppsEvent("recall.inserted", "2024-11-01T09:00:00Z", Noms("A1234BC"), info));
  CHECK(e.source == "hmpps/remand-and-sentencing");
  CHECK(std::get<LicenceRecalled>(e.data).kind == kind);
  const Event raised =
      Adapt(HmppsEvent("enforcement.recall.raised", "2024-11-01T09:00:00Z", Crn("X123456"), info));
  CHECK(raised.source == "hmpps/enforcement");
  CHECK(std::get<LicenceRecalled>(raised.data).kind == kind);
}

TEST_CASE("A recall that does not say which is standard, flagged, and an unknown one refused") {
  const Event e = Adapt(
      HmppsEvent("recall.inserted", "2024-11-01T09:00:00Z", Noms("A1234BC"), R"("recallId":"r")"));
  CHECK(std::get<LicenceRecalled>(e.data).kind == RecallKind::kStandard);
  CHECK(FlagAt(e, "data.kind") != nullptr);
  const auto errors = Refused(HmppsEvent("recall.inserted", "2024-11-01T09:00:00Z", Noms("A1234BC"),
                                         R"("recallType":"FTR_99")"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "additionalInformation.recallType");
  CHECK(errors[0].rule == Rule::kEnumValue);
}

}  // namespace
}  // namespace throughline::events::hmpps
