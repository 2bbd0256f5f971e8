// Receptions, allocation and transfers, open prison and temporary absence, release, and the
// removal of foreign nationals.

#include <algorithm>
#include <array>

#include "tools/generator/lifetime.h"
#include "tools/generator/sim_time.h"

namespace throughline::generator {

namespace {

using events::CustodyBasis;
using events::ReleaseReason;
using events::TransferReason;

constexpr int kRotl = 0, kHospital = 1, kSpecialPurpose = 2;

// Prisons release in the morning, on weekdays.
std::int64_t ReleaseTime(Rng& rng, std::int64_t day) {
  return WorkingDay(day) + 8 * kHour + rng.Range(0, 7) * 15 * kMinute;
}

}  // namespace

int Lifetime::LocalPrison(int force) {
  const Force& f = region_.forces[force];
  const auto& codes = female_ ? f.reception_women : f.reception_men;
  // The first reception prison takes most.
  const std::size_t i =
      codes.size() > 1 && rng_.Chance(0.35) ? 1 + rng_.Index(codes.size() - 1) : 0;
  return region_.PrisonIndex(codes[i]);
}

void Lifetime::Receive(std::int64_t t, int prison, CustodyBasis basis) {
  custody_.in = true;
  custody_.prison = prison;
  custody_.basis = basis;
  ++custody_.token;
  ++custody_.moves;
  const PrisonSite& site = region_.prisons[prison];
  Body body;
  const bool v1 = Custody1();
  body.Str(v1 ? "establishment" : "prison", site.code).Str("basis", events::EnumName(basis));
  Emit(t, "custody.received", site.source, IdPolicy::kPrison, body, v1 ? 1 : 2);

  if (basis == CustodyBasis::kRecall) {
    std::int64_t out;
    switch (custody_.recall) {
      case events::RecallKind::kFixedTerm14:
        out = t + Days(14);
        break;
      case events::RecallKind::kFixedTerm28:
        out = t + Days(28);
        break;
      case events::RecallKind::kFixedTerm56:
        out = t + Days(56);
        break;
      case events::RecallKind::kHdcCurfewBreach:
        out = std::max(custody_.term.release, t + Days(7));
        break;
      default:
        out = t + Days(rng_.LogUniform(60, 540));
        break;
    }
    // Held to the end of the sentence when that comes first.
    out = std::min(out, std::max(licence_.end, t + kDay));
    Schedule(ReleaseTime(rng_, out), ActionKind::kRecallRelease, custody_.token);
    return;
  }
  if (basis != CustodyBasis::kSentenced)
    return;
  const Term& term = custody_.term;
  if (term.release <= t + Days(2)) {
    // Within two hours, and on the day they are due when that is today.
    std::int64_t out = t + 2 * kHour;
    if (DayOf(term.release) == DayOf(t))
      out = std::min(out, std::max(t + 10 * kMinute, DayOf(t) + kDay - 30 * kMinute));
    Schedule(out, ActionKind::kRelease, custody_.token, 0);
    return;
  }
  const bool hdc = term.hdc > t;
  Schedule(hdc ? term.hdc : term.release, ActionKind::kRelease, custody_.token, hdc ? 1 : 0);
  if (term.release - t > Days(56))
    Schedule(t + Days(rng_.Range(14, 70)), ActionKind::kTransfer, custody_.token);
  if (term.months >= 6)
    Schedule(At(WorkingDay(t + Days(rng_.Range(21, 56))), 11), ActionKind::kRiskReview);
  if (foreign_ && term.months >= 12)
    Schedule(std::max(t + Days(60), term.release - Days(rng_.Range(60, 240))),
             ActionKind::kDeportationOrder);
  if (mappa_category_ != 0)
    Schedule(std::max(t + Days(30), term.release - Days(180)), ActionKind::kMappaReview);
  if (rng_.Chance(0.04)) {
    Schedule(t + static_cast<std::int64_t>(rng_.Uniform(0.1, 0.9) *
                                           static_cast<double>(term.release - t)),
             ActionKind::kAbsence, custody_.moves, kHospital);
  } else if (rng_.Chance(0.02)) {
    Schedule(t + static_cast<std::int64_t>(rng_.Uniform(0.1, 0.9) *
                                           static_cast<double>(term.release - t)),
             ActionKind::kAbsence, custody_.moves, kSpecialPurpose);
  }
}

void Lifetime::Serve(std::int64_t t) {
  const int prison = custody_.in ? custody_.prison : LocalPrison(force_);
  Receive(t, prison, CustodyBasis::kSentenced);
}

void Lifetime::StartInCustody(std::int64_t t) {
  // Sentenced before the period began: nothing of it was published, so the first events are
  // the prison's, and the log starts in the middle of the sentence.
  Term term;
  term.group = main_group_;
  term.seriousness = 4;
  term.months = rng_.LogUniform(36, 180);
  const double custodial = term.months >= 84 ? 2.0 / 3 : 0.5;
  term.sentenced = t - Months(term.months * custodial * rng_.Uniform(0.1, 0.95));
  term.release = At(WorkingDay(term.sentenced + Months(term.months * custodial)), 9);
  term.sed = term.sentenced + Months(term.months);
  custody_.term = term;
  custody_.serving = true;
  custody_.in = true;
  custody_.basis = CustodyBasis::kSentenced;
  ++custody_.token;
  PrisonRole role = PrisonRole::kTraining;
  if (main_group_ == OffenceGroup::kSexual)
    role = PrisonRole::kSexOffender;
  else if (term.months >= 96 && rng_.Chance(0.4))
    role = PrisonRole::kHighSecurity;
  if (female_)
    role = PrisonRole::kWomenClosed;
  custody_.prison = rng_.Pick(region_.PrisonsWithRole(role));
  probation_known_ = true;
  if (main_group_ == OffenceGroup::kSexual)
    RegisterMappa(t, 1);
  else if (main_group_ == OffenceGroup::kViolence)
    RegisterMappa(std::max(t, term.release - Days(180)), 2);
  AssessRisk(t + Days(rng_.Uniform(0, 5)));
  Schedule(term.release, ActionKind::kRelease, custody_.token, 0);
  Schedule(t + Days(rng_.Range(20, 200)), ActionKind::kTransfer, custody_.token);
}

void Lifetime::Move(std::int64_t t) {
  if (!custody_.serving || custody_.basis != CustodyBasis::kSentenced)
    return;
  const Term& term = custody_.term;
  const std::int64_t out = term.hdc > t ? term.hdc : term.release;
  if (out - t < Days(14))
    return;
  const PrisonSite& here = region_.prisons[custody_.prison];
  auto pick = [&](PrisonRole role) {
    auto candidates = region_.PrisonsWithRole(role);
    std::erase(candidates, custody_.prison);
    return candidates.empty() ? -1 : rng_.Pick(candidates);
  };
  int to = -1;
  TransferReason reason = TransferReason::kPopulationManagement;
  const bool local = here.role == PrisonRole::kLocal || here.role == PrisonRole::kWomenLocal;
  const bool open = here.role == PrisonRole::kOpen || here.role == PrisonRole::kWomenOpen;
  if (local) {
    reason = TransferReason::kAllocation;
    if (female_) {
      to = pick(PrisonRole::kWomenClosed);
    } else if (term.group == OffenceGroup::kSexual) {
      to = rng_.Chance(0.6) ? region_.PrisonIndex("UKI") : pick(PrisonRole::kSexOffender);
    } else if (term.seriousness >= 4 && term.months >= 48 && rng_.Chance(0.35)) {
      to = pick(PrisonRole::kHighSecurity);
    } else {
      const double u = rng_.Uniform();
      const bool north = region_.forces[force_].code == "north-wales";
      if (u < (north ? 0.15 : 0.4))
        to = region_.PrisonIndex("PRI");
      else if (u < 0.7)
        to = region_.PrisonIndex("BWI");
      else
        to = pick(PrisonRole::kTraining);  // one of the English training prisons, mostly
    }
  } else if (!open && term.months >= 18 && out - t < Months(24) && out - t > Days(60) &&
             (term.group != OffenceGroup::kSexual || rng_.Chance(0.3)) && rng_.Chance(0.55)) {
    reason = TransferReason::kRecategorisation;
    to = female_ ? pick(PrisonRole::kWomenOpen)
                 : (rng_.Chance(0.8) ? region_.PrisonIndex("UPI") : region_.PrisonIndex("LYI"));
  } else if (!here.wales && !open && !female_ && out - t < Days(150) && rng_.Chance(0.7)) {
    reason = TransferReason::kResettlement;
    to = region_.PrisonIndex(region_.forces[force_].reception_men[0]);
  } else if (!open) {
    static constexpr double kWeights[] = {0.5, 0.15, 0.1, 0.1, 0.05, 0.1};
    static constexpr TransferReason kReasons[] = {TransferReason::kPopulationManagement,
                                                  TransferReason::kSecurity,
                                                  TransferReason::kHealthcare,
                                                  TransferReason::kCourtProximity,
                                                  TransferReason::kOther,
                                                  TransferReason::kRecategorisation};
    reason = kReasons[rng_.Weighted(kWeights)];
    to = pick(female_ ? PrisonRole::kWomenClosed
                      : (term.group == OffenceGroup::kSexual ? PrisonRole::kSexOffender
                                                             : PrisonRole::kTraining));
  }
  if (to >= 0 && to != custody_.prison)
    Transfer(t, reason, to);
  NextMove(t);
}

void Lifetime::NextMove(std::int64_t t) {
  const Term& term = custody_.term;
  const std::int64_t next = t + Days(rng_.Exponential(300));
  if (next < term.release - Days(14))
    Schedule(next, ActionKind::kTransfer, custody_.token);
}

void Lifetime::Transfer(std::int64_t t, TransferReason reason, int to) {
  const PrisonSite& from = region_.prisons[custody_.prison];
  const PrisonSite& dest = region_.prisons[to];
  Body body;
  const bool v1 = Custody1();
  body.Str(v1 ? "from_establishment" : "from_prison", from.code)
      .Str(v1 ? "to_establishment" : "to_prison", dest.code)
      .Str("reason", events::EnumName(reason));
  Emit(t, "custody.transferred", from.source, IdPolicy::kPrison, body, v1 ? 1 : 2);
  custody_.prison = to;
  ++custody_.moves;
  if (dest.role == PrisonRole::kOpen || dest.role == PrisonRole::kWomenOpen)
    Schedule(At(t + Days(rng_.Range(28, 56)), 8), ActionKind::kAbsence, custody_.moves, kRotl);
}

void Lifetime::Absence(std::int64_t t, int kind) {
  const PrisonSite& site = region_.prisons[custody_.prison];
  events::AbsenceKind absence = events::AbsenceKind::kHospital;
  std::int64_t back = t + Days(rng_.Uniform(0.3, 5));
  if (kind == kRotl) {
    if (female_ && rng_.Chance(0.2)) {
      absence = events::AbsenceKind::kChildcareResettlementLeave;
      back = At(t + Days(rng_.Range(1, 3)), 18);
    } else if (rng_.Chance(0.35)) {
      absence = events::AbsenceKind::kResettlementOvernightRelease;
      back = At(t + Days(rng_.Range(1, 4)), 18);
    } else {
      absence = events::AbsenceKind::kResettlementDayRelease;
      back = At(t, 18);
    }
  } else if (kind == kSpecialPurpose) {
    absence = events::AbsenceKind::kSpecialPurposeLicence;
    back = t + 6 * kHour;
  }
  Body started;
  started.Str("prison", site.code)
      .Str("kind", events::EnumName(absence))
      .Time("expected_return", back);
  Emit(t, "custody.temporary_absence.started", site.source, IdPolicy::kPrison, started);
  const bool returned = kind != kRotl || rng_.Chance(0.985);
  Body ended;
  ended.Str("prison", site.code).Str("outcome", returned ? "returned" : "failed_to_return");
  const std::int64_t end = returned ? back - rng_.Range(0, 90) * kMinute : back + 4 * kHour;
  Emit(end, "custody.temporary_absence.ended", site.source, IdPolicy::kPrison, ended);
  if (!returned) {
    // Unlawfully at large until caught, then back to a closed prison to finish the sentence.
    ++custody_.token;
    Receive(end + Days(rng_.Range(2, 30)), LocalPrison(force_), CustodyBasis::kSentenced);
    return;
  }
  const std::int64_t next = At(end + Days(rng_.Range(10, 40)), 8);
  if (kind == kRotl && next < custody_.term.release - Days(2))
    Schedule(next, ActionKind::kAbsence, custody_.moves, kRotl);
}

void Lifetime::Released(std::int64_t t, ReleaseReason reason) {
  custody_.release_waiting = CustodyState::Waiting::kNothing;
  const PrisonSite& site = region_.prisons[custody_.prison];
  Body body;
  const bool v1 = Custody1();
  body.Str(v1 ? "establishment" : "prison", site.code).Str("reason", events::EnumName(reason));
  Emit(t, "custody.released", site.source, IdPolicy::kPrison, body, v1 ? 1 : 2);
  custody_.in = false;
  ++custody_.token;
}

void Lifetime::HoldOnRemand(std::int64_t t, CustodyState::Waiting waiting) {
  custody_.serving = false;
  for (Case& c : cases_) {
    if (c.open && c.held && c.remanded_since == 0)
      c.remanded_since = t;  // from now the remand is what holds them, and counts
  }
  Receive(t, custody_.prison, CustodyBasis::kRemand);  // the prison records the new basis
  custody_.release_waiting = waiting;
}

void Lifetime::Release(std::int64_t t, bool hdc) {
  const Term& term = custody_.term;
  // Remanded in custody on another case: no curfew release; at the release date, held on
  // that remand rather than released.
  if (RemandedInCustody()) {
    if (hdc) {
      Schedule(term.release, ActionKind::kRelease, custody_.token, 0);
      return;
    }
    return HoldOnRemand(t, CustodyState::Waiting::kSentenceRelease);
  }
  custody_.serving = false;
  if (fno_ == 2) {
    if (rng_.Chance(0.45)) {
      // Held under immigration powers after the sentence, then removed.
      Receive(t, custody_.prison, CustodyBasis::kImmigration);
      Schedule(t + Days(rng_.Range(14, 120)), ActionKind::kRemoval, custody_.token);
      return;
    }
    return Removal(t);
  }
  if (hdc) {
    Released(t, ReleaseReason::kHomeDetentionCurfew);
    StartLicence(t + Days(rng_.Uniform(0.05, 0.15)), events::LicenceKind::kHomeDetentionCurfew,
                 true);
  } else if (term.sed <= t + kDay) {
    Released(t, ReleaseReason::kEndOfSentence);
    if (licence_.active)
      LicenceEnd(t + kHour);
  } else {
    Released(t, ReleaseReason::kLicence);
    StartLicence(t + Days(rng_.Uniform(0.05, 0.15)), term.licence, true);
  }
  ConsiderIom(t, true);
  const bool acquisitive =
      term.group == OffenceGroup::kAcquisitive || term.group == OffenceGroup::kDrugs;
  const std::int64_t soon = t + Days(rng_.Uniform(0, 21));
  if (rng_.Chance(0.3))
    Refer(soon, events::InterventionKind::kAccommodation);
  if (rng_.Chance(acquisitive ? 0.6 : 0.2))
    Refer(soon, events::InterventionKind::kSubstanceMisuse);
  if (rng_.Chance(0.2))
    Refer(soon, events::InterventionKind::kEmploymentTraining);
  if (term.group == OffenceGroup::kSexual && rng_.Chance(0.2))
    Refer(soon, events::InterventionKind::kCosa);
  if ((term.group == OffenceGroup::kSexual || term.group == OffenceGroup::kViolence ||
       term.group == OffenceGroup::kDomestic) &&
      rng_.Chance(0.3))
    Refer(soon, events::InterventionKind::kAccreditedProgramme);
  if (rng_.Chance(0.08))
    Refer(soon, events::InterventionKind::kMentalHealth);
  if (rng_.Chance(0.05))
    Refer(soon, events::InterventionKind::kDebt);
  if (female_ && rng_.Chance(0.4))
    Refer(soon, events::InterventionKind::kWomensPathfinder);
  if (rng_.Chance(0.04))
    Refer(soon, events::InterventionKind::kFamilySupport);
}

void Lifetime::RecallRelease(std::int64_t t) {
  if (custody_.basis != CustodyBasis::kRecall)
    return;
  if (RemandedInCustody())
    return HoldOnRemand(t, CustodyState::Waiting::kRecallRelease);
  EndRecall(t);
}

void Lifetime::EndRecall(std::int64_t t) {
  if (!licence_.active || licence_.end <= t + kDay) {
    Released(t, ReleaseReason::kEndOfSentence);
    if (licence_.active)
      LicenceEnd(t + kHour);
    return;
  }
  Released(t, ReleaseReason::kLicence);
  StartLicence(t + Days(rng_.Uniform(0.05, 0.15)), events::LicenceKind::kStandard, false);
}

void Lifetime::Removal(std::int64_t t) {
  Released(t, ReleaseReason::kDeported);
  Body body;
  body.Str("status", "removed").Str("reference", home_office_ref_);
  Emit(t + Days(rng_.Uniform(0.2, 2)), "immigration.status_changed", region_.immigration_source,
       IdPolicy::kImmigration, body);
  if (mappa_category_ != 0) {
    mappa_category_ = 0;
    Body dereg;
    dereg.Str("reason", "Removed from the UK");
    Emit(t + Days(rng_.Uniform(2, 20)), "mappa.deregistered", region_.mappa_source,
         IdPolicy::kPartnership, dereg);
  }
  if (iom_) {
    iom_ = false;
    Body exited;
    exited.Str("reason", "Removed from the UK");
    Emit(t + Days(rng_.Uniform(2, 20)), "iom.exited", HomeForce().iom_source,
         IdPolicy::kPartnership, exited);
  }
  removed_ = true;
}

void Lifetime::DeportationOrder(std::int64_t t) {
  if (!foreign_ || fno_ == 2 || !custody_.in)
    return;
  if (fno_ == 0)
    ForeignNational(t);
  if (!rng_.Chance(0.75))
    return;
  fno_ = 2;
  Body body;
  body.Str("status", "deportation_order").Str("reference", home_office_ref_);
  Emit(t + kHour, "immigration.status_changed", region_.immigration_source, IdPolicy::kImmigration,
       body);
}

}  // namespace throughline::generator
