// The partnership around a person: OASys risk assessments, IOM, MAPPA, interventions, organised
// crime intelligence, safeguarding concerns and immigration decisions.

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "events/calendar.h"
#include "events/reference_data.h"
#include "tools/generator/lifetime.h"
#include "tools/generator/sim_time.h"

namespace throughline::generator {

namespace {

using events::InterventionKind;
using events::RiskLevel;

// A referral id in the provider's own style: its initials, the year and a serial.
std::string ReferralId(std::string_view source, int year, std::uint32_t serial) {
  std::string prefix;
  const std::string_view slug = source.substr(source.rfind('/') + 1);
  bool start = true;
  for (char c : slug) {
    if (c == '-') {
      start = true;
    } else if (start) {
      prefix += static_cast<char>(c - 'a' + 'A');
      start = false;
    }
  }
  if (prefix.size() == 1)
    prefix = fmt::format("{}{}", prefix, static_cast<char>(slug[1] - 'a' + 'A'));
  return fmt::format("{}-{}-{:06}", prefix, year, serial);
}

}  // namespace

void Lifetime::AssessRisk(std::int64_t t) {
  const int age = Age(t);
  int ogrs = 15 + static_cast<int>(2.5 * std::min(sanctions_, 20));
  ogrs += age < 21 ? 18 : age < 25 ? 12 : age < 35 ? 6 : 0;
  switch (main_group_) {
    case OffenceGroup::kAcquisitive:
      ogrs += 10;
      break;
    case OffenceGroup::kDrugs:
      ogrs += 5;
      break;
    case OffenceGroup::kSexual:
      ogrs -= 10;
      break;
    default:
      break;
  }
  if (female_)
    ogrs -= 5;
  if (activity_ == Activity::kProlific)
    ogrs += 12;
  else if (activity_ == Activity::kRepeat)
    ogrs += 6;
  ogrs = std::clamp(ogrs + static_cast<int>(rng_.Range(-8, 8)), 1, 99);

  RiskLevel rosh;
  const double u = rng_.Uniform();
  switch (main_group_) {
    case OffenceGroup::kSexual:
    case OffenceGroup::kWeapons:
      rosh = u < 0.1 ? RiskLevel::kVeryHigh : u < 0.7 ? RiskLevel::kHigh : RiskLevel::kMedium;
      break;
    case OffenceGroup::kViolence:
    case OffenceGroup::kDomestic:
      rosh = u < 0.03 ? RiskLevel::kVeryHigh : u < 0.35 ? RiskLevel::kHigh : RiskLevel::kMedium;
      break;
    default:
      rosh = u < 0.55 ? RiskLevel::kLow : u < 0.97 ? RiskLevel::kMedium : RiskLevel::kHigh;
      break;
  }
  Body body;
  // OGRS does not apply to sexual offending (OSP does), so it is often left out for them.
  if (main_group_ != OffenceGroup::kSexual || rng_.Chance(0.3))
    body.Int("ogrs_2yr", ogrs).Str("ogrs_band", events::EnumName(events::OgrsBand(ogrs)));
  body.Str("rosh", events::EnumName(rosh));
  probation_known_ = true;
  Emit(t, "risk.assessed", region_.oasys_source, IdPolicy::kProbation, body);
}

void Lifetime::RiskReview(std::int64_t t) {
  const bool supervised =
      licence_.active || custody_.serving ||
      std::any_of(orders_.begin(), orders_.end(), [](const Order& o) { return o.active; });
  if (!supervised)
    return;
  AssessRisk(t);
  Schedule(At(WorkingDay(t + Days(rng_.Range(180, 365))), 11), ActionKind::kRiskReview);
}

void Lifetime::ConsiderIom(std::int64_t t, bool on_release) {
  if (iom_)
    return;
  const bool acquisitive =
      main_group_ == OffenceGroup::kAcquisitive || main_group_ == OffenceGroup::kDrugs;
  bool adopt;
  if (on_release) {
    adopt = (activity_ == Activity::kProlific || (activity_ == Activity::kRepeat && acquisitive)) &&
            rng_.Chance(0.45);
  } else {
    adopt = (ArrestsWithin(t, kYear) >= 3 && acquisitive && rng_.Chance(0.5)) ||
            (activity_ == Activity::kProlific && rng_.Chance(0.15));
  }
  if (!adopt)
    return;
  iom_ = true;
  iom_reviews_ = 0;
  static constexpr double kCohorts[] = {0.65, 0.28, 0.07};
  static constexpr events::IomCohort kCohortValues[] = {
      events::IomCohort::kFixed, events::IomCohort::kFlex, events::IomCohort::kFree};
  static constexpr std::string_view kReasons[] = {
      "Neighbourhood crime: prolific acquisitive offending",
      "Local priority: drug-related offending causing harm to the community",
      "Voluntary: asked for support on release",
  };
  const std::size_t cohort = acquisitive ? rng_.Weighted(kCohorts) : 1 + rng_.Index(2);
  Body body;
  body.Str("cohort", events::EnumName(kCohortValues[cohort]))
      .Str("selection_reason", kReasons[cohort]);
  const std::int64_t at = At(WorkingDay(t + Days(rng_.Range(7, 42))), 13);
  Emit(at, "iom.adopted", HomeForce().iom_source, IdPolicy::kPartnership, body);
  Schedule(at + Months(static_cast<double>(rng_.Range(9, 18))), ActionKind::kIomReview);
}

void Lifetime::IomReview(std::int64_t t) {
  if (!iom_)
    return;
  std::string_view reason;
  if (custody_.serving && custody_.term.release - t > Months(12))
    reason = "Long custodial sentence";
  else if (!custody_.in && ArrestsWithin(t, kYear) == 0)
    reason = "Reduced offending: no arrests for 12 months";
  else if (++iom_reviews_ > 4)
    reason = "Deselected at cohort review";
  else if (rng_.Chance(0.04))
    reason = "Moved out of the area";
  if (reason.empty()) {
    Schedule(t + Months(static_cast<double>(rng_.Range(6, 9))), ActionKind::kIomReview);
    return;
  }
  iom_ = false;
  Body body;
  body.Str("reason", reason);
  Emit(At(WorkingDay(t), 14), "iom.exited", HomeForce().iom_source, IdPolicy::kPartnership, body);
}

void Lifetime::RegisterMappa(std::int64_t t, int category) {
  if (mappa_category_ != 0)
    return;
  const double u = rng_.Uniform();
  int level = 1;
  if (category == 1)
    level = u < 0.8 ? 1 : u < 0.97 ? 2 : 3;
  else if (category == 2)
    level = u < 0.6 ? 1 : u < 0.95 ? 2 : 3;
  else
    level = u < 0.8 ? 2 : 3;
  mappa_category_ = category;
  mappa_level_ = level;
  // Sex offenders' notification lasts years, often longer than the period simulated.
  mappa_until_ = category == 1 ? t + Months(static_cast<double>(rng_.Range(60, 180))) : 0;
  Body body;
  body.Int("category", category).Int("level", level).Str("area", HomeForce().mappa_area);
  Emit(t, "mappa.registered", region_.mappa_source, IdPolicy::kPartnership, body);
  Schedule(t + Months(static_cast<double>(rng_.Range(3, 12))), ActionKind::kMappaReview);
}

void Lifetime::MappaReview(std::int64_t t) {
  if (mappa_category_ == 0)
    return;
  std::string_view reason;
  const bool supervised = licence_.active || custody_.in;
  if (mappa_category_ == 1 && t >= mappa_until_)
    reason = "Notification period ended";
  else if (mappa_category_ == 2 && !supervised)
    reason = "Licence expired";
  else if (mappa_category_ == 3 && rng_.Chance(0.3))
    reason = "Risk reduced: no longer requires multi-agency management";
  const std::int64_t at = At(WorkingDay(t), 11);
  if (!reason.empty()) {
    mappa_category_ = 0;
    mappa_level_ = 0;
    Body body;
    body.Str("reason", reason);
    Emit(at, "mappa.deregistered", region_.mappa_source, IdPolicy::kPartnership, body);
    return;
  }
  if (rng_.Chance(0.35)) {
    const int min = mappa_category_ == 3 ? 2 : 1;
    // Raised for release, lowered once settled in the community.
    const bool raise = custody_.in ? rng_.Chance(0.7) : rng_.Chance(0.25);
    const int level = std::clamp(mappa_level_ + (raise ? 1 : -1), min, 3);
    if (level != mappa_level_) {
      mappa_level_ = level;
      Body body;
      body.Int("level", level);
      Emit(at, "mappa.level_changed", region_.mappa_source, IdPolicy::kPartnership, body);
    }
  }
  Schedule(t + Months(static_cast<double>(rng_.Range(4, 12))), ActionKind::kMappaReview);
}

void Lifetime::Refer(std::int64_t t, InterventionKind kind) {
  const auto providers = region_.ProvidersOf(kind, force_);
  if (providers.empty())
    return;
  const int provider = rng_.Pick(providers);
  const Provider& p = region_.providers[provider];
  const std::int64_t at = At(WorkingDay(t), static_cast<int>(rng_.Range(9, 16)));
  Referral r;
  r.id = ReferralId(p.source, events::YearOf(events::Timestamp{at}), world_.NextReferralSerial());
  r.kind = kind;
  r.provider = provider;
  Body body;
  body.Str("referral_id", r.id).Str("kind", events::EnumName(kind)).Str("provider", p.name);
  Emit(at, "intervention.referred", p.source, IdPolicy::kClient, body);
  referrals_.push_back(std::move(r));
  Schedule(At(WorkingDay(at + Days(rng_.LogUniform(3, 45))), 10), ActionKind::kIntervention, 0,
           static_cast<int>(referrals_.size() - 1));
}

void Lifetime::InterventionStep(std::int64_t t, int index) {
  Referral& r = referrals_[index];
  const Provider& p = region_.providers[r.provider];
  Body body;
  body.Str("referral_id", r.id).Str("kind", events::EnumName(r.kind)).Str("provider", p.name);
  static constexpr std::string_view kExitReasons[] = {
      "Did not engage", "Moved out of the area", "Disengaged after relapse", "Withdrew consent"};
  if (r.stage == 0) {
    if (rng_.Chance(0.83) && !custody_.in) {
      r.stage = 1;
      Emit(t, "intervention.started", p.source, IdPolicy::kClient, body);
      Schedule(At(WorkingDay(t + Days(rng_.LogUniform(21, 200))), 15), ActionKind::kIntervention, 0,
               index);
      return;
    }
  } else if (rng_.Chance(0.64) && !custody_.in) {
    Emit(t, "intervention.completed", p.source, IdPolicy::kClient, body);
    return;
  }
  body.Str("reason", custody_.in ? "Returned to custody" : rng_.Pick(kExitReasons));
  Emit(t, "intervention.exited", p.source, IdPolicy::kClient, body);
}

void Lifetime::LinkOcg(std::int64_t t, int force) {
  const Force& f = region_.forces[force];
  ocg_ref_ = fmt::format("OCG-{}-{:04}", f.abbreviation, rng_.Range(1, 60));
  static constexpr std::string_view kRoles[] = {"street dealer", "runner",     "courier",
                                                "enforcer",      "cultivator", "money launderer",
                                                "principal"};
  static constexpr double kRoleWeights[] = {0.3, 0.2, 0.15, 0.12, 0.1, 0.08, 0.05};
  Body body;
  body.Str("ocg_ref", ocg_ref_).Str("role", kRoles[rng_.Weighted(kRoleWeights)]);
  Emit(t, "intelligence.ocg_linked", f.intelligence_source, IdPolicy::kCourt, body);
  if (rng_.Chance(0.35))
    Schedule(t + Days(rng_.LogUniform(180, 1500)), ActionKind::kOcgUnlink, 0, force);
}

void Lifetime::UnlinkOcg(std::int64_t t) {
  if (ocg_ref_.empty())
    return;
  static constexpr std::string_view kReasons[] = {"No intelligence for 24 months",
                                                  "Group disrupted", "Left the group"};
  Body body;
  body.Str("ocg_ref", ocg_ref_).Str("reason", rng_.Pick(kReasons));
  Emit(t, "intelligence.ocg_unlinked", HomeForce().intelligence_source, IdPolicy::kCourt, body);
  ocg_prone_ = false;  // the ref is kept, so no second link
}

void Lifetime::RaiseConcern(std::int64_t t, int kind, int force) {
  if (++concerns_ > 4)
    return;
  const auto concern = static_cast<events::SafeguardingKind>(kind);
  const events::PoliceForce* police = events::FindPoliceForce(region_.forces[force].code);
  std::string_view raised_by = police != nullptr ? police->name : "Police";
  std::string_view description;
  switch (concern) {
    case events::SafeguardingKind::kCountyLines:
      description = "Found in possession of drugs and cash far from home; phone shows a line";
      break;
    case events::SafeguardingKind::kExploitation:
      raised_by = "Youth Justice Service";
      description = "Believed to be coerced into offending by older associates";
      break;
    case events::SafeguardingKind::kModernSlavery:
      description = "Found working at a cannabis grow; passport held by others";
      break;
    case events::SafeguardingKind::kDomesticAbuse:
      description = "Disclosed abuse by a partner at interview";
      break;
    case events::SafeguardingKind::kChildProtection:
      raised_by = "Children's Services";
      description = "Children in the household at the time of the incident";
      break;
  }
  Body body;
  body.Str("kind", events::EnumName(concern)).Str("raised_by", raised_by);
  body.Str("description", description);
  Emit(t, "safeguarding.concern_raised", HomeForce().mash_sources[la_], IdPolicy::kCourt, body);
}

void Lifetime::SafeguardAtArrest(std::int64_t t, int force, OffenceGroup group) {
  using K = events::SafeguardingKind;
  const int age = Age(t);
  const std::int64_t at = t + Days(rng_.Uniform(1, 14));
  if (group == OffenceGroup::kSupply && age < 25 && rng_.Chance(0.45)) {
    RaiseConcern(at, static_cast<int>(rng_.Chance(0.7) ? K::kCountyLines : K::kExploitation),
                 force);
    if (rng_.Chance(0.5))
      Refer(at + Days(rng_.Uniform(1, 10)), InterventionKind::kExploitationSafeguarding);
  } else if (foreign_ && (group == OffenceGroup::kSupply || group == OffenceGroup::kDrugs) &&
             rng_.Chance(0.3)) {
    RaiseConcern(at, static_cast<int>(K::kModernSlavery), force);
  } else if (female_ && rng_.Chance(0.06)) {
    RaiseConcern(at, static_cast<int>(K::kDomesticAbuse), force);
  } else if (group == OffenceGroup::kDomestic && rng_.Chance(0.08)) {
    RaiseConcern(at, static_cast<int>(K::kChildProtection), force);
  } else if (age < 22 && rng_.Chance(0.02)) {
    RaiseConcern(at, static_cast<int>(K::kExploitation), force);
  }
}

void Lifetime::ForeignNational(std::int64_t t) {
  fno_ = 1;
  home_office_ref_ = fmt::format("{}{:07}", static_cast<char>('B' + index_ % 3),
                                 (static_cast<std::uint64_t>(index_) * 7919 + 104729) % 10'000'000);
  Body body;
  body.Str("status", "foreign_national_offender").Str("reference", home_office_ref_);
  Emit(t, "immigration.status_changed", region_.immigration_source,
       custody_.in ? IdPolicy::kImmigration : IdPolicy::kCourt, body);
}

}  // namespace throughline::generator
