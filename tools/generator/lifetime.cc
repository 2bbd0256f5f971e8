// The person, their arrests, identity corrections and death; the dispatch of every step.

#include "tools/generator/lifetime.h"

#include <algorithm>
#include <array>

#include "events/calendar.h"
#include "events/reference_data.h"
#include "tools/generator/sim_time.h"

namespace throughline::generator {

namespace {

using events::ArrestMode;

// Offence groups by sex, in OffenceGroup order: acquisitive, violence, domestic, sexual, drugs,
// supply, weapons, public order, motoring, other.
constexpr std::array<double, kOffenceGroups> kMenGroups = {0.25, 0.20, 0.09, 0.03, 0.10,
                                                           0.05, 0.05, 0.12, 0.10, 0.01};
constexpr std::array<double, kOffenceGroups> kWomenGroups = {0.40, 0.17, 0.05, 0.004, 0.10,
                                                             0.03, 0.02, 0.12, 0.10,  0.006};

// Arrests happen at all hours, most in the afternoon and evening.
constexpr std::array<double, 24> kArrestHours = {4, 3, 2, 2, 1, 1, 2, 3, 4, 5, 6, 6,
                                                 6, 6, 7, 7, 7, 7, 7, 7, 7, 6, 5, 5};

constexpr std::uint64_t kOpeningStream = 0x6f70656e696e6731ULL;

}  // namespace

Lifetime::Opening Lifetime::Open(const LifetimeOptions& options, std::uint32_t index,
                                 std::int64_t start, std::int64_t end) {
  Rng rng(options.seed ^ kOpeningStream, index);
  Opening o;
  const double u = rng.Uniform();
  o.activity = u < 0.55   ? Activity::kOnce
               : u < 0.82 ? Activity::kOccasional
               : u < 0.96 ? Activity::kRepeat
                          : Activity::kProlific;
  o.legacy = rng.Chance(0.03);
  const double span = static_cast<double>(end - start);
  double at;
  if (o.legacy) {
    at = static_cast<double>(Days(rng.Uniform(0, 60)));
  } else if (o.activity == Activity::kProlific) {
    // The prolific are known for years: most were active when the period began.
    at = span * rng.Uniform(0, 0.35);
  } else {
    at = span * rng.Uniform(0, 0.97);
  }
  const std::int64_t day = DayOf(start + static_cast<std::int64_t>(at));
  o.first = day + static_cast<std::int64_t>(rng.Weighted(kArrestHours)) * kHour +
            rng.Range(0, 59) * kMinute;
  return o;
}

std::int64_t Lifetime::FirstStep(const LifetimeOptions& options, std::uint32_t index,
                                 std::int64_t start, std::int64_t end) {
  return Open(options, index, start, end).first;
}

Lifetime::Lifetime(World& world, const Region& region, const LifetimeOptions& options,
                   std::uint32_t index)
    : world_(world), region_(region), options_(options), index_(index), rng_(options.seed, index) {
  Profile(Open(options, index, world.start(), world.end()));
  ids_ = MakePersonIds(options.seed, index, pnc_year_, has_cro_);
}

void Lifetime::Profile(const Opening& opening) {
  activity_ = opening.activity;
  legacy_ = opening.legacy;
  first_ = opening.first;
  female_ = rng_.Chance(legacy_ ? 0.04 : 0.16);
  std::vector<double> shares;
  for (const auto& f : region_.forces)
    shares.push_back(f.share);
  force_ = static_cast<int>(rng_.Weighted(shares));
  pdu_ = static_cast<int>(rng_.Index(HomeForce().pdus.size()));
  la_ = static_cast<int>(rng_.Index(HomeForce().local_authorities.size()));
  foreign_ = rng_.Chance(female_ ? 0.03 : 0.065);
  switch (activity_) {
    case Activity::kOnce:
      rate_ = 0;
      break;
    case Activity::kOccasional:
      rate_ = 0.3;
      break;
    case Activity::kRepeat:
      rate_ = 1.0;
      break;
    case Activity::kProlific:
      rate_ = rng_.Uniform(3.5, 7.5);
      break;
  }
  const auto& weights = female_ ? kWomenGroups : kMenGroups;
  main_group_ = static_cast<OffenceGroup>(rng_.Weighted(weights));
  if (activity_ == Activity::kProlific && rng_.Chance(0.7))
    main_group_ = OffenceGroup::kAcquisitive;
  if (legacy_) {
    constexpr OffenceGroup kLong[] = {OffenceGroup::kViolence, OffenceGroup::kSexual,
                                      OffenceGroup::kSupply, OffenceGroup::kAcquisitive};
    main_group_ = rng_.Pick(kLong);
  }

  const double age = 18 +
                     std::min(rng_.Exponential(activity_ == Activity::kProlific ? 7 : 11), 55.0) +
                     (legacy_ ? 8 : 0);
  born_ = first_ - static_cast<std::int64_t>(age * static_cast<double>(kYear)) -
          Days(rng_.Uniform(0, 365));
  has_cro_ = rng_.Chance(0.4);
  const int first_year = events::YearOf(events::Timestamp{first_});
  const bool known = legacy_ || activity_ >= Activity::kRepeat || rng_.Chance(0.25);
  const int max_back = std::max(1, std::min(15, static_cast<int>(age) - 14));
  pnc_year_ = known ? first_year - static_cast<int>(rng_.Range(1, max_back)) : first_year;
  switch (activity_) {
    case Activity::kOnce:
      sanctions_ = known ? static_cast<int>(rng_.Range(0, 2)) : 0;
      break;
    case Activity::kOccasional:
      sanctions_ = known ? static_cast<int>(rng_.Range(1, 4)) : 0;
      break;
    case Activity::kRepeat:
      sanctions_ = static_cast<int>(rng_.Range(2, 12));
      break;
    case Activity::kProlific:
      sanctions_ = static_cast<int>(rng_.Range(8, 40));
      break;
  }
  if (legacy_)
    sanctions_ = std::max(sanctions_, 1);
  ocg_prone_ = main_group_ == OffenceGroup::kSupply ? rng_.Chance(0.3) : rng_.Chance(0.008);
  duplicate_ = rng_.Chance(activity_ >= Activity::kRepeat ? 0.04 : 0.008);
  wrong_merge_ = rng_.Chance(0.0015);

  double p_death = 0.008;
  if (activity_ == Activity::kProlific)
    p_death = 0.06;
  else if (main_group_ == OffenceGroup::kDrugs || main_group_ == OffenceGroup::kSupply)
    p_death = 0.02;
  if (age > 55)
    p_death += 0.05;
  if (rng_.Chance(p_death)) {
    const double span = static_cast<double>(world_.end() - first_);
    death_ = first_ + static_cast<std::int64_t>(span * rng_.Uniform(0.05, 1.0));
  }
}

void Lifetime::Act(const Action& a) {
  if (Gone())
    return;
  const std::int64_t t = a.time;
  switch (a.kind) {
    case ActionKind::kStart:
      return Start(t);
    case ActionKind::kOffend:
      return Offend(t);
    case ActionKind::kCharge:
      return Charge(t, a.arg);
    case ActionKind::kHearing:
      return Hearing(t, a.arg);
    case ActionKind::kSentence:
      return Sentence(t, a.arg);
    case ActionKind::kBailBreach:
      return BailBreach(t, a.arg);
    case ActionKind::kTransfer:
      if (custody_.in && a.token == custody_.token)
        Move(t);
      return;
    case ActionKind::kAbsence:
      if (custody_.in && a.token == custody_.moves)
        Absence(t, a.arg);
      return;
    case ActionKind::kRelease:
      if (custody_.in && a.token == custody_.token)
        Release(t, a.arg != 0);
      return;
    case ActionKind::kRecallRelease:
      if (custody_.in && a.token == custody_.token)
        RecallRelease(t);
      return;
    case ActionKind::kRemoval:
      if (!custody_.in || a.token != custody_.token)
        return;
      // Not removed from the country while a criminal case holds them here.
      if (RemandedInCustody())
        return Schedule(t + Days(28), ActionKind::kRemoval, custody_.token);
      return Removal(t);
    case ActionKind::kDeportationOrder:
      return DeportationOrder(t);
    case ActionKind::kHdcEnd:
      if (licence_.active && a.token == licence_.phase)
        HdcEnd(t);
      return;
    case ActionKind::kLicenceBreach:
      if (licence_.active && !custody_.in && a.token == licence_.phase)
        LicenceBreach(t);
      return;
    case ActionKind::kLicenceVary:
      if (licence_.active && !custody_.in && a.token == licence_.phase)
        LicenceVary(t);
      return;
    case ActionKind::kLicenceEnd:
      if (licence_.active && a.token == licence_.id)
        LicenceEnd(t);
      return;
    case ActionKind::kOrderEnd:
      return OrderEnd(t, a.arg);
    case ActionKind::kTagViolation:
      return TagViolation(t, a.arg);
    case ActionKind::kTagEnd:
      return TagEnd(t, a.arg);
    case ActionKind::kIntervention:
      return InterventionStep(t, a.arg);
    case ActionKind::kRiskReview:
      return RiskReview(t);
    case ActionKind::kIomReview:
      return IomReview(t);
    case ActionKind::kMappaReview:
      return MappaReview(t);
    case ActionKind::kOcgUnlink:
      return UnlinkOcg(t);
    case ActionKind::kMerge:
      return Merge(t, a.arg != 0);
    case ActionKind::kUnmerge:
      return Unmerge(t);
    case ActionKind::kDeath:
      return Die(t);
  }
}

void Lifetime::Start(std::int64_t t) {
  if (death_ != 0)
    Schedule(death_, ActionKind::kDeath);
  if (wrong_merge_) {
    const double span = static_cast<double>(world_.end() - t);
    Schedule(t + static_cast<std::int64_t>(span * rng_.Uniform(0.1, 0.9)), ActionKind::kMerge, 0,
             1);
  }
  if (legacy_) {
    StartInCustody(t);
    if (activity_ != Activity::kOnce)
      Schedule(t + Days(rng_.Exponential(365 / rate_)), ActionKind::kOffend);
    return;
  }
  Offend(t);
}

void Lifetime::Offend(std::int64_t t) {
  if (!custody_.in)
    Arrest(t);
  double gap_days;
  if (activity_ == Activity::kOnce) {
    // Some who offend once are arrested once more, years later.
    if (arrests_.size() != 1 || !rng_.Chance(0.12))
      return;
    gap_days = rng_.Uniform(180, 2500);
  } else {
    gap_days = rng_.Exponential(365 / rate_);
  }
  const std::int64_t day = DayOf(t + Days(std::max(gap_days, 1.0)));
  const std::int64_t next = day + static_cast<std::int64_t>(rng_.Weighted(kArrestHours)) * kHour +
                            rng_.Range(0, 59) * kMinute;
  Schedule(next, ActionKind::kOffend);
}

OffenceGroup Lifetime::PickGroup() {
  if (rng_.Chance(0.6))
    return main_group_;
  return static_cast<OffenceGroup>(rng_.Weighted(female_ ? kWomenGroups : kMenGroups));
}

int Lifetime::PickOffence(OffenceGroup group) {
  auto members = OffencesOf(group);
  // The first offences of a group are the common ones.
  const double u = rng_.Uniform();
  return members[static_cast<std::size_t>(u * u * static_cast<double>(members.size()))];
}

int Lifetime::ArrestsWithin(std::int64_t t, std::int64_t span) const {
  return static_cast<int>(std::count_if(arrests_.begin(), arrests_.end(),
                                        [&](std::int64_t a) { return a > t - span; }));
}

void Lifetime::Arrest(std::int64_t t) {
  const int force = rng_.Chance(0.9) ? force_ : static_cast<int>(rng_.Index(region_.forces.size()));
  const Force& f = region_.forces[force];
  const OffenceGroup group = PickGroup();
  std::vector<int> offences = {PickOffence(group)};
  int extra = rng_.Chance(0.25) ? 1 : 0;
  if (rng_.Chance(0.06))
    extra += 2;
  if (activity_ == Activity::kProlific && group == OffenceGroup::kAcquisitive)
    extra += static_cast<int>(rng_.Range(0, 2));
  for (int i = 0; i < extra; ++i) {
    OffenceGroup g = group;
    if (rng_.Chance(0.3)) {
      switch (group) {
        case OffenceGroup::kSupply:
          g = OffenceGroup::kWeapons;
          break;
        case OffenceGroup::kAcquisitive:
          g = OffenceGroup::kDrugs;
          break;
        case OffenceGroup::kViolence:
        case OffenceGroup::kDomestic:
          g = OffenceGroup::kPublicOrder;
          break;
        default:
          break;
      }
    }
    offences.push_back(PickOffence(g));
  }
  int seriousness = 1;
  for (int o : offences)
    seriousness = std::max(seriousness, AllOffences()[o].seriousness);

  const bool on_licence = licence_.active && !licence_.recalled;
  const bool on_bail =
      std::any_of(cases_.begin(), cases_.end(), [](const Case& c) { return c.open && !c.held; });
  ArrestMode mode = ArrestMode::kArrest;
  if (group == OffenceGroup::kMotoring && seriousness <= 2 && rng_.Chance(0.55))
    mode = ArrestMode::kSummons;
  else if (!on_licence && !on_bail && seriousness <= 3 && rng_.Chance(0.13))
    mode = ArrestMode::kVoluntaryAttendance;

  const int year = events::YearOf(events::Timestamp{t});
  const auto station = static_cast<int>(rng_.Index(f.station_codes.size()));
  const std::string asn = FormatAsn(year, f.number, f.station_codes[station],
                                    std::uint64_t{index_} * 1000 + arrests_.size() % 1000);
  arrests_.push_back(t);

  enum { kNoAction, kDisposal, kCharged } outcome;
  static constexpr double kChargeBySeriousness[] = {0.30, 0.42, 0.55, 0.66, 0.75};
  double p_charge =
      kChargeBySeriousness[seriousness - 1] + (sanctions_ > 5 ? 0.08 : 0) + (on_licence ? 0.1 : 0);
  double p_disposal = 0;
  if (seriousness <= 2)
    p_disposal = sanctions_ < 4 ? (female_ ? 0.45 : 0.3) : 0.08;
  const double u = rng_.Uniform();
  if (mode == ArrestMode::kSummons || u < p_charge)
    outcome = kCharged;
  else if (u < p_charge + p_disposal)
    outcome = kDisposal;
  else
    outcome = kNoAction;
  const bool alt = duplicate_ && !duplicate_used_ && outcome != kCharged && !on_licence &&
                   arrests_.size() > 1 && mode == ArrestMode::kArrest;
  if (alt) {
    duplicate_used_ = true;
    Schedule(t + Days(rng_.LogUniform(3, 120)), ActionKind::kMerge, 0, 0);
  }

  Body body;
  body.Str("mode", events::EnumName(mode)).Str("force", f.code).Str("asn", asn);
  body.Offences("offences", offences);
  if (mode == ArrestMode::kArrest)
    body.Str("custody_suite", f.custody_suites[station % f.custody_suites.size()]);
  Emit(t, "arrest.recorded", f.custody_source, alt ? IdPolicy::kAltPnc : IdPolicy::kPolice, body, 1,
       alt);

  if (on_licence)
    OffendOnLicence(t + Days(rng_.Uniform(0.1, 2)), AllOffences()[offences[0]]);
  for (auto& c : cases_) {
    if (c.open && !c.held)
      c.reoffended = true;
  }
  SafeguardAtArrest(t, force, group);
  if (ocg_prone_ && ocg_ref_.empty() && (group == OffenceGroup::kSupply || rng_.Chance(0.3)))
    LinkOcg(t + Days(rng_.Uniform(2, 90)), force);
  ConsiderIom(t, false);

  const std::int64_t later = t + Days(rng_.Uniform(0.12, 0.4));
  switch (outcome) {
    case kNoAction:
      if (rng_.Chance(0.3)) {
        // Released on pre-charge bail; in the end, no further action.
        Body bail;
        bail.Str("granted_by", "police").Date("until", t + Days(rng_.Range(28, 56)));
        std::array<std::string_view, 1> reside = {"Reside at home address"};
        bail.List("conditions", reside);
        Emit(later, "bail.granted", f.custody_source, alt ? IdPolicy::kAltPnc : IdPolicy::kPolice,
             bail, 1, alt);
      }
      return;
    case kDisposal:
      return OutOfCourt(later, force, offences[0], alt);
    case kCharged:
      break;
  }
  const int ci = OpenCase(t, force, offences, asn);
  if (mode == ArrestMode::kSummons ||
      (mode == ArrestMode::kArrest && (custody_.in || rng_.Chance(0.7)))) {
    Charge(mode == ArrestMode::kSummons ? t : later, ci);
    return;
  }
  // Charged later: on pre-charge bail after an arrest, by postal requisition after a voluntary
  // interview.
  const std::int64_t decision = WorkingDay(t + Days(rng_.Range(21, 56))) + 11 * kHour;
  if (mode == ArrestMode::kArrest) {
    Body bail;
    bail.Str("granted_by", "police").Date("until", decision);
    Emit(later, "bail.granted", f.custody_source, IdPolicy::kPolice, bail);
  }
  Schedule(decision, ActionKind::kCharge, 0, ci);
}

void Lifetime::OffendOnLicence(std::int64_t t, const OffenceInfo& offence) {
  const bool recall = rng_.Chance(0.7);
  Body body;
  body.Str("condition", "Be of good behaviour and not commit any offence")
      .Str("action", recall ? "recall_requested" : "warning");
  Emit(t, "licence.breached", region_.probation_source, IdPolicy::kProbation, body);
  if (recall)
    Recall(t + Days(rng_.Uniform(0.05, 1)), "Further offence: " + std::string(offence.description));
}

void Lifetime::Merge(std::int64_t t, bool wrong) {
  const PersonIds& ids = ids_;
  Body body;
  if (wrong) {
    body.Pnc("merged", ids.other_pnc).Str("reason", "Matched on name and date of birth");
    Schedule(t + Days(rng_.LogUniform(7, 200)), ActionKind::kUnmerge);
  } else {
    body.Pnc("merged", ids.alt_pnc)
        .Str("reason",
             "Fingerprints matched: duplicate record created at arrest under a false name");
  }
  Emit(t, "identity.merged", HomeForce().pnc_source, IdPolicy::kCourt, body, 1, true);
}

void Lifetime::Unmerge(std::int64_t t) {
  Body body;
  body.Pnc("unmerged", ids_.other_pnc)
      .Str("reason", "Fingerprints do not match: the records are of two people");
  Emit(t, "identity.unmerged", HomeForce().pnc_source, IdPolicy::kCourt, body, 1, true);
}

void Lifetime::Die(std::int64_t t) {
  dying_ = true;
  Body body;
  if (rng_.Chance(0.3))
    body.Date("date_of_death", t - Days(rng_.Range(1, 10)));
  if (custody_.in) {
    Emit(t, "person.deceased", region_.prisons[custody_.prison].source, IdPolicy::kPrison, body);
  } else {
    Emit(t, "person.deceased", HomeForce().coroner_source, IdPolicy::kCourt, body);
  }
  const std::int64_t after = t + Days(rng_.Uniform(1, 10));
  if (licence_.active) {
    Body ended;
    ended.Str("reason", "Died");
    Emit(after, "licence.ended", region_.probation_source, IdPolicy::kProbation, ended);
    licence_.active = false;
  }
  EndOrders(after, events::SupervisionEnd::kOther);
  for (auto& tag : tags_) {
    if (tag.active) {
      tag.active = false;
      Body removed;
      removed.Str("kind", events::EnumName(tag.kind)).Str("reason", "Subject died");
      Emit(after, "em.tag.removed", region_.em_source, IdPolicy::kClient, removed);
    }
  }
  if (iom_) {
    iom_ = false;
    Body exited;
    exited.Str("reason", "Died");
    Emit(after, "iom.exited", HomeForce().iom_source, IdPolicy::kPartnership, exited);
  }
  if (mappa_category_ != 0) {
    mappa_category_ = 0;
    Body dereg;
    dereg.Str("reason", "Died");
    Emit(after, "mappa.deregistered", region_.mappa_source, IdPolicy::kPartnership, dereg);
  }
  dead_ = true;
}

void Lifetime::Emit(std::int64_t t, std::string_view type, const std::string& source, IdPolicy ids,
                    Body& body, int version, bool pinned) {
  // Nothing happens to the dead but the records of their death.
  if (death_ != 0 && t > death_ && !dying_)
    return;
  world_.Emit(Draft{.time = t,
                    .person = index_,
                    .type = type,
                    .version = version,
                    .source = &source,
                    .ids = ids,
                    .pinned = pinned,
                    .body = body.Take()});
}

void Lifetime::Schedule(std::int64_t t, ActionKind kind, std::uint32_t token, std::int32_t arg) {
  if (t >= world_.end() || (death_ != 0 && t > death_ && kind != ActionKind::kDeath))
    return;
  world_.Schedule(Action{.time = t, .person = index_, .kind = kind, .token = token, .arg = arg});
}

}  // namespace throughline::generator
