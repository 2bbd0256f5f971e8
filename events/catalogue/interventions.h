// The intervention events of the catalogue: referrals to, and progress through, the services
// that help a person stop offending.

#ifndef THROUGHLINE_EVENTS_CATALOGUE_INTERVENTIONS_H_
#define THROUGHLINE_EVENTS_CATALOGUE_INTERVENTIONS_H_

#include <optional>
#include <string>

#include "events/event_type.h"
#include "events/field_spec.h"

namespace throughline::events {

enum class InterventionKind : std::uint8_t {
  kSubstanceMisuse = 1,
  kAccommodation = 2,
  kEmploymentTraining = 3,
  kMentalHealth = 4,
  kAccreditedProgramme = 5,
  kCosa = 6,
  kWomensPathfinder = 7,
  kDiversion = 8,
  kFamilySupport = 9,
  kExploitationSafeguarding = 10,
  kDebt = 11,
};
template <>
struct EnumInfo<InterventionKind> {
  static constexpr std::string_view kWhat = "intervention";
  static constexpr std::array kValues = {
      EnumValue{InterventionKind::kSubstanceMisuse, "substance_misuse"},
      EnumValue{InterventionKind::kAccommodation, "accommodation"},
      EnumValue{InterventionKind::kEmploymentTraining, "employment_training"},
      EnumValue{InterventionKind::kMentalHealth, "mental_health"},
      EnumValue{InterventionKind::kAccreditedProgramme, "accredited_programme"},
      EnumValue{InterventionKind::kCosa, "cosa"},
      EnumValue{InterventionKind::kWomensPathfinder, "womens_pathfinder"},
      EnumValue{InterventionKind::kDiversion, "diversion"},
      EnumValue{InterventionKind::kFamilySupport, "family_support"},
      EnumValue{InterventionKind::kExploitationSafeguarding, "exploitation_safeguarding"},
      EnumValue{InterventionKind::kDebt, "debt"},
  };
};

// The fields every intervention event carries; the referral id ties its events together.
struct InterventionDetails {
  std::string referral_id;
  InterventionKind kind{};
  std::optional<std::string> provider;

  template <class V>
  static void Fields(V& v) {
    v(&InterventionDetails::referral_id,
      {.name = "referral_id", .doc = "the referral", .format = Format::kId});
    v(&InterventionDetails::kind, {.name = "kind", .doc = "the intervention"});
    v(&InterventionDetails::provider,
      {.name = "provider", .doc = "who delivers it", .format = Format::kName});
  }
  bool operator==(const InterventionDetails&) const = default;
};

struct InterventionReferred : InterventionDetails {
  static constexpr TypeInfo kInfo = {EventType::kInterventionReferred,
                                     "intervention.referred",
                                     1,
                                     Area::kInterventions,
                                     DataClass::kGeneral,
                                     "The person was referred to an intervention."};
  bool operator==(const InterventionReferred&) const = default;
};

struct InterventionStarted : InterventionDetails {
  static constexpr TypeInfo kInfo = {EventType::kInterventionStarted,
                                     "intervention.started",
                                     1,
                                     Area::kInterventions,
                                     DataClass::kGeneral,
                                     "The person started an intervention."};
  bool operator==(const InterventionStarted&) const = default;
};

struct InterventionCompleted : InterventionDetails {
  static constexpr TypeInfo kInfo = {EventType::kInterventionCompleted,
                                     "intervention.completed",
                                     1,
                                     Area::kInterventions,
                                     DataClass::kGeneral,
                                     "The person completed an intervention."};
  bool operator==(const InterventionCompleted&) const = default;
};

struct InterventionExited : InterventionDetails {
  static constexpr TypeInfo kInfo = {EventType::kInterventionExited,
                                     "intervention.exited",
                                     1,
                                     Area::kInterventions,
                                     DataClass::kGeneral,
                                     "The person left an intervention before completing it."};
  std::optional<std::string> reason;

  template <class V>
  static void Fields(V& v) {
    InterventionDetails::Fields(v);
    v(&InterventionExited::reason, {.name = "reason", .doc = "why"});
  }
  bool operator==(const InterventionExited&) const = default;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CATALOGUE_INTERVENTIONS_H_
