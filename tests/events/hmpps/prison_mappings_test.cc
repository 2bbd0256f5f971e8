// The prison family: prisoner.received, prisoner.released and prisoner.merged as the prison
// producers publish them (every additionalInformation value a string).

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/event.h"
#include "tests/events/hmpps/hmpps_messages.h"

namespace throughline::events::hmpps {
namespace {

using testing::Adapt;
using testing::FlagAt;
using testing::HmppsEvent;
using testing::Noms;
using testing::Refused;

std::string Received(const std::string& reason, const std::string& prison, const std::string& code,
                     const std::string& type = "prison-offender-events.prisoner.received") {
  return HmppsEvent(
      type, "2024-06-14T09:06:52.123+01:00", Noms("A1234BC"),
      fmt::format(R"("nomsNumber":"A1234BC","reason":"{}","details":"ACTIVE IN:ADM-{}",)"
                  R"("currentLocation":"IN_PRISON","prisonId":"{}",)"
                  R"("nomisMovementReasonCode":"{}","currentPrisonStatus":"UNDER_PRISON_CARE")",
                  reason, code, prison, code));
}

std::string Released(const std::string& reason, const std::string& prison,
                     const std::string& code) {
  return HmppsEvent("prison-offender-events.prisoner.released", "2024-09-02T10:15:00+01:00",
                    Noms("A1234BC"),
                    fmt::format(R"("nomsNumber":"A1234BC","reason":"{}","prisonId":"{}",)"
                                R"("nomisMovementReasonCode":"{}",)"
                                R"("currentLocation":"OUTSIDE_PRISON")",
                                reason, prison, code));
}

TEST_CASE("prisoner.received ADMISSION: custody.received, its basis from the movement reason") {
  const Event e = Adapt(Received("ADMISSION", "SWI", "N"));
  CHECK(e.type_name() == "custody.received");
  CHECK(e.source == "hmpps/prison-offender-events");
  CHECK(FormatTimestamp(e.time) == "2024-06-14T08:06:52.123Z");
  CHECK(e.person.noms == "A1234BC");
  const auto& r = std::get<CustodyReceived>(e.data);
  CHECK(r.prison == "SWI");
  CHECK(r.basis == CustodyBasis::kRemand);
  CHECK(e.flags.empty());
  REQUIRE(e.attributes.size() == 1);
  CHECK(e.attributes[0].name == "hmppseventtype");
  CHECK(e.attributes[0].value == "prison-offender-events.prisoner.received");

  const auto [code, basis] = GENERATE(table<std::string, CustodyBasis>({
      {"N", CustodyBasis::kRemand},
      {"V", CustodyBasis::kRemand},
      {"L", CustodyBasis::kRecall},
      {"B", CustodyBasis::kRecall},
      {"Y", CustodyBasis::kRecall},
      {"ETRLR", CustodyBasis::kRecall},
      {"I", CustodyBasis::kSentenced},
      {"26", CustodyBasis::kSentenced},
      {"27", CustodyBasis::kSentenced},
      {"E", CustodyBasis::kImmigration},
  }));
  INFO(code);
  const Event coded = Adapt(Received("ADMISSION", "CFI", code));
  CHECK(std::get<CustodyReceived>(coded.data).basis == basis);
  CHECK(coded.flags.empty());
}

TEST_CASE("prisoner.received: a movement reason that says nothing is remand, flagged") {
  for (const std::string code : {"", "Z", "RECA"}) {
    INFO(code);
    const Event e = Adapt(Received("ADMISSION", "SWI", code));
    CHECK(std::get<CustodyReceived>(e.data).basis == CustodyBasis::kRemand);
    CHECK(FlagAt(e, "data.basis") != nullptr);
  }
}

TEST_CASE("prisoner-offender-search's receptions are receptions too") {
  for (const std::string reason :
       {"NEW_ADMISSION", "READMISSION", "READMISSION_SWITCH_BOOKING", "POST_MERGE_ADMISSION"}) {
    const Event e =
        Adapt(Received(reason, "BWI", "I", "prisoner-offender-search.prisoner.received"));
    CHECK(e.source == "hmpps/prisoner-offender-search");
    CHECK(std::get<CustodyReceived>(e.data).basis == CustodyBasis::kSentenced);
  }
}

TEST_CASE("prisoner.received TRANSFERRED: custody.transferred, from wherever they were") {
  const Event e = Adapt(Received("TRANSFERRED", "CFI", "INT"));
  CHECK(e.type_name() == "custody.transferred");
  CHECK(e.dataversion() == 3);
  const auto& t = std::get<CustodyTransferred>(e.data);
  CHECK_FALSE(t.from_prison);
  CHECK(t.to_prison == "CFI");
  CHECK(t.reason == TransferReason::kOther);
  CHECK(FlagAt(e, "data.reason") != nullptr);
}

TEST_CASE("prisoner.received TEMPORARY_ABSENCE_RETURN: the absence ended") {
  const Event e = Adapt(Received("TEMPORARY_ABSENCE_RETURN", "UPI", "R"));
  const auto& a = std::get<TemporaryAbsenceEnded>(e.data);
  CHECK(a.prison == "UPI");
  CHECK(a.outcome == AbsenceOutcome::kReturned);
}

TEST_CASE("prisoner.received RETURN_FROM_COURT: kept as a court return, custody unchanged") {
  const Event e = Adapt(Received("RETURN_FROM_COURT", "SWI", "CRT"));
  CHECK(e.type_name() == "external");
  CHECK(e.id.ends_with("/external"));
  const auto& x = std::get<External>(e.data);
  CHECK(x.event_type == "prison-offender-events.prisoner.received");
  CHECK(x.note->find("return from court to SWI") != std::string::npos);
  CHECK(std::find(x.information.begin(), x.information.end(),
                  ExternalItem{"reason", "RETURN_FROM_COURT"}) != x.information.end());
}

TEST_CASE("prisoner.released RELEASED: custody.released, why from the movement reason") {
  const auto [code, reason] = GENERATE(table<std::string, ReleaseReason>({
      {"CR", ReleaseReason::kLicence},
      {"ECSL", ReleaseReason::kLicence},
      {"HD", ReleaseReason::kHomeDetentionCurfew},
      {"DE", ReleaseReason::kDeported},
      {"BD", ReleaseReason::kBail},
  }));
  INFO(code);
  const Event e = Adapt(Released("RELEASED", "CFI", code));
  CHECK(e.type_name() == "custody.released");
  const auto& r = std::get<CustodyReleased>(e.data);
  CHECK(r.prison == "CFI");
  CHECK(r.reason == reason);
  CHECK(e.flags.empty());
}

TEST_CASE("prisoner.released RELEASED with a reason the adapter cannot read is flagged") {
  const Event e = Adapt(Released("RELEASED", "CFI", "XYZ"));
  CHECK(std::get<CustodyReleased>(e.data).reason == ReleaseReason::kEndOfSentence);
  REQUIRE(FlagAt(e, "data.reason") != nullptr);
  CHECK(FlagAt(e, "data.reason")->message.find("XYZ") != std::string::npos);
}

TEST_CASE("prisoner.released out on a temporary absence, or to hospital") {
  const Event rotl = Adapt(Released("TEMPORARY_ABSENCE_RELEASE", "UPI", "ROR"));
  CHECK(std::get<TemporaryAbsenceStarted>(rotl.data).kind ==
        AbsenceKind::kResettlementOvernightRelease);
  const Event other = Adapt(Released("TEMPORARY_ABSENCE_RELEASE", "UPI", "C9"));
  CHECK(std::get<TemporaryAbsenceStarted>(other.data).kind == AbsenceKind::kOther);
  CHECK(FlagAt(other, "data.kind") != nullptr);
  const Event hospital = Adapt(Released("RELEASED_TO_HOSPITAL", "PRI", "HP"));
  CHECK(std::get<TemporaryAbsenceStarted>(hospital.data).kind == AbsenceKind::kHospital);
}

TEST_CASE("prisoner.released to court, on transfer or unknown: kept as external") {
  for (const std::string reason : {"SENT_TO_COURT", "TRANSFERRED", "UNKNOWN"}) {
    INFO(reason);
    const Event e = Adapt(Released(reason, "SWI", "INT"));
    CHECK(e.type_name() == "external");
    CHECK(std::get<External>(e.data).note->find("SWI") != std::string::npos);
  }
}

TEST_CASE("A movement the producers do not document goes to the dead letters") {
  auto errors = Refused(Received("ESCAPED", "SWI", "N"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "additionalInformation.reason");
  CHECK(errors[0].rule == Rule::kEnumValue);
  errors = Refused(Received("ADMISSION", "", "N"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "additionalInformation.prisonId");
  CHECK(errors[0].rule == Rule::kRequired);
  // A value the catalogue refuses is reported where the producer wrote it.
  errors = Refused(Received("ADMISSION", "S W I", "N"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "additionalInformation.prisonId");
  CHECK(errors[0].rule == Rule::kFormat);
}

TEST_CASE("An unknown prison code is accepted and flagged, as natively") {
  const Event e = Adapt(Received("ADMISSION", "ZZZ", "N"));
  CHECK(FlagAt(e, "data.prison", Rule::kUnknownReference) != nullptr);
}

TEST_CASE("prisoner.merged: the removed prison number joins the remaining one") {
  const Event e = Adapt(HmppsEvent("prison-offender-events.prisoner.merged",
                                   "2024-08-01T10:00:00+01:00", Noms("A1234BC"),
                                   R"("bookingId":"1208804","nomsNumber":"A1234BC",)"
                                   R"("removedNomsNumber":"B5678CD","reason":"MERGE")"));
  CHECK(e.type_name() == "identity.merged");
  CHECK(e.person.noms == "A1234BC");
  CHECK(std::get<IdentityMerged>(e.data).merged.noms == "B5678CD");
  const auto errors =
      Refused(HmppsEvent("prison-offender-events.prisoner.merged", "2024-08-01T10:00:00+01:00",
                         Noms("A1234BC"), R"("nomsNumber":"A1234BC","removedNomsNumber":"B56")"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "additionalInformation.removedNomsNumber");
  CHECK(errors[0].rule == Rule::kFormat);
}

}  // namespace
}  // namespace throughline::events::hmpps
