// Out-of-court disposals, charges, hearings, conviction and sentence.

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "events/calendar.h"
#include "tools/generator/lifetime.h"
#include "tools/generator/sim_time.h"

namespace throughline::generator {

namespace {

using events::ChargeOutcome;
using events::DisposalKind;
using events::ReleaseReason;
using events::SentenceKind;

constexpr std::string_view kBailConditions[] = {
    "Reside at home address",
    "Curfew 21:00 to 07:00",
    "Not to contact the complainant directly or indirectly",
    "Report to the police station every Monday",
    "Not to enter any licensed premises",
};

// A court hearing's time: a weekday, between 10:00 and 15:30.
std::int64_t HearingTime(Rng& rng, std::int64_t day) {
  return WorkingDay(day) + 10 * kHour + rng.Range(0, 11) * 30 * kMinute;
}

// A sentence length as a court states it: weeks under three months, months under two years,
// then years and months.
struct Length {
  std::string text;
  double days;
};
Length CustodialLength(double months) {
  if (months < 3) {
    const int weeks = std::max(2, static_cast<int>(std::lround(months * 4.345)));
    return {fmt::format("P{}W", weeks), weeks * 7.0};
  }
  const int m = static_cast<int>(std::lround(months));
  if (m < 24)
    return {fmt::format("P{}M", m), m * kDaysPerMonth};
  const int y = m / 12, rest = m % 12;
  return {rest == 0 ? fmt::format("P{}Y", y) : fmt::format("P{}Y{}M", y, rest), m * kDaysPerMonth};
}

bool Violent(OffenceGroup g) {
  return g == OffenceGroup::kViolence || g == OffenceGroup::kDomestic ||
         g == OffenceGroup::kWeapons;
}

}  // namespace

void Lifetime::OutOfCourt(std::int64_t t, int force, int offence, bool alt) {
  const Force& f = region_.forces[force];
  const bool pathfinder = female_ && sanctions_ < 4 && rng_.Chance(0.6);
  const bool young = !pathfinder && Age(t) < 25 && rng_.Chance(0.25);
  DisposalKind kind;
  if (pathfinder) {
    kind = rng_.Chance(0.6) ? DisposalKind::kDiversion : DisposalKind::kConditionalCaution;
  } else if (young) {
    kind = rng_.Chance(0.5) ? DisposalKind::kDiversion : DisposalKind::kCommunityResolution;
  } else {
    static constexpr double kWeights[] = {0.35, 0.15, 0.32, 0.15, 0.03};
    kind = static_cast<DisposalKind>(rng_.Weighted(kWeights) + 1);
  }
  Body body;
  body.Str("kind", events::EnumName(kind)).Offence("offence", AllOffences()[offence]);
  body.Str("force", f.code);
  if (kind == DisposalKind::kConditionalCaution) {
    static constexpr std::string_view kConditions[] = {
        "Pay compensation of 50 pounds to the victim",
        "Write a letter of apology to the victim",
        "Attend a drug awareness course",
        "Attend an alcohol diversion course",
    };
    std::array<std::string_view, 1> conditions = {
        pathfinder ? "Attend the Women's Pathfinder and complete its support plan"
                   : rng_.Pick(kConditions)};
    body.List("conditions", conditions);
  }
  Emit(t, "out_of_court.disposal", f.custody_source, alt ? IdPolicy::kAltPnc : IdPolicy::kPolice,
       body, 1, alt);
  ++sanctions_;
  if (pathfinder)
    Refer(t + Days(rng_.Uniform(1, 7)), events::InterventionKind::kWomensPathfinder);
  else if (young && kind == DisposalKind::kDiversion)
    Refer(t + Days(rng_.Uniform(1, 10)), events::InterventionKind::kDiversion);
}

int Lifetime::OpenCase(std::int64_t t, int force, const std::vector<int>& offences,
                       const std::string& asn) {
  const Force& f = region_.forces[force];
  const int year = events::YearOf(events::Timestamp{t});
  Case c;
  c.force = force;
  c.asn = asn;
  c.urn = fmt::format("{}{}{:05}{:02}", f.number, rng_.Pick(f.station_codes),
                      world_.NextCaseSerial(force, year), year % 100);
  c.offences = offences;
  // Several counts of one offence are usual: each theft, each supply is a charge.
  static constexpr double kExtraCharges[] = {0.33, 0.24, 0.17, 0.10, 0.07, 0.05, 0.04};
  int extra = static_cast<int>(rng_.Weighted(kExtraCharges));
  if (activity_ == Activity::kProlific)
    extra += static_cast<int>(rng_.Range(0, 3));
  for (int i = 0; i < extra; ++i)
    c.offences.push_back(c.offences[rng_.Index(offences.size())]);
  bool indictable = false;
  for (int o : c.offences) {
    c.seriousness = std::max(c.seriousness, AllOffences()[o].seriousness);
    indictable = indictable || AllOffences()[o].indictable_only;
  }
  c.group = AllOffences()[c.offences[0]].group;
  c.court = rng_.Pick(f.magistrates);
  if (indictable || (c.seriousness >= 4 && rng_.Chance(0.7)) ||
      (c.seriousness == 3 && rng_.Chance(0.15))) {
    c.crown = rng_.Pick(f.crown);
  }
  double p_convict = female_ ? 0.66 : 0.70;
  if (activity_ == Activity::kProlific)
    p_convict = 0.76;
  if (c.seriousness == 5)
    p_convict = 0.64;
  c.convict = rng_.Chance(p_convict);
  if (c.convict && rng_.Chance(0.55))
    c.planned = c.crown >= 0 ? 2 : 1;  // an early guilty plea
  else
    c.planned = static_cast<int>(c.crown >= 0 ? rng_.Range(3, 5) : rng_.Range(2, 4));
  if (activity_ == Activity::kProlific)
    c.planned += static_cast<int>(rng_.Range(0, 2));
  cases_.push_back(std::move(c));
  return static_cast<int>(cases_.size() - 1);
}

void Lifetime::Charge(std::int64_t t, int ci) {
  Case& c = cases_[ci];
  const Force& f = region_.forces[c.force];
  for (std::size_t i = 0; i < c.offences.size(); ++i) {
    Body body;
    body.Str("charge_id", fmt::format("{}-{:02}", c.urn, i + 1)).Str("case_id", c.urn);
    body.Offence("offence", AllOffences()[c.offences[i]]).Str("force", f.code).Str("asn", c.asn);
    Emit(t + static_cast<std::int64_t>(i) * kMinute, "charge.recorded", f.charging_source,
         IdPolicy::kPolice, body);
  }
  std::int64_t first;
  if (custody_.in) {
    HeldOn(t, c);
    first = HearingTime(rng_, t + Days(rng_.Range(1, 14)));
  } else {
    double p_held = c.seriousness >= 4 ? 0.55 : c.seriousness == 3 ? 0.25 : 0.08;
    const bool other_open = std::any_of(cases_.begin(), cases_.end(),
                                        [&](const Case& o) { return o.open && &o != &c; });
    if (other_open)
      p_held += 0.25;
    if (foreign_)
      p_held += 0.15;
    if (activity_ == Activity::kProlific)
      p_held += 0.1;
    if (rng_.Chance(p_held)) {
      c.detained = true;
      first = HearingTime(rng_, t + kDay);
    } else {
      first = HearingTime(rng_, t + Days(rng_.Range(7, 28)));
      Body bail;
      bail.Str("granted_by", "police").Str("case_id", c.urn).Date("until", first);
      std::vector<std::string_view> conditions;
      for (auto condition : kBailConditions) {
        if (rng_.Chance(0.25))
          conditions.push_back(condition);
      }
      if (!conditions.empty())
        bail.List("conditions", conditions);
      Emit(t + 20 * kMinute, "bail.granted", f.custody_source, IdPolicy::kPolice, bail);
      if (rng_.Chance(0.06)) {
        Schedule(
            t + static_cast<std::int64_t>(rng_.Uniform(0.1, 0.9) * static_cast<double>(first - t)),
            ActionKind::kBailBreach, 0, ci);
      }
    }
  }
  Schedule(first, ActionKind::kHearing, 0, ci);
}

void Lifetime::BailBreach(std::int64_t t, int ci) {
  Case& c = cases_[ci];
  if (!c.open || c.held || custody_.in)
    return;
  c.breached = true;
  Body body;
  body.Str("case_id", c.urn).Str("condition", rng_.Pick(kBailConditions));
  Emit(t, "bail.breached", region_.forces[c.force].custody_source, IdPolicy::kPolice, body);
}

void Lifetime::Hearing(std::int64_t t, int ci) {
  if (!cases_[ci].open)
    return;
  ++cases_[ci].hearings;
  Case& c = cases_[ci];
  const Court& court = region_.courts[c.sent ? c.crown : c.court];
  if (c.hearings > c.planned)
    return Conclude(t, c, &court.source);

  events::HearingOutcome outcome;
  bool remand = false, bail = false;
  if (c.detained) {
    c.detained = false;
    remand = rng_.Chance(c.seriousness >= 3 ? 0.65 : 0.4);
    bail = !remand;
  } else if (!c.held && !custody_.in && (c.reoffended || c.breached) && rng_.Chance(0.5)) {
    remand = true;
  } else if (c.held && custody_.basis == events::CustodyBasis::kRemand && rng_.Chance(0.1)) {
    bail = true;
  }
  if (remand)
    c.held = true;
  if (bail)
    c.held = false;
  if (!c.sent && c.crown >= 0 && c.hearings == 1) {
    outcome = events::HearingOutcome::kSentToCrownCourt;
    c.sent = true;
  } else if (c.held || (custody_.in && !bail)) {
    outcome = events::HearingOutcome::kRemandedInCustody;
    HeldOn(t, c);
  } else {
    outcome = rng_.Chance(0.8) ? events::HearingOutcome::kRemandedOnBail
                               : events::HearingOutcome::kAdjourned;
  }
  const std::int64_t next = HearingTime(
      rng_, t + Days(static_cast<double>(c.sent ? rng_.Range(28, 84) : rng_.Range(14, 42))));
  Body body;
  body.Str("case_id", c.urn).Str("court", court.name).Str("outcome", events::EnumName(outcome));
  body.Date("next_hearing", next);
  Emit(t, "court.hearing", court.source, IdPolicy::kCourt, body);
  if (remand && !custody_.in) {
    c.remanded_since = t;
    Receive(t + Days(rng_.Uniform(0.15, 0.3)), LocalPrison(c.force), events::CustodyBasis::kRemand);
  } else if (bail) {
    if (custody_.in)
      ReleaseFromRemand(t + Days(rng_.Uniform(0.1, 0.2)), ci, ReleaseReason::kBail);
  }
  if (bail || (outcome == events::HearingOutcome::kRemandedOnBail && rng_.Chance(0.25))) {
    Body granted;
    granted.Str("granted_by", "court").Str("case_id", c.urn).Date("until", next);
    std::array<std::string_view, 2> conditions = {rng_.Pick(kBailConditions),
                                                  "Reside at home address"};
    granted.List("conditions", conditions);
    Emit(t + 10 * kMinute, "bail.granted", court.source, IdPolicy::kCourt, granted);
  }
  if (!c.held && !custody_.in && rng_.Chance(0.06)) {
    Schedule(t + static_cast<std::int64_t>(rng_.Uniform(0.1, 0.9) * static_cast<double>(next - t)),
             ActionKind::kBailBreach, 0, ci);
  }
  Schedule(next, ActionKind::kHearing, 0, ci);
}

void Lifetime::Conclude(std::int64_t t, Case& c, const std::string* court_source) {
  const int ci = static_cast<int>(&c - cases_.data());
  const Force& f = region_.forces[c.force];
  const Court& court = region_.courts[c.sent ? c.crown : c.court];
  if (!c.convict) {
    const bool trial = c.hearings >= 3 && rng_.Chance(0.5);
    ChargeOutcome outcome;
    if (trial) {
      outcome = c.sent ? ChargeOutcome::kAcquitted : ChargeOutcome::kDismissed;
    } else {
      static constexpr double kWeights[] = {0.40, 0.45, 0.10, 0.05};
      static constexpr ChargeOutcome kOutcomes[] = {
          ChargeOutcome::kWithdrawn, ChargeOutcome::kDiscontinued, ChargeOutcome::kDismissed,
          ChargeOutcome::kNoFurtherAction};
      outcome = kOutcomes[rng_.Weighted(kWeights)];
    }
    Body body;
    body.Str("case_id", c.urn).Str("court", court.name).Str("outcome", "case_closed");
    Emit(t, "court.hearing", *court_source, IdPolicy::kCourt, body);
    for (std::size_t i = 0; i < c.offences.size(); ++i) {
      Body disposed;
      disposed.Str("charge_id", fmt::format("{}-{:02}", c.urn, i + 1)).Str("case_id", c.urn);
      disposed.Str("outcome", events::EnumName(outcome));
      Emit(t + (30 + static_cast<std::int64_t>(i)) * kMinute, "charge.disposed", f.charging_source,
           IdPolicy::kPolice, disposed);
    }
    c.open = false;
    if (c.held) {
      ReleaseFromRemand(t + Days(rng_.Uniform(0.08, 0.2)), ci,
                        trial ? ReleaseReason::kAcquitted : ReleaseReason::kCourtOrder);
    }
    return;
  }

  std::vector<int> convicted = {0};
  for (std::size_t i = 1; i < c.offences.size(); ++i) {
    if (rng_.Chance(0.4))
      convicted.push_back(static_cast<int>(i));
  }
  std::vector<std::string> charge_ids;
  std::vector<int> offences;
  for (int i : convicted) {
    charge_ids.push_back(fmt::format("{}-{:02}", c.urn, i + 1));
    offences.push_back(c.offences[i]);
  }
  Body conviction;
  conviction.Str("case_id", c.urn).Str("court", court.name).List("charge_ids", charge_ids);
  conviction.Offences("offences", offences);
  Emit(t, "conviction.recorded", *court_source, IdPolicy::kCourt, conviction);
  static constexpr double kDroppedWeights[] = {0.55, 0.25, 0.10, 0.10};
  static constexpr ChargeOutcome kDropped[] = {
      ChargeOutcome::kWithdrawn, ChargeOutcome::kDiscontinued, ChargeOutcome::kDismissed,
      ChargeOutcome::kNoFurtherAction};
  for (std::size_t i = 0; i < c.offences.size(); ++i) {
    const bool guilty =
        std::find(convicted.begin(), convicted.end(), static_cast<int>(i)) != convicted.end();
    Body disposed;
    disposed.Str("charge_id", fmt::format("{}-{:02}", c.urn, i + 1)).Str("case_id", c.urn);
    disposed.Str("outcome",
                 guilty ? "convicted" : events::EnumName(kDropped[rng_.Weighted(kDroppedWeights)]));
    Emit(t + (30 + static_cast<std::int64_t>(i)) * kMinute, "charge.disposed", f.charging_source,
         IdPolicy::kPolice, disposed);
  }
  ++convictions_;
  ++sanctions_;

  const bool commit = !c.sent && (c.seriousness >= 4 || (c.seriousness == 3 && rng_.Chance(0.25)));
  if (!commit && !rng_.Chance(0.4))
    return Sentence(t + 15 * kMinute, ci);
  // Sentence later: after a pre-sentence report, or in the Crown Court.
  const std::int64_t next = HearingTime(rng_, t + Days(static_cast<double>(rng_.Range(21, 42))));
  events::HearingOutcome outcome = events::HearingOutcome::kCommittedForSentence;
  if (commit) {
    c.sent = true;
    if (c.crown < 0)
      c.crown = rng_.Pick(f.crown);
  } else if (c.held || custody_.in) {
    outcome = events::HearingOutcome::kRemandedInCustody;
    HeldOn(t, c);
  } else {
    outcome = events::HearingOutcome::kRemandedOnBail;
  }
  Body body;
  body.Str("case_id", c.urn).Str("court", court.name).Str("outcome", events::EnumName(outcome));
  body.Date("next_hearing", next);
  Emit(t + 15 * kMinute, "court.hearing", *court_source, IdPolicy::kCourt, body);
  AssessRisk(At(WorkingDay(t + Days(rng_.Range(7, 18))), 14));
  Schedule(next, ActionKind::kSentence, 0, ci);
}

void Lifetime::Sentence(std::int64_t t, int ci) {
  Case& c = cases_[ci];
  if (!c.open)
    return;
  c.open = false;
  const Court& court = region_.courts[c.sent ? c.crown : c.court];
  Body closed;
  closed.Str("case_id", c.urn).Str("court", court.name).Str("outcome", "case_closed");
  Emit(t, "court.hearing", court.source, IdPolicy::kCourt, closed);

  const bool under_order = licence_.active || std::any_of(orders_.begin(), orders_.end(),
                                                          [](const Order& o) { return o.active; });
  const bool suspended = std::any_of(orders_.begin(), orders_.end(), [](const Order& o) {
    return o.active && o.kind == events::SupervisionKind::kSuspendedSentenceOrder;
  });
  int score = c.seriousness + (sanctions_ >= 6 ? 1 : 0) + (sanctions_ >= 15 ? 1 : 0) +
              (under_order ? 1 : 0);
  score = std::clamp(score, 1, 6);
  // fine, conditional discharge, absolute discharge, community order, suspended, custody
  static constexpr double kWeights[6][6] = {
      {0.52, 0.22, 0.03, 0.15, 0.05, 0.03}, {0.36, 0.12, 0.01, 0.27, 0.13, 0.11},
      {0.14, 0.05, 0.00, 0.30, 0.23, 0.28}, {0.04, 0.01, 0.00, 0.17, 0.26, 0.52},
      {0.00, 0.00, 0.00, 0.06, 0.14, 0.80}, {0.00, 0.00, 0.00, 0.02, 0.08, 0.90}};
  static constexpr SentenceKind kKinds[] = {SentenceKind::kFine,
                                            SentenceKind::kConditionalDischarge,
                                            SentenceKind::kAbsoluteDischarge,
                                            SentenceKind::kCommunityOrder,
                                            SentenceKind::kSuspended,
                                            SentenceKind::kImmediateCustody};
  SentenceKind kind = kKinds[rng_.Weighted(kWeights[score - 1])];
  if (suspended && rng_.Chance(0.5))
    kind = SentenceKind::kImmediateCustody;  // the suspended sentence is activated
  if (c.group == OffenceGroup::kSexual && kind == SentenceKind::kFine)
    kind = SentenceKind::kCommunityOrder;
  const OffenceInfo& offence = AllOffences()[c.offences[0]];

  if (kind == SentenceKind::kImmediateCustody || kind == SentenceKind::kCommunityOrder ||
      kind == SentenceKind::kSuspended) {
    EndOrders(t + kHour, events::SupervisionEnd::kRevoked);
  }
  if (kind == SentenceKind::kImmediateCustody) {
    ImmediateCustody(t + 5 * kMinute, c, court.source);
  } else {
    Body body;
    body.Str("case_id", c.urn).Str("court", court.name).Str("kind", events::EnumName(kind));
    const std::int64_t starts = At(WorkingDay(t + kDay), 11);
    if (kind == SentenceKind::kSuspended) {
      const int months = static_cast<int>(std::lround(rng_.LogUniform(3, 24)));
      body.Str("length", fmt::format("P{}M", months));
      Emit(t + 5 * kMinute, "sentence.imposed", court.source, IdPolicy::kCourt, body);
      if (rng_.Chance(0.85)) {
        StartOrder(starts, events::SupervisionKind::kSuspendedSentenceOrder,
                   t + Months(static_cast<double>(rng_.Range(12, 24))), offence);
      }
    } else if (kind == SentenceKind::kCommunityOrder) {
      static constexpr int kMonths[] = {6, 9, 12, 12, 12, 18, 24, 36};
      const int months = rng_.Pick(kMonths);
      body.Str("length", fmt::format("P{}M", months));
      Emit(t + 5 * kMinute, "sentence.imposed", court.source, IdPolicy::kCourt, body);
      StartOrder(starts, events::SupervisionKind::kCommunityOrder, t + Months(months), offence);
    } else {
      if (kind == SentenceKind::kConditionalDischarge) {
        static constexpr std::string_view kPeriods[] = {"P6M", "P12M", "P12M", "P2Y"};
        body.Str("length", rng_.Pick(kPeriods));
      }
      Emit(t + 5 * kMinute, "sentence.imposed", court.source, IdPolicy::kCourt, body);
    }
    if (c.held)
      ReleaseFromRemand(t + Days(rng_.Uniform(0.1, 0.2)), ci, ReleaseReason::kCourtOrder);
  }

  const bool custody = kind == SentenceKind::kImmediateCustody;
  if (c.group == OffenceGroup::kSexual && kind != SentenceKind::kAbsoluteDischarge) {
    RegisterMappa(t + Days(rng_.Uniform(1, 20)), 1);
  } else if (Violent(c.group) && custody && custody_.term.months >= 12) {
    RegisterMappa(t + Days(rng_.Uniform(7, 40)), 2);
  } else if (Violent(c.group) && c.seriousness >= 3 && !custody && rng_.Chance(0.04)) {
    RegisterMappa(t + Days(rng_.Uniform(7, 40)), 3);
  }
  if (foreign_ && fno_ == 0 && (custody || rng_.Chance(0.3)))
    ForeignNational(t + Days(rng_.Uniform(2, 30)));
}

void Lifetime::ImmediateCustody(std::int64_t t, Case& c, const std::string& court_source) {
  static constexpr double kMonthRange[5][2] = {{0.5, 4}, {1, 12}, {4, 30}, {18, 84}, {48, 216}};
  const auto& range = kMonthRange[c.seriousness - 1];
  const Length length = CustodialLength(rng_.LogUniform(range[0], range[1]));
  const double months = length.days / kDaysPerMonth;
  const bool serious = c.group == OffenceGroup::kSexual || Violent(c.group);
  Term term;
  term.sentenced = t;
  term.months = months;
  term.group = c.group;
  term.seriousness = c.seriousness;
  double custodial = 0.5;
  double extension_days = 0;
  if (serious && c.seriousness >= 4 && months >= 48 && rng_.Chance(0.2)) {
    term.licence = events::LicenceKind::kExtendedSentence;
    custodial = 2.0 / 3;
    extension_days = static_cast<double>(rng_.Range(24, 96)) * kDaysPerMonth;
  } else if (serious && months >= 84) {
    custodial = 2.0 / 3;
  }
  const std::int64_t credit =
      c.held && c.remanded_since > 0 ? std::max<std::int64_t>(0, t - c.remanded_since) : 0;
  term.release = std::max(t + Days(length.days * custodial) - credit, t + kHour);
  term.release = term.release <= t + kDay ? t + 3 * kHour : At(WorkingDay(term.release), 9);
  term.sed = t + Days(length.days + extension_days);
  if (term.sed <= term.release)
    term.sed = term.release + kDay;
  if (months < 24 && extension_days == 0 && term.release + Months(12) > term.sed)
    term.pss_end = term.release + Months(12);
  const bool hdc_eligible = months >= 3 && months < 48 && c.group != OffenceGroup::kSexual &&
                            extension_days == 0 && !(serious && c.seriousness >= 4) && !foreign_;
  if (hdc_eligible && term.release - t > Days(60) && rng_.Chance(0.45)) {
    term.hdc = std::max(t + (term.release - t) / 4, term.release - Days(180));
    term.hdc = At(WorkingDay(std::max(term.hdc, t + Days(28))), 9);
    if (term.hdc >= term.release)
      term.hdc = 0;
  }

  Body body;
  body.Str("case_id", c.urn)
      .Str("court", region_.courts[c.sent ? c.crown : c.court].name)
      .Str("kind", "immediate_custody")
      .Str("length", length.text)
      .Date("expected_release_date", term.release)
      .Date("licence_end_date", term.sed);
  Emit(t, "sentence.imposed", court_source, IdPolicy::kCourt, body);

  if (custody_.serving && custody_.in && custody_.term.release > term.release) {
    return;  // concurrent with a longer sentence already being served
  }
  custody_.term = term;
  custody_.serving = true;
  custody_.release_waiting = CustodyState::Waiting::kNothing;  // this sentence's release instead
  for (auto& other : cases_) {
    if (&other != &c)
      other.held = other.held && other.open;
  }
  std::int64_t received = t + Days(rng_.Uniform(0.15, 0.3));
  // Due out the day they are sentenced (time served on remand): back from court that evening,
  // so that they can be released on the day.
  if (DayOf(term.release) == DayOf(t))
    received = std::min(received, DayOf(t) + 21 * kHour);
  Serve(received);
}

void Lifetime::HeldOn(std::int64_t t, Case& c) {
  if (c.held)
    return;
  c.held = true;
  // Remand counts towards a sentence only while it is what holds them.
  c.remanded_since = custody_.serving ? 0 : t;
}

bool Lifetime::RemandedInCustody(int except) const {
  for (std::size_t i = 0; i < cases_.size(); ++i) {
    if (static_cast<int>(i) != except && cases_[i].open && cases_[i].held)
      return true;
  }
  return false;
}

void Lifetime::ReleaseFromRemand(std::int64_t t, int closing, ReleaseReason reason) {
  cases_[closing].held = false;
  if (!custody_.in || custody_.basis != events::CustodyBasis::kRemand)
    return;
  // Still remanded in another case: stays.
  if (RemandedInCustody(closing))
    return;
  // Held past a release from a sentence or recall: that release, now.
  switch (std::exchange(custody_.release_waiting, CustodyState::Waiting::kNothing)) {
    case CustodyState::Waiting::kSentenceRelease:
      return Release(t, false);
    case CustodyState::Waiting::kRecallRelease:
      return EndRecall(t);
    case CustodyState::Waiting::kNothing:
      break;
  }
  Released(t, reason);
}

}  // namespace throughline::generator
