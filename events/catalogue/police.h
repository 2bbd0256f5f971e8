// The police events of the catalogue: arrests, charges and their outcomes, disposals out of
// court, and bail.

#ifndef THROUGHLINE_EVENTS_CATALOGUE_POLICE_H_
#define THROUGHLINE_EVENTS_CATALOGUE_POLICE_H_

#include <optional>
#include <string>
#include <vector>

#include "events/calendar.h"
#include "events/catalogue/common.h"
#include "events/event_type.h"
#include "events/field_spec.h"

namespace throughline::events {

enum class ArrestMode : std::uint8_t { kArrest = 1, kSummons = 2, kVoluntaryAttendance = 3 };
template <>
struct EnumInfo<ArrestMode> {
  static constexpr std::string_view kWhat = "arrest mode";
  static constexpr std::array kValues = {
      EnumValue{ArrestMode::kArrest, "arrest"},
      EnumValue{ArrestMode::kSummons, "summons"},
      EnumValue{ArrestMode::kVoluntaryAttendance, "voluntary_attendance"},
  };
};

enum class ChargeOutcome : std::uint8_t {
  kConvicted = 1,
  kAcquitted = 2,
  kWithdrawn = 3,
  kDiscontinued = 4,
  kDismissed = 5,
  kNoFurtherAction = 6,
};
template <>
struct EnumInfo<ChargeOutcome> {
  static constexpr std::string_view kWhat = "charge outcome";
  static constexpr std::array kValues = {
      EnumValue{ChargeOutcome::kConvicted, "convicted"},
      EnumValue{ChargeOutcome::kAcquitted, "acquitted"},
      EnumValue{ChargeOutcome::kWithdrawn, "withdrawn"},
      EnumValue{ChargeOutcome::kDiscontinued, "discontinued"},
      EnumValue{ChargeOutcome::kDismissed, "dismissed"},
      EnumValue{ChargeOutcome::kNoFurtherAction, "no_further_action"},
  };
};

enum class DisposalKind : std::uint8_t {
  kCaution = 1,
  kConditionalCaution = 2,
  kCommunityResolution = 3,
  kPenaltyNotice = 4,
  kDiversion = 5,
};
template <>
struct EnumInfo<DisposalKind> {
  static constexpr std::string_view kWhat = "out-of-court disposal";
  static constexpr std::array kValues = {
      EnumValue{DisposalKind::kCaution, "caution"},
      EnumValue{DisposalKind::kConditionalCaution, "conditional_caution"},
      EnumValue{DisposalKind::kCommunityResolution, "community_resolution"},
      EnumValue{DisposalKind::kPenaltyNotice, "penalty_notice"},
      EnumValue{DisposalKind::kDiversion, "diversion"},
  };
};

enum class BailGrantor : std::uint8_t { kPolice = 1, kCourt = 2 };
template <>
struct EnumInfo<BailGrantor> {
  static constexpr std::string_view kWhat = "bail grantor";
  static constexpr std::array kValues = {
      EnumValue{BailGrantor::kPolice, "police"},
      EnumValue{BailGrantor::kCourt, "court"},
  };
};

struct ArrestRecorded {
  static constexpr TypeInfo kInfo = {
      EventType::kArrestRecorded,
      "arrest.recorded",
      1,
      Area::kPolice,
      DataClass::kOffences,
      "A person was arrested, summonsed, or attended voluntarily for interview."};
  ArrestMode mode{};
  std::string force;
  std::optional<std::string> asn;
  std::vector<Offence> offences;
  std::optional<std::string> custody_suite;

  template <class V>
  static void Fields(V& v) {
    v(&ArrestRecorded::mode, {.name = "mode", .doc = "how the person came to the police"});
    v(&ArrestRecorded::force,
      {.name = "force", .doc = "police force", .format = Format::kForceCode});
    v(&ArrestRecorded::asn,
      {.name = "asn", .doc = "Arrest/Summons Number", .format = Format::kAsn});
    v(&ArrestRecorded::offences,
      {.name = "offences", .doc = "offences suspected", .min_items = 1, .max_items = 200});
    v(&ArrestRecorded::custody_suite,
      {.name = "custody_suite", .doc = "custody suite", .format = Format::kName});
  }
  bool operator==(const ArrestRecorded&) const = default;
};

struct ChargeRecorded {
  static constexpr TypeInfo kInfo = {EventType::kChargeRecorded,
                                     "charge.recorded",
                                     1,
                                     Area::kPolice,
                                     DataClass::kOffences,
                                     "One charge laid against a person; one event per charge."};
  std::string charge_id;
  std::string case_id;
  Offence offence;
  std::optional<std::string> force;
  std::optional<std::string> asn;

  template <class V>
  static void Fields(V& v) {
    v(&ChargeRecorded::charge_id,
      {.name = "charge_id", .doc = "the charge", .format = Format::kId});
    v(&ChargeRecorded::case_id,
      {.name = "case_id", .doc = "the prosecution case it belongs to", .format = Format::kId});
    v(&ChargeRecorded::offence, {.name = "offence", .doc = "the offence charged"});
    v(&ChargeRecorded::force,
      {.name = "force", .doc = "charging force", .format = Format::kForceCode});
    v(&ChargeRecorded::asn,
      {.name = "asn", .doc = "Arrest/Summons Number", .format = Format::kAsn});
  }
  bool operator==(const ChargeRecorded&) const = default;
};

struct ChargeDisposed {
  static constexpr TypeInfo kInfo = {EventType::kChargeDisposed,
                                     "charge.disposed",
                                     1,
                                     Area::kPolice,
                                     DataClass::kOffences,
                                     "A charge reached its final outcome."};
  std::string charge_id;
  std::optional<std::string> case_id;
  ChargeOutcome outcome{};

  template <class V>
  static void Fields(V& v) {
    v(&ChargeDisposed::charge_id,
      {.name = "charge_id", .doc = "the charge", .format = Format::kId});
    v(&ChargeDisposed::case_id, {.name = "case_id", .doc = "the case", .format = Format::kId});
    v(&ChargeDisposed::outcome, {.name = "outcome", .doc = "how the charge ended"});
  }
  bool operator==(const ChargeDisposed&) const = default;
};

struct OutOfCourtDisposal {
  static constexpr TypeInfo kInfo = {EventType::kOutOfCourtDisposal,
                                     "out_of_court.disposal",
                                     1,
                                     Area::kPolice,
                                     DataClass::kOffences,
                                     "An offence dealt with without prosecution."};
  DisposalKind kind{};
  Offence offence;
  std::optional<std::string> force;
  std::vector<std::string> conditions;

  template <class V>
  static void Fields(V& v) {
    v(&OutOfCourtDisposal::kind, {.name = "kind", .doc = "the disposal"});
    v(&OutOfCourtDisposal::offence, {.name = "offence", .doc = "the offence"});
    v(&OutOfCourtDisposal::force,
      {.name = "force", .doc = "police force", .format = Format::kForceCode});
    v(&OutOfCourtDisposal::conditions,
      {.name = "conditions", .doc = "conditions attached (conditional caution)"});
  }
  bool operator==(const OutOfCourtDisposal&) const = default;
};

struct BailGranted {
  static constexpr TypeInfo kInfo = {EventType::kBailGranted,
                                     "bail.granted",
                                     1,
                                     Area::kPolice,
                                     DataClass::kGeneral,
                                     "The person was released on bail, by the police or a court."};
  BailGrantor granted_by{};
  std::optional<std::string> case_id;
  std::optional<Date> until;
  std::vector<std::string> conditions;

  template <class V>
  static void Fields(V& v) {
    v(&BailGranted::granted_by, {.name = "granted_by", .doc = "who granted bail"});
    v(&BailGranted::case_id, {.name = "case_id", .doc = "the case", .format = Format::kId});
    v(&BailGranted::until, {.name = "until", .doc = "date to answer bail or next appear"});
    v(&BailGranted::conditions, {.name = "conditions", .doc = "bail conditions"});
  }
  bool operator==(const BailGranted&) const = default;
};

struct BailBreached {
  static constexpr TypeInfo kInfo = {
      EventType::kBailBreached,      "bail.breached", 1, Area::kPolice, DataClass::kGeneral,
      "A bail condition was broken."};
  std::optional<std::string> case_id;
  std::optional<std::string> condition;

  template <class V>
  static void Fields(V& v) {
    v(&BailBreached::case_id, {.name = "case_id", .doc = "the case", .format = Format::kId});
    v(&BailBreached::condition, {.name = "condition", .doc = "the condition broken"});
  }
  bool operator==(const BailBreached&) const = default;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CATALOGUE_POLICE_H_
