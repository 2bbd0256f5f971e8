// Licences (conditions, breach, recall, variation, end), community and suspended sentence
// orders with their requirements, post-sentence supervision, and electronic monitoring.

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "tools/generator/lifetime.h"
#include "tools/generator/sim_time.h"

namespace throughline::generator {

namespace {

using events::LicenceKind;
using events::RecallKind;
using events::SupervisionEnd;
using events::SupervisionKind;
using events::TagKind;

constexpr std::string_view kStandardConditions[] = {
    "Be of good behaviour and not commit any offence",
    "Keep in touch with the supervising officer as instructed",
    "Receive visits from the supervising officer",
    "Reside permanently at an address approved by the supervising officer",
    "Undertake only work approved by the supervising officer",
    "Not travel outside the United Kingdom without permission",
};
constexpr std::string_view kCurfewCondition =
    "Curfew 19:00 to 07:00 at the approved address, electronically monitored";
constexpr std::string_view kExtraConditions[] = {
    "Attend all appointments with the substance misuse service",
    "Submit to drug testing",
    "Not to contact the victim directly or indirectly",
    "Not to enter the exclusion zone without prior approval",
    "Disclose developing relationships to the supervising officer",
};

// Breach actions: warning, recall requested, no further action.
constexpr double kBreachActions[] = {0.55, 0.35, 0.10};

}  // namespace

void Lifetime::StartLicence(std::int64_t t, LicenceKind kind, bool fresh) {
  const Term& term = custody_.term;
  if (fresh) {
    if (licence_.active) {
      Body ended;
      ended.Str("reason", "Superseded by a new licence");
      Emit(t, "licence.ended", region_.probation_source, IdPolicy::kProbation, ended);
    }
    ++licence_.id;
    licence_.active = true;
    licence_.kind = kind;
    licence_.end = term.sed;
    licence_.pss_end = term.pss_end;
    licence_.conditions.assign(std::begin(kStandardConditions), std::end(kStandardConditions));
    const OffenceGroup g = term.group;
    if (g == OffenceGroup::kSexual) {
      licence_.conditions.push_back("Not to have unsupervised contact with children under 18");
      licence_.conditions.push_back("Disclose developing relationships to the supervising officer");
      if (rng_.Chance(0.5))
        licence_.conditions.push_back("Comply with polygraph examinations");
    }
    if (mappa_level_ >= 2 && rng_.Chance(0.6))
      licence_.conditions.push_back("Reside at approved premises");
    if (g == OffenceGroup::kDomestic || (g == OffenceGroup::kViolence && rng_.Chance(0.4)))
      licence_.conditions.push_back("Not to contact the victim directly or indirectly");
    if (g == OffenceGroup::kAcquisitive || g == OffenceGroup::kDrugs) {
      licence_.conditions.push_back("Attend all appointments with the substance misuse service");
      licence_.conditions.push_back("Submit to drug testing");
    }
    if (kind == LicenceKind::kHomeDetentionCurfew)
      licence_.conditions.push_back(kCurfewCondition);
    Schedule(At(licence_.end, 9), ActionKind::kLicenceEnd, licence_.id);
  } else if (licence_.kind == LicenceKind::kHomeDetentionCurfew) {
    licence_.kind = LicenceKind::kStandard;  // re-released at the end of the curfew period
  }
  ++licence_.phase;
  licence_.recalled = false;
  licence_.hdc = kind == LicenceKind::kHomeDetentionCurfew;
  probation_known_ = true;

  Body body;
  body.Str("kind", events::EnumName(licence_.kind)).Date("end_date", licence_.end);
  body.Str("area", Pdu()).List("conditions", licence_.conditions);
  Emit(t, "licence.started", region_.probation_source, IdPolicy::kProbation, body);

  const std::int64_t span = licence_.end - t;
  double p_breach = 0.15;
  if (activity_ == Activity::kRepeat)
    p_breach = 0.35;
  if (activity_ == Activity::kProlific)
    p_breach = 0.55;
  if (rng_.Chance(fresh ? p_breach : p_breach / 2)) {
    Schedule(t + static_cast<std::int64_t>(rng_.Uniform(0.05, 0.9) * static_cast<double>(span)),
             ActionKind::kLicenceBreach, licence_.phase);
  }
  if (fresh && rng_.Chance(0.12)) {
    Schedule(At(WorkingDay(t + static_cast<std::int64_t>(rng_.Uniform(0.1, 0.8) *
                                                         static_cast<double>(span))),
                14),
             ActionKind::kLicenceVary, licence_.phase);
  }
  if (licence_.hdc) {
    FitTag(t + Days(rng_.Uniform(0.2, 0.4)), TagKind::kCurfew, term.release, true);
    Schedule(At(term.release, 9), ActionKind::kHdcEnd, licence_.phase);
  } else if (fresh &&
             (mappa_level_ >= 2 || (term.group == OffenceGroup::kDomestic && rng_.Chance(0.3)))) {
    FitTag(t + Days(rng_.Uniform(0.2, 0.4)), TagKind::kGps,
           std::min(licence_.end, t + Months(static_cast<double>(rng_.Range(3, 12)))), false);
  }
  if (fresh)
    Schedule(At(WorkingDay(t + Days(rng_.Range(30, 90))), 11), ActionKind::kRiskReview);
}

void Lifetime::LicenceBreach(std::int64_t t) {
  const std::string_view condition =
      rng_.Chance(0.6) ? kStandardConditions[1] : rng_.Pick(licence_.conditions);
  static constexpr events::BreachAction kActions[] = {events::BreachAction::kWarning,
                                                      events::BreachAction::kRecallRequested,
                                                      events::BreachAction::kNoFurtherAction};
  const auto action = kActions[rng_.Weighted(kBreachActions)];
  Body body;
  body.Str("condition", condition).Str("action", events::EnumName(action));
  Emit(t, "licence.breached", region_.probation_source, IdPolicy::kProbation, body);
  if (action == events::BreachAction::kRecallRequested) {
    Recall(t + Days(rng_.Uniform(0.2, 3)), fmt::format("Breach of licence: {}", condition));
  } else if (rng_.Chance(0.35) && licence_.end - t > Days(30)) {
    Schedule(t + Days(rng_.Uniform(14, 120)), ActionKind::kLicenceBreach, licence_.phase);
  }
}

void Lifetime::Recall(std::int64_t t, std::string_view reason) {
  if (!licence_.active || licence_.recalled || custody_.in)
    return;
  RecallKind kind = RecallKind::kStandard;
  if (licence_.hdc) {
    kind = RecallKind::kHdcCurfewBreach;
  } else if (licence_.kind == LicenceKind::kStandard && rng_.Chance(0.55)) {
    if (rng_.Chance(0.1))
      kind = RecallKind::kFixedTerm56;
    else
      kind = custody_.term.months < 12 ? RecallKind::kFixedTerm14 : RecallKind::kFixedTerm28;
  }
  Body body;
  body.Str("kind", events::EnumName(kind)).Str("reason", reason);
  Emit(t, "licence.recalled", region_.probation_source, IdPolicy::kProbation, body);
  licence_.recalled = true;
  ++licence_.phase;
  for (auto& tag : tags_) {
    if (tag.active) {
      tag.active = false;
      Body removed;
      removed.Str("kind", events::EnumName(tag.kind)).Str("reason", "Recalled to custody");
      Emit(t + Days(rng_.Uniform(0.2, 1)), "em.tag.removed", region_.em_source, IdPolicy::kClient,
           removed);
    }
  }
  custody_.recall = kind;
  Receive(t + Days(rng_.LogUniform(0.2, 7)), LocalPrison(force_), events::CustodyBasis::kRecall);
}

void Lifetime::LicenceVary(std::int64_t t) {
  Body body;
  const bool remove = licence_.conditions.size() > 6 && rng_.Chance(0.3);
  if (remove) {
    const std::size_t i = 6 + rng_.Index(licence_.conditions.size() - 6);
    std::array<std::string_view, 1> removed = {licence_.conditions[i]};
    body.List("conditions_removed", removed);
    licence_.conditions.erase(licence_.conditions.begin() + static_cast<std::ptrdiff_t>(i));
  } else {
    const std::string_view added = rng_.Pick(kExtraConditions);
    if (std::find(licence_.conditions.begin(), licence_.conditions.end(), added) !=
        licence_.conditions.end()) {
      return;
    }
    std::array<std::string_view, 1> list = {added};
    body.List("conditions_added", list);
    licence_.conditions.push_back(added);
  }
  Emit(t, "licence.varied", region_.probation_source, IdPolicy::kProbation, body);
}

void Lifetime::HdcEnd(std::int64_t t) {
  if (!licence_.hdc || custody_.in)
    return;
  licence_.hdc = false;
  for (auto& tag : tags_) {
    if (tag.active && tag.hdc) {
      tag.active = false;
      Body removed;
      removed.Str("kind", "curfew").Str("reason", "End of home detention curfew");
      Emit(t, "em.tag.removed", region_.em_source, IdPolicy::kClient, removed);
    }
  }
  std::erase(licence_.conditions, kCurfewCondition);
  Body body;
  std::array<std::string_view, 1> removed = {kCurfewCondition};
  body.List("conditions_removed", removed);
  Emit(t + kHour, "licence.varied", region_.probation_source, IdPolicy::kProbation, body);
}

void Lifetime::LicenceEnd(std::int64_t t) {
  licence_.active = false;
  Body body;
  if (custody_.in)
    body.Str("reason", "Sentence expired in custody");
  Emit(t, "licence.ended", region_.probation_source, IdPolicy::kProbation, body);
  if (custody_.in && custody_.basis == events::CustodyBasis::kRecall) {
    // The recall ends with the sentence; a remand on another case still holds them.
    if (RemandedInCustody())
      HoldOnRemand(t, CustodyState::Waiting::kNothing);
    else
      Released(t, events::ReleaseReason::kEndOfSentence);
  }
  for (std::size_t i = 0; i < tags_.size(); ++i) {
    if (tags_[i].active)
      TagEnd(t, static_cast<int>(i));
  }
  if (licence_.pss_end > t + Days(7) && !custody_.in) {
    StartOrder(At(WorkingDay(t + kDay), 11), SupervisionKind::kPostSentenceSupervision,
               licence_.pss_end, AllOffences()[0]);
  }
  if (mappa_category_ == 2)
    Schedule(t + Days(rng_.Range(1, 30)), ActionKind::kMappaReview);
}

void Lifetime::StartOrder(std::int64_t t, SupervisionKind kind, std::int64_t end,
                          const OffenceInfo& offence) {
  const int index = static_cast<int>(orders_.size());
  orders_.push_back({kind, end, true});
  probation_known_ = true;
  Body body;
  body.Str("kind", events::EnumName(kind)).Str("area", Pdu()).Date("end_date", end);
  enum Requirement {
    kUnpaid,
    kRar,
    kCurfew,
    kDrug,
    kAlcoholTreatment,
    kAbstinence,
    kMental,
    kProgramme
  };
  std::vector<int> chosen;
  if (kind != SupervisionKind::kPostSentenceSupervision) {
    const OffenceGroup g = offence.group;
    const bool acquisitive = g == OffenceGroup::kAcquisitive || g == OffenceGroup::kDrugs;
    const bool violent = g == OffenceGroup::kViolence || g == OffenceGroup::kDomestic;
    if (rng_.Chance(0.55))
      chosen.push_back(kUnpaid);
    if (rng_.Chance(0.6))
      chosen.push_back(kRar);
    if (rng_.Chance(0.2))
      chosen.push_back(kCurfew);
    if (acquisitive && rng_.Chance(0.3))
      chosen.push_back(kDrug);
    if (rng_.Chance(0.06))
      chosen.push_back(kAlcoholTreatment);
    if ((g == OffenceGroup::kMotoring || violent) && rng_.Chance(0.12))
      chosen.push_back(kAbstinence);
    if (rng_.Chance(0.05))
      chosen.push_back(kMental);
    if ((violent || g == OffenceGroup::kSexual) && rng_.Chance(0.35))
      chosen.push_back(kProgramme);
    if (chosen.empty())
      chosen.push_back(kRar);
    std::vector<std::string> text;
    for (int r : chosen) {
      switch (r) {
        case kUnpaid:
          text.push_back(fmt::format("Unpaid work: {} hours", 40 + 20 * rng_.Range(0, 13)));
          break;
        case kRar:
          text.push_back(
              fmt::format("Rehabilitation activity requirement: {} days", 5 * rng_.Range(2, 8)));
          break;
        case kCurfew:
          text.push_back("Curfew requirement: 19:00 to 07:00, electronically monitored");
          break;
        case kDrug:
          text.push_back("Drug rehabilitation requirement: 6 months");
          break;
        case kAlcoholTreatment:
          text.push_back("Alcohol treatment requirement: 6 months");
          break;
        case kAbstinence:
          text.push_back("Alcohol abstinence and monitoring requirement: 90 days");
          break;
        case kMental:
          text.push_back("Mental health treatment requirement");
          break;
        case kProgramme:
          text.push_back(g == OffenceGroup::kSexual
                             ? "Accredited programme requirement: Horizon"
                             : "Accredited programme requirement: Building Better Relationships");
          break;
      }
    }
    body.List("requirements", text);
  }
  Emit(t, "supervision.started", region_.probation_source, IdPolicy::kProbation, body);

  const std::int64_t soon = t + Days(rng_.Uniform(1, 14));
  for (int r : chosen) {
    switch (r) {
      case kCurfew:
        FitTag(t + Days(rng_.Uniform(0.3, 2)), TagKind::kCurfew,
               std::min(end, t + Months(static_cast<double>(rng_.Range(2, 6)))), false);
        break;
      case kAbstinence:
        FitTag(t + Days(rng_.Uniform(0.3, 2)), TagKind::kAlcohol,
               std::min(end, t + Days(rng_.Range(90, 120))), false);
        break;
      case kDrug:
      case kAlcoholTreatment:
        Refer(soon, events::InterventionKind::kSubstanceMisuse);
        break;
      case kMental:
        Refer(soon, events::InterventionKind::kMentalHealth);
        break;
      case kProgramme:
        Refer(soon, events::InterventionKind::kAccreditedProgramme);
        break;
      case kRar: {
        static constexpr events::InterventionKind kActivities[] = {
            events::InterventionKind::kEmploymentTraining, events::InterventionKind::kAccommodation,
            events::InterventionKind::kDebt, events::InterventionKind::kFamilySupport};
        if (rng_.Chance(0.4))
          Refer(soon, rng_.Pick(kActivities));
        if (female_ && rng_.Chance(0.5))
          Refer(soon, events::InterventionKind::kWomensPathfinder);
        break;
      }
      default:
        break;
    }
  }

  // How it ends: completed mostly; revoked after breach; ended early for good progress.
  static constexpr double kFates[] = {0.78, 0.12, 0.06, 0.04};
  const auto fate = static_cast<SupervisionEnd>(rng_.Weighted(kFates) + 1);
  std::int64_t at = end;
  if (fate == SupervisionEnd::kRevoked || fate == SupervisionEnd::kOther)
    at = t + static_cast<std::int64_t>(rng_.Uniform(0.2, 0.8) * static_cast<double>(end - t));
  else if (fate == SupervisionEnd::kTerminatedEarly)
    at = t + (end - t) * 2 / 3;
  Schedule(At(WorkingDay(at), 10), ActionKind::kOrderEnd, 0, index * 8 + static_cast<int>(fate));
  if (kind != SupervisionKind::kPostSentenceSupervision)
    Schedule(At(WorkingDay(t + Days(rng_.Range(20, 60))), 11), ActionKind::kRiskReview);
}

void Lifetime::OrderEnd(std::int64_t t, int arg) {
  Order& order = orders_[arg / 8];
  if (!order.active)
    return;
  order.active = false;
  Body body;
  body.Str("kind", events::EnumName(order.kind))
      .Str("reason", events::EnumName(static_cast<SupervisionEnd>(arg % 8)));
  Emit(t, "supervision.ended", region_.probation_source, IdPolicy::kProbation, body);
}

void Lifetime::EndOrders(std::int64_t t, SupervisionEnd reason) {
  for (std::size_t i = 0; i < orders_.size(); ++i) {
    if (orders_[i].active)
      OrderEnd(t, static_cast<int>(i) * 8 + static_cast<int>(reason));
  }
}

int Lifetime::FitTag(std::int64_t t, TagKind kind, std::int64_t until, bool hdc) {
  const int index = static_cast<int>(tags_.size());
  tags_.push_back({kind, true, hdc});
  Body body;
  body.Str("kind", events::EnumName(kind)).Str("provider", region_.em_provider);
  Emit(t, "em.tag.fitted", region_.em_source, IdPolicy::kClient, body);
  const double p_violation = kind == TagKind::kGps ? 0.2 : 0.3;
  if (rng_.Chance(p_violation) && until > t + kDay) {
    Schedule(t + static_cast<std::int64_t>(rng_.Uniform(0.1, 0.9) * static_cast<double>(until - t)),
             ActionKind::kTagViolation, 0, index);
  }
  // A curfew tag of HDC comes off when the curfew period ends (HdcEnd).
  if (!hdc)
    Schedule(std::max(until, t + kHour), ActionKind::kTagEnd, 0, index);
  return index;
}

void Lifetime::TagViolation(std::int64_t t, int index) {
  Tag& tag = tags_[index];
  if (!tag.active)
    return;
  static constexpr std::string_view kCurfew[] = {"Curfew violation: absent from 23:40 to 02:15",
                                                 "Late home: returned at 20:25",
                                                 "Strap tamper alert"};
  static constexpr std::string_view kGps[] = {"Entered the exclusion zone",
                                              "Device not charged: no location for 9 hours"};
  static constexpr std::string_view kAlcohol[] = {"Alcohol detected", "Strap tamper alert"};
  std::string_view description;
  switch (tag.kind) {
    case TagKind::kCurfew:
      description = rng_.Pick(kCurfew);
      break;
    case TagKind::kGps:
      description = rng_.Pick(kGps);
      break;
    case TagKind::kAlcohol:
      description = rng_.Pick(kAlcohol);
      break;
  }
  Body body;
  body.Str("kind", events::EnumName(tag.kind)).Str("description", description);
  Emit(t, "em.tag.violation", region_.em_source, IdPolicy::kClient, body);
  if (tag.hdc && licence_.hdc && !custody_.in && rng_.Chance(0.4))
    Recall(t + Days(rng_.Uniform(0.5, 3)), "Curfew violations on home detention curfew");
}

void Lifetime::TagEnd(std::int64_t t, int index) {
  Tag& tag = tags_[index];
  if (!tag.active)
    return;
  tag.active = false;
  Body body;
  body.Str("kind", events::EnumName(tag.kind));
  Emit(t, "em.tag.removed", region_.em_source, IdPolicy::kClient, body);
}

}  // namespace throughline::generator
