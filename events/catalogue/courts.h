// The court events of the catalogue: hearings, convictions and sentences.

#ifndef THROUGHLINE_EVENTS_CATALOGUE_COURTS_H_
#define THROUGHLINE_EVENTS_CATALOGUE_COURTS_H_

#include <optional>
#include <string>
#include <vector>

#include "events/calendar.h"
#include "events/catalogue/common.h"
#include "events/event_type.h"
#include "events/field_spec.h"

namespace throughline::events {

enum class HearingOutcome : std::uint8_t {
  kRemandedInCustody = 1,
  kRemandedOnBail = 2,
  kAdjourned = 3,
  kSentToCrownCourt = 4,
  kCommittedForSentence = 5,
  kCaseClosed = 6,
};
template <>
struct EnumInfo<HearingOutcome> {
  static constexpr std::string_view kWhat = "hearing outcome";
  static constexpr std::array kValues = {
      EnumValue{HearingOutcome::kRemandedInCustody, "remanded_in_custody"},
      EnumValue{HearingOutcome::kRemandedOnBail, "remanded_on_bail"},
      EnumValue{HearingOutcome::kAdjourned, "adjourned"},
      EnumValue{HearingOutcome::kSentToCrownCourt, "sent_to_crown_court"},
      EnumValue{HearingOutcome::kCommittedForSentence, "committed_for_sentence"},
      EnumValue{HearingOutcome::kCaseClosed, "case_closed"},
  };
};

enum class SentenceKind : std::uint8_t {
  kImmediateCustody = 1,
  kSuspended = 2,
  kCommunityOrder = 3,
  kFine = 4,
  kConditionalDischarge = 5,
  kAbsoluteDischarge = 6,
};
template <>
struct EnumInfo<SentenceKind> {
  static constexpr std::string_view kWhat = "sentence";
  static constexpr std::array kValues = {
      EnumValue{SentenceKind::kImmediateCustody, "immediate_custody"},
      EnumValue{SentenceKind::kSuspended, "suspended"},
      EnumValue{SentenceKind::kCommunityOrder, "community_order"},
      EnumValue{SentenceKind::kFine, "fine"},
      EnumValue{SentenceKind::kConditionalDischarge, "conditional_discharge"},
      EnumValue{SentenceKind::kAbsoluteDischarge, "absolute_discharge"},
  };
};

struct CourtHearing {
  static constexpr TypeInfo kInfo = {EventType::kCourtHearing,
                                     "court.hearing",
                                     1,
                                     Area::kCourts,
                                     DataClass::kOffences,
                                     "A hearing in a case, and what the court decided at it."};
  std::string case_id;
  std::string court;
  HearingOutcome outcome{};
  std::optional<Date> next_hearing;

  template <class V>
  static void Fields(V& v) {
    v(&CourtHearing::case_id, {.name = "case_id", .doc = "the case", .format = Format::kId});
    v(&CourtHearing::court, {.name = "court", .doc = "the court", .format = Format::kName});
    v(&CourtHearing::outcome, {.name = "outcome", .doc = "what the court decided"});
    v(&CourtHearing::next_hearing, {.name = "next_hearing", .doc = "date of the next hearing"});
  }
  bool operator==(const CourtHearing&) const = default;
};

struct ConvictionRecorded {
  static constexpr TypeInfo kInfo = {EventType::kConvictionRecorded,
                                     "conviction.recorded",
                                     1,
                                     Area::kCourts,
                                     DataClass::kOffences,
                                     "The person was convicted in a case, of one or more charges."};
  std::string case_id;
  std::optional<std::string> court;
  std::vector<std::string> charge_ids;
  std::vector<Offence> offences;

  template <class V>
  static void Fields(V& v) {
    v(&ConvictionRecorded::case_id, {.name = "case_id", .doc = "the case", .format = Format::kId});
    v(&ConvictionRecorded::court, {.name = "court", .doc = "the court", .format = Format::kName});
    v(&ConvictionRecorded::charge_ids, {.name = "charge_ids",
                                        .doc = "the charges convicted of",
                                        .format = Format::kId,
                                        .min_items = 1,
                                        .max_items = 200});
    v(&ConvictionRecorded::offences,
      {.name = "offences", .doc = "the offences convicted of", .min_items = 1, .max_items = 200});
  }
  bool operator==(const ConvictionRecorded&) const = default;
};

struct SentenceImposed {
  static constexpr TypeInfo kInfo = {EventType::kSentenceImposed,
                                     "sentence.imposed",
                                     1,
                                     Area::kCourts,
                                     DataClass::kOffences,
                                     "A court passed sentence in a case."};
  std::string case_id;
  std::optional<std::string> court;
  SentenceKind kind{};
  std::optional<Period> length;
  std::optional<Date> expected_release_date;
  std::optional<Date> licence_end_date;

  template <class V>
  static void Fields(V& v) {
    v(&SentenceImposed::case_id, {.name = "case_id", .doc = "the case", .format = Format::kId});
    v(&SentenceImposed::court, {.name = "court", .doc = "the court", .format = Format::kName});
    v(&SentenceImposed::kind, {.name = "kind", .doc = "the sentence"});
    v(&SentenceImposed::length,
      {.name = "length", .doc = "ISO 8601 period; required for custody, suspended, community"});
    v(&SentenceImposed::expected_release_date,
      {.name = "expected_release_date", .doc = "immediate custody only"});
    v(&SentenceImposed::licence_end_date,
      {.name = "licence_end_date", .doc = "immediate custody only; not before release"});
  }
  static void Check(const SentenceImposed& s, CheckContext& c);
  bool operator==(const SentenceImposed&) const = default;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CATALOGUE_COURTS_H_
