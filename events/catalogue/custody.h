// The custody events of the catalogue: receptions, transfers, releases and temporary absences.
//
// Version history: in dataversion 1 the prison fields were called `establishment` (and
// `from_establishment` / `to_establishment`); dataversion 2 calls them `prison`, `from_prison`
// and `to_prison`. custody.transferred dataversion 3 makes `from_prison` optional: a prison
// system that publishes the reception at the new prison does not always say where the person
// came from (HMPPS domain events do not), and the fold knows where it held them. The older
// structs stay here for ever, because the log keeps events as they were published;
// upcaster.cc turns them into the current structs on every read.

#ifndef THROUGHLINE_EVENTS_CATALOGUE_CUSTODY_H_
#define THROUGHLINE_EVENTS_CATALOGUE_CUSTODY_H_

#include <optional>
#include <string>

#include "events/calendar.h"
#include "events/event_type.h"
#include "events/field_spec.h"

namespace throughline::events {

enum class CustodyBasis : std::uint8_t {
  kRemand = 1,
  kSentenced = 2,
  kRecall = 3,
  kImmigration = 4
};
template <>
struct EnumInfo<CustodyBasis> {
  static constexpr std::string_view kWhat = "custody basis";
  static constexpr std::array kValues = {
      EnumValue{CustodyBasis::kRemand, "remand"},
      EnumValue{CustodyBasis::kSentenced, "sentenced"},
      EnumValue{CustodyBasis::kRecall, "recall"},
      EnumValue{CustodyBasis::kImmigration, "immigration"},
  };
};

enum class TransferReason : std::uint8_t {
  kAllocation = 1,
  kRecategorisation = 2,
  kSecurity = 3,
  kResettlement = 4,
  kHealthcare = 5,
  kCourtProximity = 6,
  kPopulationManagement = 7,
  kOther = 8,
};
template <>
struct EnumInfo<TransferReason> {
  static constexpr std::string_view kWhat = "transfer reason";
  static constexpr std::array kValues = {
      EnumValue{TransferReason::kAllocation, "allocation"},
      EnumValue{TransferReason::kRecategorisation, "recategorisation"},
      EnumValue{TransferReason::kSecurity, "security"},
      EnumValue{TransferReason::kResettlement, "resettlement"},
      EnumValue{TransferReason::kHealthcare, "healthcare"},
      EnumValue{TransferReason::kCourtProximity, "court_proximity"},
      EnumValue{TransferReason::kPopulationManagement, "population_management"},
      EnumValue{TransferReason::kOther, "other"},
  };
};

enum class ReleaseReason : std::uint8_t {
  kLicence = 1,
  kEndOfSentence = 2,
  kBail = 3,
  kAcquitted = 4,
  kHomeDetentionCurfew = 5,
  kDeported = 6,
  kCourtOrder = 7,
};
template <>
struct EnumInfo<ReleaseReason> {
  static constexpr std::string_view kWhat = "release reason";
  static constexpr std::array kValues = {
      EnumValue{ReleaseReason::kLicence, "licence"},
      EnumValue{ReleaseReason::kEndOfSentence, "end_of_sentence"},
      EnumValue{ReleaseReason::kBail, "bail"},
      EnumValue{ReleaseReason::kAcquitted, "acquitted"},
      EnumValue{ReleaseReason::kHomeDetentionCurfew, "home_detention_curfew"},
      EnumValue{ReleaseReason::kDeported, "deported"},
      EnumValue{ReleaseReason::kCourtOrder, "court_order"},
  };
};

enum class AbsenceKind : std::uint8_t {
  kResettlementDayRelease = 1,
  kResettlementOvernightRelease = 2,
  kChildcareResettlementLeave = 3,
  kSpecialPurposeLicence = 4,
  kHospital = 5,
  kOther = 6,
};
template <>
struct EnumInfo<AbsenceKind> {
  static constexpr std::string_view kWhat = "temporary absence";
  static constexpr std::array kValues = {
      EnumValue{AbsenceKind::kResettlementDayRelease, "resettlement_day_release"},
      EnumValue{AbsenceKind::kResettlementOvernightRelease, "resettlement_overnight_release"},
      EnumValue{AbsenceKind::kChildcareResettlementLeave, "childcare_resettlement_leave"},
      EnumValue{AbsenceKind::kSpecialPurposeLicence, "special_purpose_licence"},
      EnumValue{AbsenceKind::kHospital, "hospital"},
      EnumValue{AbsenceKind::kOther, "other"},
  };
};

enum class AbsenceOutcome : std::uint8_t { kReturned = 1, kFailedToReturn = 2 };
template <>
struct EnumInfo<AbsenceOutcome> {
  static constexpr std::string_view kWhat = "temporary absence outcome";
  static constexpr std::array kValues = {
      EnumValue{AbsenceOutcome::kReturned, "returned"},
      EnumValue{AbsenceOutcome::kFailedToReturn, "failed_to_return"},
  };
};

struct CustodyReceived {
  static constexpr TypeInfo kInfo = {EventType::kCustodyReceived,
                                     "custody.received",
                                     2,
                                     Area::kCustody,
                                     DataClass::kGeneral,
                                     "The person was received into a prison."};
  std::string prison;
  CustodyBasis basis{};

  template <class V>
  static void Fields(V& v) {
    v(&CustodyReceived::prison,
      {.name = "prison", .doc = "prison agency code", .format = Format::kPrisonCode});
    v(&CustodyReceived::basis, {.name = "basis", .doc = "why the person is held"});
  }
  bool operator==(const CustodyReceived&) const = default;
};

struct CustodyReceivedV1 {
  static constexpr TypeInfo kInfo = {EventType::kCustodyReceived,
                                     "custody.received",
                                     1,
                                     Area::kCustody,
                                     DataClass::kGeneral,
                                     "The person was received into a prison."};
  std::string establishment;
  CustodyBasis basis{};

  template <class V>
  static void Fields(V& v) {
    v(&CustodyReceivedV1::establishment,
      {.name = "establishment", .doc = "prison agency code", .format = Format::kPrisonCode});
    v(&CustodyReceivedV1::basis, {.name = "basis", .doc = "why the person is held"});
  }
  bool operator==(const CustodyReceivedV1&) const = default;
};

struct CustodyTransferred {
  static constexpr TypeInfo kInfo = {EventType::kCustodyTransferred,
                                     "custody.transferred",
                                     3,
                                     Area::kCustody,
                                     DataClass::kGeneral,
                                     "The person was moved from one prison to another."};
  std::optional<std::string> from_prison;
  std::string to_prison;
  TransferReason reason{};

  template <class V>
  static void Fields(V& v) {
    v(&CustodyTransferred::from_prison,
      {.name = "from_prison",
       .doc = "prison left; when absent, the prison the person was held in",
       .format = Format::kPrisonCode});
    v(&CustodyTransferred::to_prison,
      {.name = "to_prison", .doc = "prison received into", .format = Format::kPrisonCode});
    v(&CustodyTransferred::reason, {.name = "reason", .doc = "why the person was moved"});
  }
  static void Check(const CustodyTransferred& t, CheckContext& c) {
    if (t.from_prison && *t.from_prison == t.to_prison) {
      c.Fail("to_prison", Rule::kInconsistent, "same as from_prison " + Quote(*t.from_prison));
    }
  }
  bool operator==(const CustodyTransferred&) const = default;
};

struct CustodyTransferredV2 {
  static constexpr TypeInfo kInfo = {EventType::kCustodyTransferred,
                                     "custody.transferred",
                                     2,
                                     Area::kCustody,
                                     DataClass::kGeneral,
                                     "The person was moved from one prison to another."};
  std::string from_prison;
  std::string to_prison;
  TransferReason reason{};

  template <class V>
  static void Fields(V& v) {
    v(&CustodyTransferredV2::from_prison,
      {.name = "from_prison", .doc = "prison left", .format = Format::kPrisonCode});
    v(&CustodyTransferredV2::to_prison,
      {.name = "to_prison", .doc = "prison received into", .format = Format::kPrisonCode});
    v(&CustodyTransferredV2::reason, {.name = "reason", .doc = "why the person was moved"});
  }
  static void Check(const CustodyTransferredV2& t, CheckContext& c) {
    if (t.from_prison == t.to_prison) {
      c.Fail("to_prison", Rule::kInconsistent, "same as from_prison " + Quote(t.from_prison));
    }
  }
  bool operator==(const CustodyTransferredV2&) const = default;
};

struct CustodyTransferredV1 {
  static constexpr TypeInfo kInfo = {EventType::kCustodyTransferred,
                                     "custody.transferred",
                                     1,
                                     Area::kCustody,
                                     DataClass::kGeneral,
                                     "The person was moved from one prison to another."};
  std::string from_establishment;
  std::string to_establishment;
  TransferReason reason{};

  template <class V>
  static void Fields(V& v) {
    v(&CustodyTransferredV1::from_establishment,
      {.name = "from_establishment", .doc = "prison left", .format = Format::kPrisonCode});
    v(&CustodyTransferredV1::to_establishment,
      {.name = "to_establishment", .doc = "prison received into", .format = Format::kPrisonCode});
    v(&CustodyTransferredV1::reason, {.name = "reason", .doc = "why the person was moved"});
  }
  static void Check(const CustodyTransferredV1& t, CheckContext& c) {
    if (t.from_establishment == t.to_establishment) {
      c.Fail("to_establishment", Rule::kInconsistent,
             "same as from_establishment " + Quote(t.from_establishment));
    }
  }
  bool operator==(const CustodyTransferredV1&) const = default;
};

struct CustodyReleased {
  static constexpr TypeInfo kInfo = {
      EventType::kCustodyReleased,       "custody.released", 2, Area::kCustody, DataClass::kGeneral,
      "The person left prison, and why."};
  std::string prison;
  ReleaseReason reason{};

  template <class V>
  static void Fields(V& v) {
    v(&CustodyReleased::prison,
      {.name = "prison", .doc = "prison left", .format = Format::kPrisonCode});
    v(&CustodyReleased::reason, {.name = "reason", .doc = "why the person was released"});
  }
  bool operator==(const CustodyReleased&) const = default;
};

struct CustodyReleasedV1 {
  static constexpr TypeInfo kInfo = {
      EventType::kCustodyReleased,       "custody.released", 1, Area::kCustody, DataClass::kGeneral,
      "The person left prison, and why."};
  std::string establishment;
  ReleaseReason reason{};

  template <class V>
  static void Fields(V& v) {
    v(&CustodyReleasedV1::establishment,
      {.name = "establishment", .doc = "prison left", .format = Format::kPrisonCode});
    v(&CustodyReleasedV1::reason, {.name = "reason", .doc = "why the person was released"});
  }
  bool operator==(const CustodyReleasedV1&) const = default;
};

struct TemporaryAbsenceStarted {
  static constexpr TypeInfo kInfo = {EventType::kTemporaryAbsenceStarted,
                                     "custody.temporary_absence.started",
                                     1,
                                     Area::kCustody,
                                     DataClass::kGeneral,
                                     "The person left prison temporarily (ROTL, hospital)."};
  std::string prison;
  AbsenceKind kind{};
  std::optional<Timestamp> expected_return;

  template <class V>
  static void Fields(V& v) {
    v(&TemporaryAbsenceStarted::prison,
      {.name = "prison", .doc = "prison left", .format = Format::kPrisonCode});
    v(&TemporaryAbsenceStarted::kind, {.name = "kind", .doc = "the absence"});
    v(&TemporaryAbsenceStarted::expected_return,
      {.name = "expected_return", .doc = "RFC 3339 time the person is due back"});
  }
  bool operator==(const TemporaryAbsenceStarted&) const = default;
};

struct TemporaryAbsenceEnded {
  static constexpr TypeInfo kInfo = {EventType::kTemporaryAbsenceEnded,
                                     "custody.temporary_absence.ended",
                                     1,
                                     Area::kCustody,
                                     DataClass::kGeneral,
                                     "A temporary absence ended: the person returned, or did not."};
  std::string prison;
  AbsenceOutcome outcome{};

  template <class V>
  static void Fields(V& v) {
    v(&TemporaryAbsenceEnded::prison,
      {.name = "prison", .doc = "prison returned to", .format = Format::kPrisonCode});
    v(&TemporaryAbsenceEnded::outcome, {.name = "outcome", .doc = "how the absence ended"});
  }
  bool operator==(const TemporaryAbsenceEnded&) const = default;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CATALOGUE_CUSTODY_H_
