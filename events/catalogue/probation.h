// The probation events of the catalogue: licences, community supervision and electronic
// monitoring.

#ifndef THROUGHLINE_EVENTS_CATALOGUE_PROBATION_H_
#define THROUGHLINE_EVENTS_CATALOGUE_PROBATION_H_

#include <optional>
#include <string>
#include <vector>

#include "events/calendar.h"
#include "events/event_type.h"
#include "events/field_spec.h"

namespace throughline::events {

enum class LicenceKind : std::uint8_t {
  kStandard = 1,
  kHomeDetentionCurfew = 2,
  kExtendedSentence = 3,
  kLife = 4,
};
template <>
struct EnumInfo<LicenceKind> {
  static constexpr std::string_view kWhat = "licence";
  static constexpr std::array kValues = {
      EnumValue{LicenceKind::kStandard, "standard"},
      EnumValue{LicenceKind::kHomeDetentionCurfew, "home_detention_curfew"},
      EnumValue{LicenceKind::kExtendedSentence, "extended_sentence"},
      EnumValue{LicenceKind::kLife, "life"},
  };
};

enum class BreachAction : std::uint8_t { kWarning = 1, kRecallRequested = 2, kNoFurtherAction = 3 };
template <>
struct EnumInfo<BreachAction> {
  static constexpr std::string_view kWhat = "breach action";
  static constexpr std::array kValues = {
      EnumValue{BreachAction::kWarning, "warning"},
      EnumValue{BreachAction::kRecallRequested, "recall_requested"},
      EnumValue{BreachAction::kNoFurtherAction, "no_further_action"},
  };
};

enum class RecallKind : std::uint8_t {
  kStandard = 1,
  kFixedTerm14 = 2,
  kFixedTerm28 = 3,
  kFixedTerm56 = 4,
  kHdcCurfewBreach = 5,
};
template <>
struct EnumInfo<RecallKind> {
  static constexpr std::string_view kWhat = "recall";
  static constexpr std::array kValues = {
      EnumValue{RecallKind::kStandard, "standard"},
      EnumValue{RecallKind::kFixedTerm14, "fixed_term_14"},
      EnumValue{RecallKind::kFixedTerm28, "fixed_term_28"},
      EnumValue{RecallKind::kFixedTerm56, "fixed_term_56"},
      EnumValue{RecallKind::kHdcCurfewBreach, "hdc_curfew_breach"},
  };
};

enum class SupervisionKind : std::uint8_t {
  kCommunityOrder = 1,
  kSuspendedSentenceOrder = 2,
  kPostSentenceSupervision = 3,
};
template <>
struct EnumInfo<SupervisionKind> {
  static constexpr std::string_view kWhat = "supervision";
  static constexpr std::array kValues = {
      EnumValue{SupervisionKind::kCommunityOrder, "community_order"},
      EnumValue{SupervisionKind::kSuspendedSentenceOrder, "suspended_sentence_order"},
      EnumValue{SupervisionKind::kPostSentenceSupervision, "post_sentence_supervision"},
  };
};

enum class SupervisionEnd : std::uint8_t {
  kCompleted = 1,
  kRevoked = 2,
  kTerminatedEarly = 3,
  kOther = 4,
};
template <>
struct EnumInfo<SupervisionEnd> {
  static constexpr std::string_view kWhat = "supervision end";
  static constexpr std::array kValues = {
      EnumValue{SupervisionEnd::kCompleted, "completed"},
      EnumValue{SupervisionEnd::kRevoked, "revoked"},
      EnumValue{SupervisionEnd::kTerminatedEarly, "terminated_early"},
      EnumValue{SupervisionEnd::kOther, "other"},
  };
};

enum class TagKind : std::uint8_t { kCurfew = 1, kGps = 2, kAlcohol = 3 };
template <>
struct EnumInfo<TagKind> {
  static constexpr std::string_view kWhat = "electronic monitoring";
  static constexpr std::array kValues = {
      EnumValue{TagKind::kCurfew, "curfew"},
      EnumValue{TagKind::kGps, "gps"},
      EnumValue{TagKind::kAlcohol, "alcohol"},
  };
};

struct LicenceStarted {
  static constexpr TypeInfo kInfo = {EventType::kLicenceStarted,
                                     "licence.started",
                                     1,
                                     Area::kProbation,
                                     DataClass::kGeneral,
                                     "Supervision on licence began after release from custody."};
  std::optional<LicenceKind> kind;
  Date end_date;
  std::string area;
  std::vector<std::string> conditions;

  template <class V>
  static void Fields(V& v) {
    v(&LicenceStarted::kind, {.name = "kind", .doc = "the licence (standard when absent)"});
    v(&LicenceStarted::end_date, {.name = "end_date", .doc = "licence expiry date"});
    v(&LicenceStarted::area,
      {.name = "area", .doc = "probation delivery unit supervising", .format = Format::kName});
    v(&LicenceStarted::conditions, {.name = "conditions", .doc = "licence conditions"});
  }
  bool operator==(const LicenceStarted&) const = default;
};

struct LicenceVaried {
  static constexpr TypeInfo kInfo = {EventType::kLicenceVaried,
                                     "licence.varied",
                                     1,
                                     Area::kProbation,
                                     DataClass::kGeneral,
                                     "Licence conditions or end date were changed."};
  std::vector<std::string> conditions_added;
  std::vector<std::string> conditions_removed;
  std::optional<Date> end_date;

  template <class V>
  static void Fields(V& v) {
    v(&LicenceVaried::conditions_added, {.name = "conditions_added", .doc = "conditions added"});
    v(&LicenceVaried::conditions_removed,
      {.name = "conditions_removed", .doc = "conditions removed"});
    v(&LicenceVaried::end_date, {.name = "end_date", .doc = "new licence expiry date"});
  }
  static void Check(const LicenceVaried& l, CheckContext& c) {
    if (l.conditions_added.empty() && l.conditions_removed.empty() && !l.end_date) {
      c.Fail("", Rule::kRequired,
             "a variation needs conditions_added, conditions_removed or end_date");
    }
  }
  bool operator==(const LicenceVaried&) const = default;
};

struct LicenceBreached {
  static constexpr TypeInfo kInfo = {EventType::kLicenceBreached,
                                     "licence.breached",
                                     1,
                                     Area::kProbation,
                                     DataClass::kGeneral,
                                     "A licence condition was broken."};
  std::optional<std::string> condition;
  std::optional<BreachAction> action;

  template <class V>
  static void Fields(V& v) {
    v(&LicenceBreached::condition, {.name = "condition", .doc = "the condition broken"});
    v(&LicenceBreached::action, {.name = "action", .doc = "what probation did"});
  }
  bool operator==(const LicenceBreached&) const = default;
};

struct LicenceRecalled {
  static constexpr TypeInfo kInfo = {EventType::kLicenceRecalled,
                                     "licence.recalled",
                                     1,
                                     Area::kProbation,
                                     DataClass::kGeneral,
                                     "The person was recalled to custody from licence."};
  RecallKind kind{};
  std::optional<std::string> reason;

  template <class V>
  static void Fields(V& v) {
    v(&LicenceRecalled::kind, {.name = "kind", .doc = "the recall"});
    v(&LicenceRecalled::reason, {.name = "reason", .doc = "why"});
  }
  bool operator==(const LicenceRecalled&) const = default;
};

struct LicenceEnded {
  static constexpr TypeInfo kInfo = {
      EventType::kLicenceEnded, "licence.ended",     1,
      Area::kProbation,         DataClass::kGeneral, "The licence period ended."};
  std::optional<std::string> reason;

  template <class V>
  static void Fields(V& v) {
    v(&LicenceEnded::reason, {.name = "reason", .doc = "why, when not simply expiry"});
  }
  bool operator==(const LicenceEnded&) const = default;
};

struct SupervisionStarted {
  static constexpr TypeInfo kInfo = {EventType::kSupervisionStarted,
                                     "supervision.started",
                                     1,
                                     Area::kProbation,
                                     DataClass::kGeneral,
                                     "Supervision in the community began under an order."};
  SupervisionKind kind{};
  std::string area;
  std::optional<Date> end_date;
  std::vector<std::string> requirements;

  template <class V>
  static void Fields(V& v) {
    v(&SupervisionStarted::kind, {.name = "kind", .doc = "the order"});
    v(&SupervisionStarted::area,
      {.name = "area", .doc = "probation delivery unit supervising", .format = Format::kName});
    v(&SupervisionStarted::end_date, {.name = "end_date", .doc = "when the order ends"});
    v(&SupervisionStarted::requirements,
      {.name = "requirements", .doc = "requirements of the order (unpaid work, curfew, ...)"});
  }
  bool operator==(const SupervisionStarted&) const = default;
};

struct SupervisionEnded {
  static constexpr TypeInfo kInfo = {EventType::kSupervisionEnded,
                                     "supervision.ended",
                                     1,
                                     Area::kProbation,
                                     DataClass::kGeneral,
                                     "Supervision under an order ended."};
  SupervisionKind kind{};
  std::optional<SupervisionEnd> reason;

  template <class V>
  static void Fields(V& v) {
    v(&SupervisionEnded::kind, {.name = "kind", .doc = "the order"});
    v(&SupervisionEnded::reason, {.name = "reason", .doc = "how it ended"});
  }
  bool operator==(const SupervisionEnded&) const = default;
};

struct EmTagFitted {
  static constexpr TypeInfo kInfo = {
      EventType::kEmTagFitted, "em.tag.fitted",     1,
      Area::kProbation,        DataClass::kGeneral, "An electronic monitoring tag was fitted."};
  TagKind kind{};
  std::optional<std::string> provider;

  template <class V>
  static void Fields(V& v) {
    v(&EmTagFitted::kind, {.name = "kind", .doc = "what the tag monitors"});
    v(&EmTagFitted::provider,
      {.name = "provider", .doc = "monitoring provider", .format = Format::kName});
  }
  bool operator==(const EmTagFitted&) const = default;
};

struct EmTagViolation {
  static constexpr TypeInfo kInfo = {EventType::kEmTagViolation,
                                     "em.tag.violation",
                                     1,
                                     Area::kProbation,
                                     DataClass::kGeneral,
                                     "Electronic monitoring recorded a violation."};
  TagKind kind{};
  std::optional<std::string> description;

  template <class V>
  static void Fields(V& v) {
    v(&EmTagViolation::kind, {.name = "kind", .doc = "what the tag monitors"});
    v(&EmTagViolation::description, {.name = "description", .doc = "what happened"});
  }
  bool operator==(const EmTagViolation&) const = default;
};

struct EmTagRemoved {
  static constexpr TypeInfo kInfo = {
      EventType::kEmTagRemoved, "em.tag.removed",    1,
      Area::kProbation,         DataClass::kGeneral, "An electronic monitoring tag was removed."};
  TagKind kind{};
  std::optional<std::string> reason;

  template <class V>
  static void Fields(V& v) {
    v(&EmTagRemoved::kind, {.name = "kind", .doc = "what the tag monitored"});
    v(&EmTagRemoved::reason, {.name = "reason", .doc = "why"});
  }
  bool operator==(const EmTagRemoved&) const = default;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CATALOGUE_PROBATION_H_
