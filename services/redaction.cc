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

}  // namespace

DataClass EventClass(const events::Event& event) {
  // The catalogue's class of the type (docs/events.md), made finer for interventions: the
  // kind says whether it is a health or safeguarding matter.
  if (const auto* d = std::get_if<events::InterventionReferred>(&event.data))
    return InterventionClass(d->kind);
  if (const auto* d = std::get_if<events::InterventionStarted>(&event.data))
    return InterventionClass(d->kind);
  if (const auto* d = std::get_if<events::InterventionCompleted>(&event.data))
    return InterventionClass(d->kind);
  if (const auto* d = std::get_if<events::InterventionExited>(&event.data))
    return InterventionClass(d->kind);
  return event.info().data_class;
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
      // What the offences-class events make of the view (arrests, charges, courts, sentences,
      // risk); and licence conditions and order requirements, which tell of the offence.
      static constexpr std::string_view kOffencePaths[] = {
          "counts",
          "sentence",
          "suspended_until",
          "risk",
          "open_charges",
          "cases",
          "awaiting_sentence",
          "force",
          "licence.conditions",
          "supervision.requirements",
          "iom.selection_reason",
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
  switch (alert.rule) {
    case AlertRule::kFlaggedPersonReceived:
      // It says why the person is flagged, an organised crime group among the reasons.
      return Bit(DataClass::kIntelligence);
    case AlertRule::kMappaRelease:
    case AlertRule::kRecall:
    case AlertRule::kNoLicenceAfterRelease:
    case AlertRule::kReleaseOverdue:
    case AlertRule::kForeignNationalReleased:
    case AlertRule::kIdentityConflict:
      return Bit(DataClass::kGeneral);
  }
  return kAllClasses;
}

DataClass CohortClass(CohortKind) {
  // As the catalogue classes IOM and MAPPA events: who is managed, and how, is general.
  return DataClass::kGeneral;
}

}  // namespace throughline::services
