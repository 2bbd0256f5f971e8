#include "services/redaction.h"

#include <algorithm>
#include <string_view>

namespace throughline::services {

namespace {

using events::InterventionKind;

DataClass InterventionClass(InterventionKind kind) {
  switch (kind) {
    case InterventionKind::kMentalHealth:
    case InterventionKind::kSubstanceMisuse:
      return DataClass::kHealth;
    case InterventionKind::kExploitationSafeguarding:
      return DataClass::kSafeguarding;
    default:
      return DataClass::kGeneral;
  }
}

// The class of each event type, by the wire name's family, with the exceptions below.
DataClass TypeClass(std::string_view type) {
  // What a person did or is said to have done, and how the courts and risk assessors saw it.
  static constexpr std::string_view kOffences[] = {
      "arrest.recorded",  "charge.recorded",     "charge.disposed",    "out_of_court.disposal",
      "bail.granted",     "bail.breached",       "court.hearing",      "conviction.recorded",
      "sentence.imposed", "licence.breached",    "licence.recalled",   "em.tag.violation",
      "mappa.registered", "mappa.level_changed", "mappa.deregistered", "risk.assessed",
      "iom.adopted",      "iom.exited",
  };
  if (std::find(std::begin(kOffences), std::end(kOffences), type) != std::end(kOffences))
    return DataClass::kOffences;
  if (type.starts_with("intelligence."))
    return DataClass::kIntelligence;
  if (type.starts_with("safeguarding."))
    return DataClass::kSafeguarding;
  return DataClass::kGeneral;
}

}  // namespace

DataClass EventClass(const events::Event& event) {
  if (const auto* d = std::get_if<events::InterventionReferred>(&event.data))
    return InterventionClass(d->kind);
  if (const auto* d = std::get_if<events::InterventionStarted>(&event.data))
    return InterventionClass(d->kind);
  if (const auto* d = std::get_if<events::InterventionCompleted>(&event.data))
    return InterventionClass(d->kind);
  if (const auto* d = std::get_if<events::InterventionExited>(&event.data))
    return InterventionClass(d->kind);
  return TypeClass(event.type_name());
}

events::FieldJson::Omit EventOmit(DataClasses classes) {
  if (Allows(classes, DataClass::kOffences))
    return {};
  return [](std::string_view path) {
    return path == "conditions" || path == "conditions_added" || path == "conditions_removed" ||
           path == "requirements";
  };
}

projections::PersonView RedactView(projections::PersonView view, DataClasses classes) {
  std::erase_if(view.interventions, [&](const projections::Intervention& i) {
    return !Allows(classes, InterventionClass(i.kind));
  });
  return view;
}

events::FieldJson::Omit ViewOmit(DataClasses classes) {
  const bool offences = Allows(classes, DataClass::kOffences);
  const bool intelligence = Allows(classes, DataClass::kIntelligence);
  const bool safeguarding = Allows(classes, DataClass::kSafeguarding);
  if (classes == kAllClasses)
    return {};
  return [=](std::string_view path) {
    // How many events there are, and when the last was, would tell of those hidden.
    if (path == "events" || path == "first_event" || path == "last_event")
      return true;
    if (!offences) {
      static constexpr std::string_view kOffencePaths[] = {
          "counts",
          "bail",
          "sentence",
          "suspended_until",
          "mappa",
          "risk",
          "open_charges",
          "cases",
          "awaiting_sentence",
          "force",
          "iom",
          "licence.conditions",
          "licence.recall_kind",
          "supervision.requirements",
          "flags.electronic_monitoring",
      };
      if (std::find(std::begin(kOffencePaths), std::end(kOffencePaths), path) !=
          std::end(kOffencePaths)) {
        return true;
      }
    }
    if (!intelligence && (path == "flags.ocg_linked" || path == "flags.ocg_refs"))
      return true;
    if (!safeguarding && path == "flags.safeguarding")
      return true;
    return false;
  };
}

DataClasses AlertClasses(const projections::Alert& alert) {
  using projections::AlertRule;
  const auto c = [](DataClass x) { return static_cast<DataClasses>(x); };
  switch (alert.rule) {
    case AlertRule::kFlaggedPersonReceived:
      // It says why the person is flagged: IOM, MAPPA, an organised crime group.
      return c(DataClass::kOffences) | c(DataClass::kIntelligence);
    case AlertRule::kMappaRelease:
    case AlertRule::kRecall:
      return c(DataClass::kOffences);
    case AlertRule::kNoLicenceAfterRelease:
    case AlertRule::kReleaseOverdue:
    case AlertRule::kForeignNationalReleased:
    case AlertRule::kIdentityConflict:
      return c(DataClass::kGeneral);
  }
  return kAllClasses;
}

DataClass CohortClass(CohortKind kind) {
  switch (kind) {
    case CohortKind::kIom:
    case CohortKind::kMappa:
      return DataClass::kOffences;
    case CohortKind::kPrison:
    case CohortKind::kReleases:
    case CohortKind::kLicence:
      return DataClass::kGeneral;
  }
  return DataClass::kOffences;
}

}  // namespace throughline::services
