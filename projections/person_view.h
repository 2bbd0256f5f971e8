// PersonView: one person's lifetime in the justice system, as the partners see it.
//
// Folded from the person's events in the order they happened (fold.h). Everything here is a
// function of the set of events, never of the order they arrived in: no log positions, no
// append times. So the same events give the same bytes wherever and whenever they are folded,
// which is what lets `throughline verify` compare a stored view with a fresh fold.
//
// Each struct lists its fields once (events/field_spec.h); that list is the view's stored
// binary form (events/record_codec.h) and its JSON (events/record_json.h). The stored form is
// versioned as a whole by kProjectionVersion (projection_state.h).

#ifndef THROUGHLINE_PROJECTIONS_PERSON_VIEW_H_
#define THROUGHLINE_PROJECTIONS_PERSON_VIEW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/calendar.h"
#include "events/catalogue/common.h"
#include "events/catalogue/courts.h"
#include "events/catalogue/custody.h"
#include "events/catalogue/interventions.h"
#include "events/catalogue/partnership.h"
#include "events/catalogue/police.h"
#include "events/catalogue/probation.h"
#include "events/field_spec.h"
#include "events/identifiers.h"

namespace throughline::projections {

using events::Format;

// Where the person is in their life through the system. Persisted: never renumber.
enum class Stage : std::uint8_t {
  kPreConviction = 1,
  kAwaitingSentence = 2,
  kInCustody = 3,
  kOnLicence = 4,
  kCommunitySupervision = 5,
  kPostSentence = 6,
  kDeceased = 7,
  kRemovedFromUk = 8,
};

}  // namespace throughline::projections

namespace throughline::events {
template <>
struct EnumInfo<projections::Stage> {
  static constexpr std::string_view kWhat = "stage";
  static constexpr std::array kValues = {
      EnumValue{projections::Stage::kPreConviction, "pre_conviction"},
      EnumValue{projections::Stage::kAwaitingSentence, "awaiting_sentence"},
      EnumValue{projections::Stage::kInCustody, "in_custody"},
      EnumValue{projections::Stage::kOnLicence, "on_licence"},
      EnumValue{projections::Stage::kCommunitySupervision, "community_supervision"},
      EnumValue{projections::Stage::kPostSentence, "post_sentence"},
      EnumValue{projections::Stage::kDeceased, "deceased"},
      EnumValue{projections::Stage::kRemovedFromUk, "removed_from_uk"},
  };
};
}  // namespace throughline::events

namespace throughline::projections {

// In prison now.
struct Custody {
  std::string prison;
  events::CustodyBasis basis{};
  events::Timestamp since;           // received into this spell of custody
  bool temporarily_absent = false;   // out on temporary licence, or in hospital
  bool unlawfully_at_large = false;  // did not return from a temporary absence

  template <class V>
  static void Fields(V& v) {
    v(&Custody::prison, {.name = "prison", .doc = "", .format = Format::kPrisonCode});
    v(&Custody::basis, {.name = "basis", .doc = ""});
    v(&Custody::since, {.name = "since", .doc = ""});
    v(&Custody::temporarily_absent, {.name = "temporarily_absent", .doc = ""});
    v(&Custody::unlawfully_at_large, {.name = "unlawfully_at_large", .doc = ""});
  }
  bool operator==(const Custody&) const = default;
};

// One spell in prison, from reception to release.
struct CustodyEpisode {
  events::Timestamp received;
  std::optional<events::Timestamp> released;
  events::CustodyBasis basis{};      // at reception
  std::vector<std::string> prisons;  // in the order the person was held in them
  std::optional<events::ReleaseReason> release_reason;

  template <class V>
  static void Fields(V& v) {
    v(&CustodyEpisode::received, {.name = "received", .doc = ""});
    v(&CustodyEpisode::released, {.name = "released", .doc = ""});
    v(&CustodyEpisode::basis, {.name = "basis", .doc = ""});
    v(&CustodyEpisode::prisons, {.name = "prisons", .doc = "", .max_items = 1000});
    v(&CustodyEpisode::release_reason, {.name = "release_reason", .doc = ""});
  }
  bool operator==(const CustodyEpisode&) const = default;
};

// The counts of the brief, with its definitions.
struct Counts {
  std::int32_t arrests = 0;      // arrests, summonses and voluntary attendances
  std::int32_t charges = 0;      // charge.recorded
  std::int32_t remands = 0;      // hearings remanding in custody or on bail
  std::int32_t court_cases = 0;  // distinct case ids in court
  std::int32_t cautions = 0;     // simple and conditional cautions
  std::int32_t out_of_court_disposals = 0;
  std::int32_t convictions = 0;  // conviction.recorded
  std::int32_t custodial_sentences = 0;
  std::int32_t recalls = 0;
  std::int32_t licence_breaches = 0;
  std::int32_t offences_on_bail = 0;                  // arrests while on bail
  std::int32_t offences_on_licence_or_suspended = 0;  // arrests on licence or a suspended sentence

  template <class V>
  static void Fields(V& v) {
    v(&Counts::arrests, {.name = "arrests", .doc = ""});
    v(&Counts::charges, {.name = "charges", .doc = ""});
    v(&Counts::remands, {.name = "remands", .doc = ""});
    v(&Counts::court_cases, {.name = "court_cases", .doc = ""});
    v(&Counts::cautions, {.name = "cautions", .doc = ""});
    v(&Counts::out_of_court_disposals, {.name = "out_of_court_disposals", .doc = ""});
    v(&Counts::convictions, {.name = "convictions", .doc = ""});
    v(&Counts::custodial_sentences, {.name = "custodial_sentences", .doc = ""});
    v(&Counts::recalls, {.name = "recalls", .doc = ""});
    v(&Counts::licence_breaches, {.name = "licence_breaches", .doc = ""});
    v(&Counts::offences_on_bail, {.name = "offences_on_bail", .doc = ""});
    v(&Counts::offences_on_licence_or_suspended,
      {.name = "offences_on_licence_or_suspended", .doc = ""});
  }
  bool operator==(const Counts&) const = default;
};

struct Bail {
  events::Timestamp since;
  std::optional<events::BailGrantor> granted_by;
  std::optional<std::string> case_id;
  std::optional<events::Date> until;  // answer date; bail lapses after it

  template <class V>
  static void Fields(V& v) {
    v(&Bail::since, {.name = "since", .doc = ""});
    v(&Bail::granted_by, {.name = "granted_by", .doc = ""});
    v(&Bail::case_id, {.name = "case_id", .doc = "", .format = Format::kId});
    v(&Bail::until, {.name = "until", .doc = ""});
  }
  bool operator==(const Bail&) const = default;
};

// The latest sentence.
struct Sentence {
  std::string case_id;
  events::SentenceKind kind{};
  events::Timestamp imposed;
  std::optional<events::Period> length;
  std::optional<events::Date> expected_release_date;
  std::optional<events::Date> licence_end_date;

  template <class V>
  static void Fields(V& v) {
    v(&Sentence::case_id, {.name = "case_id", .doc = "", .format = Format::kId});
    v(&Sentence::kind, {.name = "kind", .doc = ""});
    v(&Sentence::imposed, {.name = "imposed", .doc = ""});
    v(&Sentence::length, {.name = "length", .doc = ""});
    v(&Sentence::expected_release_date, {.name = "expected_release_date", .doc = ""});
    v(&Sentence::licence_end_date, {.name = "licence_end_date", .doc = ""});
  }
  bool operator==(const Sentence&) const = default;
};

struct Licence {
  events::Timestamp since;
  events::LicenceKind kind = events::LicenceKind::kStandard;
  events::Date end_date;
  std::string area;
  std::vector<std::string> conditions;
  bool recalled = false;  // recalled and not yet re-released
  std::optional<events::RecallKind> recall_kind;

  template <class V>
  static void Fields(V& v) {
    v(&Licence::since, {.name = "since", .doc = ""});
    v(&Licence::kind, {.name = "kind", .doc = ""});
    v(&Licence::end_date, {.name = "end_date", .doc = ""});
    v(&Licence::area, {.name = "area", .doc = "", .format = Format::kName});
    v(&Licence::conditions, {.name = "conditions", .doc = "", .max_items = 1000});
    v(&Licence::recalled, {.name = "recalled", .doc = ""});
    v(&Licence::recall_kind, {.name = "recall_kind", .doc = ""});
  }
  bool operator==(const Licence&) const = default;
};

struct Supervision {
  events::Timestamp since;
  events::SupervisionKind kind{};
  std::string area;
  std::optional<events::Date> end_date;
  std::vector<std::string> requirements;

  template <class V>
  static void Fields(V& v) {
    v(&Supervision::since, {.name = "since", .doc = ""});
    v(&Supervision::kind, {.name = "kind", .doc = ""});
    v(&Supervision::area, {.name = "area", .doc = "", .format = Format::kName});
    v(&Supervision::end_date, {.name = "end_date", .doc = ""});
    v(&Supervision::requirements, {.name = "requirements", .doc = "", .max_items = 1000});
  }
  bool operator==(const Supervision&) const = default;
};

struct Mappa {
  std::int32_t category = 0;
  std::int32_t level = 0;
  std::string area;
  events::Timestamp since;

  template <class V>
  static void Fields(V& v) {
    v(&Mappa::category, {.name = "category", .doc = ""});
    v(&Mappa::level, {.name = "level", .doc = ""});
    v(&Mappa::area, {.name = "area", .doc = "", .format = Format::kName});
    v(&Mappa::since, {.name = "since", .doc = ""});
  }
  bool operator==(const Mappa&) const = default;
};

struct Iom {
  events::IomCohort cohort{};
  std::string selection_reason;
  events::Timestamp since;

  template <class V>
  static void Fields(V& v) {
    v(&Iom::cohort, {.name = "cohort", .doc = ""});
    v(&Iom::selection_reason, {.name = "selection_reason", .doc = ""});
    v(&Iom::since, {.name = "since", .doc = ""});
  }
  bool operator==(const Iom&) const = default;
};

struct Risk {
  std::optional<std::int32_t> ogrs_2yr;
  std::optional<events::RiskLevel> ogrs_band;
  std::optional<events::RiskLevel> rosh;
  events::Timestamp assessed;

  template <class V>
  static void Fields(V& v) {
    v(&Risk::ogrs_2yr, {.name = "ogrs_2yr", .doc = ""});
    v(&Risk::ogrs_band, {.name = "ogrs_band", .doc = ""});
    v(&Risk::rosh, {.name = "rosh", .doc = ""});
    v(&Risk::assessed, {.name = "assessed", .doc = ""});
  }
  bool operator==(const Risk&) const = default;
};

struct Flags {
  bool ocg_linked = false;
  std::vector<std::string> ocg_refs;  // sorted
  bool foreign_national = false;
  bool deportation_order = false;                        // an immigration decision has been made
  std::vector<events::SafeguardingKind> safeguarding;    // sorted, distinct
  std::optional<events::TagKind> electronic_monitoring;  // a tag is fitted now

  template <class V>
  static void Fields(V& v) {
    v(&Flags::ocg_linked, {.name = "ocg_linked", .doc = ""});
    v(&Flags::ocg_refs, {.name = "ocg_refs", .doc = "", .max_items = 1000});
    v(&Flags::foreign_national, {.name = "foreign_national", .doc = ""});
    v(&Flags::deportation_order, {.name = "deportation_order", .doc = ""});
    v(&Flags::safeguarding, {.name = "safeguarding", .doc = "", .max_items = 100});
    v(&Flags::electronic_monitoring, {.name = "electronic_monitoring", .doc = ""});
  }
  bool operator==(const Flags&) const = default;
};

// An intervention referred or started, and not yet completed or exited.
struct Intervention {
  std::string referral_id;
  events::InterventionKind kind{};
  std::optional<std::string> provider;
  bool started = false;
  events::Timestamp since;  // referral, then start

  template <class V>
  static void Fields(V& v) {
    v(&Intervention::referral_id, {.name = "referral_id", .doc = "", .format = Format::kId});
    v(&Intervention::kind, {.name = "kind", .doc = ""});
    v(&Intervention::provider, {.name = "provider", .doc = "", .format = Format::kName});
    v(&Intervention::started, {.name = "started", .doc = ""});
    v(&Intervention::since, {.name = "since", .doc = ""});
  }
  bool operator==(const Intervention&) const = default;
};

struct PersonView {
  std::uint64_t person = 0;
  std::vector<events::Identifier> identifiers;  // every one seen on the events, sorted
  Stage stage = Stage::kPreConviction;
  std::optional<Custody> custody;
  Counts counts;
  std::optional<Bail> bail;
  std::optional<Sentence> sentence;
  std::optional<events::Date> suspended_until;  // a suspended sentence runs until then
  std::optional<Licence> licence;
  std::optional<Supervision> supervision;
  std::optional<Mappa> mappa;
  std::optional<Iom> iom;
  std::optional<Risk> risk;
  Flags flags;
  std::vector<Intervention> interventions;       // open ones, by referral id
  std::vector<CustodyEpisode> custody_episodes;  // in time order
  std::vector<std::string> open_charges;         // charged, not yet disposed; sorted
  std::vector<std::string> cases;                // distinct court case ids; sorted
  std::vector<std::string> awaiting_sentence;    // cases convicted and not yet sentenced
  std::vector<events::EventRef> retracted;       // retractions seen, sorted
  std::optional<std::string> force;              // of the last arrest
  std::optional<events::Timestamp> deceased;
  bool removed_from_uk = false;
  std::int32_t events = 0;  // events folded in
  std::optional<events::Timestamp> first_event;
  std::optional<events::Timestamp> last_event;
  // The fold position: (time, source, id) of the last event applied. An event that sorts
  // after it can be applied to this view; any other needs a fresh fold.
  std::string last_source;
  std::string last_id;

  template <class V>
  static void Fields(V& v) {
    v(&PersonView::person, {.name = "person", .doc = ""});
    v(&PersonView::identifiers, {.name = "identifiers", .doc = "", .max_items = 10000});
    v(&PersonView::stage, {.name = "stage", .doc = ""});
    v(&PersonView::custody, {.name = "custody", .doc = ""});
    v(&PersonView::counts, {.name = "counts", .doc = ""});
    v(&PersonView::bail, {.name = "bail", .doc = ""});
    v(&PersonView::sentence, {.name = "sentence", .doc = ""});
    v(&PersonView::suspended_until, {.name = "suspended_until", .doc = ""});
    v(&PersonView::licence, {.name = "licence", .doc = ""});
    v(&PersonView::supervision, {.name = "supervision", .doc = ""});
    v(&PersonView::mappa, {.name = "mappa", .doc = ""});
    v(&PersonView::iom, {.name = "iom", .doc = ""});
    v(&PersonView::risk, {.name = "risk", .doc = ""});
    v(&PersonView::flags, {.name = "flags", .doc = ""});
    v(&PersonView::interventions, {.name = "interventions", .doc = "", .max_items = 10000});
    v(&PersonView::custody_episodes, {.name = "custody_episodes", .doc = "", .max_items = 10000});
    v(&PersonView::open_charges, {.name = "open_charges", .doc = "", .max_items = 60000});
    v(&PersonView::cases, {.name = "cases", .doc = "", .max_items = 60000});
    v(&PersonView::awaiting_sentence, {.name = "awaiting_sentence", .doc = "", .max_items = 60000});
    v(&PersonView::retracted,
      {.name = "retracted", .doc = "", .max_items = 60000, .internal = true});
    v(&PersonView::force, {.name = "force", .doc = "", .format = Format::kForceCode});
    v(&PersonView::deceased, {.name = "deceased", .doc = ""});
    v(&PersonView::removed_from_uk, {.name = "removed_from_uk", .doc = ""});
    v(&PersonView::events, {.name = "events", .doc = ""});
    v(&PersonView::first_event, {.name = "first_event", .doc = ""});
    v(&PersonView::last_event, {.name = "last_event", .doc = ""});
    v(&PersonView::last_source, {.name = "last_source", .doc = "", .internal = true});
    v(&PersonView::last_id, {.name = "last_id", .doc = "", .internal = true});
  }
  bool operator==(const PersonView&) const = default;
};

}  // namespace throughline::projections

#endif  // THROUGHLINE_PROJECTIONS_PERSON_VIEW_H_
