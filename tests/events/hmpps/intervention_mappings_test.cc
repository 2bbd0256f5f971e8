// The interventions family: referrals sent, ended and concluded.

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
using testing::Refused;

std::string Referral(const std::string& what, const std::string& category,
                     const std::string& more = "") {
  return HmppsEvent(fmt::format("intervention.referral.{}", what), "2024-10-10T10:00:00Z",
                    Crn("X123456"),
                    fmt::format(R"("referralId":"c1a2b3d4-0000-4000-8000-000000000001",)"
                                R"("referralReference":"JS8762AC","contractTypeName":"{}",)"
                                R"("primeProviderName":"Harmony Living"{})",
                                category, more.empty() ? "" : "," + more));
}

TEST_CASE("intervention.referral.sent: referred, of the kind its service names") {
  const auto [category, kind] = GENERATE(table<std::string, InterventionKind>({
      {"Accommodation", InterventionKind::kAccommodation},
      {"Education, Training and Employment", InterventionKind::kEmploymentTraining},
      {"Women's Services", InterventionKind::kWomensPathfinder},
      {"Finance, Benefit and Debt", InterventionKind::kDebt},
      {"Dependency and Recovery", InterventionKind::kSubstanceMisuse},
      {"Emotional Wellbeing", InterventionKind::kMentalHealth},
      {"Family and Significant Others", InterventionKind::kFamilySupport},
  }));
  INFO(category);
  const Event e = Adapt(Referral("sent", category));
  CHECK(e.source == "hmpps/interventions");
  const auto& r = std::get<InterventionReferred>(e.data);
  CHECK(r.referral_id == "c1a2b3d4-0000-4000-8000-000000000001");
  CHECK(r.kind == kind);
  CHECK(r.provider == "Harmony Living");
}

TEST_CASE("intervention.referral.ended and concluded") {
  const Event ended = Adapt(Referral("ended", "Accommodation", R"("endReason":"Moved away")"));
  CHECK(std::get<InterventionExited>(ended.data).reason == "Moved away");
  const Event completed =
      Adapt(Referral("concluded", "Accommodation", R"("deliveryState":"COMPLETED")"));
  CHECK(completed.type_name() == "intervention.completed");
  const Event cut_short =
      Adapt(Referral("concluded", "Accommodation", R"("deliveryState":"PREMATURELY_ENDED")"));
  CHECK(cut_short.type_name() == "intervention.exited");
  const Event unsaid = Adapt(Referral("concluded", "Accommodation"));
  CHECK(unsaid.type_name() == "intervention.completed");
  CHECK(FlagAt(unsaid, "data") != nullptr);
}

TEST_CASE("A service the catalogue has no kind for is kept, a referral with no id refused") {
  CHECK(Adapt(Referral("sent", "Personal Wellbeing")).type_name() == "external");
  const auto errors = Refused(HmppsEvent("intervention.referral.sent", "2024-10-10T10:00:00Z",
                                         Crn("X123456"), R"("contractTypeName":"Accommodation")"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "additionalInformation.referralId");
}

}  // namespace
}  // namespace throughline::events::hmpps
