// The interventions family: referrals to Commissioned Rehabilitative Services, from
// hmpps-interventions.
//
//   intervention.referral.sent:
//     additionalInformation: {"referralId": "...", "contractTypeName": "Accommodation",
//                             "primeProviderName": "...", ...}

#include <algorithm>

#include <fmt/format.h>

#include "events/hmpps/mapping.h"

namespace throughline::events::hmpps {

namespace {

// The catalogue's kind of a service category, by the words its name uses.
std::optional<std::string_view> KindOf(std::string_view category) {
  static constexpr std::pair<std::string_view, std::string_view> kWords[] = {
      {"ACCOMMODATION", "accommodation"},
      {"EMPLOYMENT", "employment_training"},
      {"EDUCATION", "employment_training"},
      {"TRAINING", "employment_training"},
      {"WOMEN", "womens_pathfinder"},
      {"FINANCE", "debt"},
      {"DEBT", "debt"},
      {"BENEFIT", "debt"},
      {"DEPENDENCY", "substance_misuse"},
      {"RECOVERY", "substance_misuse"},
      {"SUBSTANCE", "substance_misuse"},
      {"EMOTIONAL", "mental_health"},
      {"MENTAL", "mental_health"},
      {"FAMILY", "family_support"},
      {"ACCREDITED", "accredited_programme"},
  };
  const std::string code = CodeOf(category);
  for (const auto& [word, kind] : kWords) {
    if (code.find(word) != std::string::npos)
      return kind;
  }
  return std::nullopt;
}

// The fields every intervention event has; false when the event is kept or failed instead.
bool Details(const DomainEvent& e, Mapping& m, std::string_view type) {
  const InfoValue* referral = m.Require("referralId");
  if (referral == nullptr)
    return false;
  const InfoValue* category =
      e.Info({"contractTypeName", "serviceCategoryName", "serviceCategory", "interventionType"});
  const auto kind = category ? KindOf(category->text) : std::nullopt;
  if (!kind) {
    m.KeepExternal(category ? fmt::format("the service {} is not a kind of intervention the "
                                          "catalogue holds",
                                          Quote(category->text))
                            : std::string("the referral does not say what the intervention is"));
    return false;
  }
  m.To(type);
  m.Text("referral_id", referral->text, PathOf(*referral));
  m.Text("kind", *kind, PathOf(*category));
  if (const InfoValue* provider = e.Info({"primeProviderName", "serviceProviderName"}))
    m.Text("provider", provider->text, PathOf(*provider));
  return true;
}

void Sent(const DomainEvent& e, Mapping& m) { Details(e, m, "intervention.referred"); }

void Ended(const DomainEvent& e, Mapping& m) {
  if (!Details(e, m, "intervention.exited"))
    return;
  const InfoValue* why = e.Info({"endReason", "cancellationReason", "reason"});
  m.Text("reason", why ? why->text : "ended early", why ? PathOf(*why) : std::string());
}

// Concluded: delivered in full, or ended before it was.
void Concluded(const DomainEvent& e, Mapping& m) {
  const InfoValue* state = e.Info("deliveryState");
  const std::string code = state ? CodeOf(state->text) : std::string();
  if (state == nullptr || code == "COMPLETED") {
    if (!Details(e, m, "intervention.completed"))
      return;
    if (state == nullptr)
      m.Inferred("", "the event does not say how the referral concluded; recorded as completed");
    return;
  }
  if (!Details(e, m, "intervention.exited"))
    return;
  m.Text("reason", fmt::format("concluded: {}", state->text), PathOf(*state));
}

constexpr TypeMapping kInterventions[] = {
    {"intervention.referral.sent", "interventions", &Sent},
    {"intervention.referral.ended", "interventions", &Ended},
    {"intervention.referral.concluded", "interventions", &Concluded},
};

}  // namespace

std::span<const TypeMapping> InterventionMappings() { return kInterventions; }

}  // namespace throughline::events::hmpps
