#include "projections/fold.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "events/reference_data.h"

namespace throughline::projections {

namespace {

using events::Timestamp;

// (time, source, id): the order events are applied in.
auto KeyOf(const events::Event& e) { return std::tie(e.time.unix_ms, e.source, e.id); }

template <class T>
void InsertSorted(std::vector<T>* v, const T& x) {
  auto it = std::lower_bound(v->begin(), v->end(), x);
  if (it == v->end() || !(*it == x))
    v->insert(it, x);
}

template <class T>
void EraseSorted(std::vector<T>* v, const T& x) {
  auto it = std::lower_bound(v->begin(), v->end(), x);
  if (it != v->end() && *it == x)
    v->erase(it);
}

bool IsRetraction(const events::Event& e) {
  return std::holds_alternative<events::EventRetracted>(e.data);
}

std::string PrisonName(const std::string& code) {
  const events::Prison* prison = events::FindPrison(code);
  return prison ? std::string(prison->name) : "prison " + code;
}

// Time-bound states end when their date has passed, whether or not an event said so.
void LapseAt(PersonView* v, events::Date day) {
  if (v->bail && v->bail->until && day > *v->bail->until)
    v->bail.reset();
  if (v->licence && !v->licence->recalled && day > v->licence->end_date)
    v->licence.reset();
  if (v->supervision && v->supervision->end_date && day > *v->supervision->end_date)
    v->supervision.reset();
  if (v->suspended_until && day > *v->suspended_until)
    v->suspended_until.reset();
}

Stage StageOf(const PersonView& v) {
  if (v.deceased)
    return Stage::kDeceased;
  if (v.removed_from_uk)
    return Stage::kRemovedFromUk;
  if (v.custody)
    return Stage::kInCustody;
  if (v.licence)
    return Stage::kOnLicence;
  if (v.supervision)
    return Stage::kCommunitySupervision;
  if (!v.awaiting_sentence.empty())
    return Stage::kAwaitingSentence;
  if (!v.open_charges.empty())
    return Stage::kPreConviction;
  if (v.sentence)
    return Stage::kPostSentence;
  return Stage::kPreConviction;
}

// Applies one event's meaning to the state. One method per event type; the visit picks it.
class Applier {
 public:
  Applier(ProjectionState* state, const FoldInputRef& input)
      : s_(*state), v_(state->view), in_(input), t_(input.event->time), day_(events::DateOf(t_)) {}

  void Run() {
    Lapse();
    std::visit(*this, in_.event->data);
    if (in_.identity_conflicts > 0) {
      Raise(AlertRule::kIdentityConflict, "publisher:" + in_.event->source, std::nullopt,
            fmt::format("{} identifier(s) on {} {} belong to another person; the event went to "
                        "the person of its strongest identifier",
                        in_.identity_conflicts, in_.event->source, in_.event->id));
    }
    for (const auto& id : in_.event->person.identifiers())
      InsertSorted(&v_.identifiers, id);
    v_.stage = StageOf(v_);
    ++v_.events;
    if (!v_.first_event)
      v_.first_event = t_;
    v_.last_event = t_;
    v_.last_source = in_.event->source;
    v_.last_id = in_.event->id;
  }

  // police
  void operator()(const events::ArrestRecorded& a) {
    ++v_.counts.arrests;
    if (v_.bail)
      ++v_.counts.offences_on_bail;
    const bool on_licence = v_.licence && !v_.licence->recalled;
    const bool suspended = v_.suspended_until ||
                           (v_.supervision && v_.supervision->kind ==
                                                  events::SupervisionKind::kSuspendedSentenceOrder);
    if (on_licence || suspended)
      ++v_.counts.offences_on_licence_or_suspended;
    v_.force = a.force;
  }
  void operator()(const events::ChargeRecorded& c) {
    ++v_.counts.charges;
    InsertSorted(&v_.open_charges, c.charge_id);
  }
  void operator()(const events::ChargeDisposed& c) {
    EraseSorted(&v_.open_charges, c.charge_id);
    // A conviction keeps bail until sentence; any other end of the last open charge ends it.
    if (c.outcome != events::ChargeOutcome::kConvicted && v_.open_charges.empty())
      EndBailWith(c.case_id);
  }
  void operator()(const events::OutOfCourtDisposal& d) {
    ++v_.counts.out_of_court_disposals;
    if (d.kind == events::DisposalKind::kCaution ||
        d.kind == events::DisposalKind::kConditionalCaution) {
      ++v_.counts.cautions;
    }
  }
  void operator()(const events::BailGranted& b) {
    v_.bail = Bail{t_, b.granted_by, b.case_id, b.until};
  }
  void operator()(const events::BailBreached&) {}

  // courts
  void operator()(const events::CourtHearing& h) {
    AddCase(h.case_id);
    switch (h.outcome) {
      case events::HearingOutcome::kRemandedInCustody:
        ++v_.counts.remands;
        v_.bail.reset();
        break;
      case events::HearingOutcome::kRemandedOnBail:
        ++v_.counts.remands;
        v_.bail = Bail{t_, events::BailGrantor::kCourt, h.case_id, h.next_hearing};
        break;
      case events::HearingOutcome::kCaseClosed:
        EraseSorted(&v_.awaiting_sentence, h.case_id);
        EndBailWith(h.case_id);
        break;
      default:
        break;
    }
  }
  void operator()(const events::ConvictionRecorded& c) {
    ++v_.counts.convictions;
    AddCase(c.case_id);
    InsertSorted(&v_.awaiting_sentence, c.case_id);
    for (const auto& charge : c.charge_ids)
      EraseSorted(&v_.open_charges, charge);
  }
  void operator()(const events::SentenceImposed& s) {
    AddCase(s.case_id);
    EraseSorted(&v_.awaiting_sentence, s.case_id);
    // A sentence imposed on someone serving one that releases them later runs inside it
    // (concurrent, or a non-custodial one for another case): the prison still works to the
    // later date, so the view keeps the sentence served, its release date, its cohort entry
    // and its pending alert.
    const bool inside_served = ServedSentenceOutlasts(s);
    if (!inside_served) {
      v_.sentence =
          Sentence{s.case_id, s.kind, t_, s.length, s.expected_release_date, s.licence_end_date};
    }
    v_.bail.reset();
    if (s.kind == events::SentenceKind::kSuspended && s.length) {
      v_.suspended_until = events::AddPeriod(day_, *s.length);
    }
    if (s.kind == events::SentenceKind::kImmediateCustody) {
      ++v_.counts.custodial_sentences;
      if (inside_served)
        return;
      // Already in prison (on remand, or recalled), they now serve it: a prison need not
      // publish a reception to say so.
      if (v_.custody)
        v_.custody->basis = events::CustodyBasis::kSentenced;
      // A new custodial sentence supersedes the release date the prison was working to.
      Resolve(AlertRule::kReleaseOverdue, t_);
      if (s.expected_release_date) {
        const Timestamp due{(s.expected_release_date->days + 1) * events::kMillisPerDay};
        Raise(AlertRule::kReleaseOverdue, PrisonAgency(), due,
              fmt::format("expected release date {} passed and no release has been recorded",
                          events::FormatDate(*s.expected_release_date)));
      }
    }
  }

  // custody
  void operator()(const events::CustodyReceived& r) {
    // Received again while held: the same stay goes on, on the basis given.
    const bool already_there = v_.custody && v_.custody->prison == r.prison;
    // Held on after a sentence, on remand for another case or under immigration powers: the
    // sentence's release date is no longer the day the prison must release them.
    if (v_.custody &&
        (v_.custody->basis == events::CustodyBasis::kSentenced ||
         v_.custody->basis == events::CustodyBasis::kRecall) &&
        (r.basis == events::CustodyBasis::kRemand ||
         r.basis == events::CustodyBasis::kImmigration)) {
      Resolve(AlertRule::kReleaseOverdue, t_);
    }
    if (!v_.custody) {
      v_.custody_episodes.push_back(CustodyEpisode{t_, std::nullopt, r.basis, {r.prison}, {}});
    } else if (!v_.custody_episodes.empty() &&
               v_.custody_episodes.back().prisons.back() != r.prison) {
      v_.custody_episodes.back().prisons.push_back(r.prison);
    }
    v_.custody = Custody{r.prison, r.basis, v_.custody ? v_.custody->since : t_, false, false};
    v_.bail.reset();
    UpdatePrisonAgencies();
    std::vector<std::string> why;
    if (v_.iom)
      why.push_back(fmt::format("managed under IOM ({})", events::EnumName(v_.iom->cohort)));
    if (v_.mappa) {
      why.push_back(fmt::format("managed under MAPPA category {} level {}", v_.mappa->category,
                                v_.mappa->level));
    }
    if (v_.flags.ocg_linked)
      why.push_back("linked to an organised crime group");
    // The prison holding them already knows who they hold: a change of basis tells it nothing.
    if (!why.empty() && !already_there) {
      Raise(AlertRule::kFlaggedPersonReceived, "prison:" + r.prison, std::nullopt,
            fmt::format("{} received ({}) a person {}", PrisonName(r.prison),
                        events::EnumName(r.basis), fmt::join(why, "; ")));
    }
  }
  void operator()(const events::CustodyTransferred& t) {
    if (!v_.custody) {
      // A transfer of someone not known to be inside: their reception was never published
      // (or not yet). They are in custody from here, on the basis they last had.
      const auto basis = v_.custody_episodes.empty() ? events::CustodyBasis::kSentenced
                                                     : v_.custody_episodes.back().basis;
      const std::string first = t.from_prison.value_or(t.to_prison);
      v_.custody_episodes.push_back(CustodyEpisode{t_, std::nullopt, basis, {first}, {}});
      v_.custody = Custody{first, basis, t_, false, false};
      if (first == t.to_prison) {
        UpdatePrisonAgencies();
        return;
      }
    }
    v_.custody->prison = t.to_prison;
    v_.custody_episodes.back().prisons.push_back(t.to_prison);
    UpdatePrisonAgencies();
  }
  void operator()(const events::CustodyReleased& r) {
    if (v_.custody && !v_.custody_episodes.empty()) {
      v_.custody_episodes.back().released = t_;
      v_.custody_episodes.back().release_reason = r.reason;
    }
    v_.custody.reset();
    Resolve(AlertRule::kReleaseOverdue, t_);
    using R = events::ReleaseReason;
    if (r.reason == R::kLicence || r.reason == R::kHomeDetentionCurfew) {
      if (v_.licence) {
        v_.licence->recalled = false;  // back on the same licence after a recall
      } else {
        Raise(AlertRule::kNoLicenceAfterRelease, "probation",
              Timestamp{t_.unix_ms + kLicenceGraceMs},
              fmt::format("released from {} on {} and no licence has started within 2 days",
                          PrisonName(r.prison), events::EnumName(r.reason)));
      }
    } else if (r.reason == R::kBail) {
      v_.bail = Bail{t_, events::BailGrantor::kCourt, std::nullopt, std::nullopt};
    } else if (r.reason == R::kDeported) {
      v_.removed_from_uk = true;
    }
    if (v_.mappa && v_.mappa->level >= 2) {
      Raise(
          AlertRule::kMappaRelease,
          v_.mappa->area.empty() ? std::string("mappa") : "mappa:" + v_.mappa->area, std::nullopt,
          fmt::format("MAPPA category {} level {} person released from {} ({})", v_.mappa->category,
                      v_.mappa->level, PrisonName(r.prison), events::EnumName(r.reason)));
    }
    if (v_.flags.foreign_national && !v_.flags.deportation_order && r.reason != R::kDeported) {
      Raise(AlertRule::kForeignNationalReleased, "immigration", std::nullopt,
            fmt::format("foreign national released from {} with no immigration decision recorded",
                        PrisonName(r.prison)));
    }
  }
  void operator()(const events::TemporaryAbsenceStarted&) {
    if (v_.custody)
      v_.custody->temporarily_absent = true;
  }
  void operator()(const events::TemporaryAbsenceEnded& e) {
    if (!v_.custody)
      return;
    if (e.outcome == events::AbsenceOutcome::kReturned) {
      v_.custody->temporarily_absent = false;
      v_.custody->unlawfully_at_large = false;
    } else {
      v_.custody->unlawfully_at_large = true;
      // At large before the day they were due out, there is no release to make on it: the time
      // at large moves the date, by a calculation the prison publishes no event for.
      Resolve(AlertRule::kReleaseOverdue, t_);
    }
  }
  // The older dataversions never reach the fold: the read path upcasts them.
  void operator()(const events::CustodyReceivedV1&) {}
  void operator()(const events::CustodyTransferredV2&) {}
  void operator()(const events::CustodyTransferredV1&) {}
  void operator()(const events::CustodyReleasedV1&) {}

  // probation
  void operator()(const events::LicenceStarted& l) {
    v_.licence = Licence{t_,           l.kind.value_or(events::LicenceKind::kStandard),
                         l.end_date,   l.area,
                         l.conditions, false,
                         std::nullopt};
    Resolve(AlertRule::kNoLicenceAfterRelease, t_);
  }
  void operator()(const events::LicenceVaried& l) {
    if (!v_.licence)
      return;
    for (const auto& c : l.conditions_removed) {
      auto& conditions = v_.licence->conditions;
      conditions.erase(std::remove(conditions.begin(), conditions.end(), c), conditions.end());
    }
    for (const auto& c : l.conditions_added)
      v_.licence->conditions.push_back(c);
    if (l.end_date)
      v_.licence->end_date = *l.end_date;
  }
  void operator()(const events::LicenceBreached&) { ++v_.counts.licence_breaches; }
  void operator()(const events::LicenceRecalled& r) {
    ++v_.counts.recalls;
    if (v_.licence) {
      v_.licence->recalled = true;
      v_.licence->recall_kind = r.kind;
    }
    Raise(AlertRule::kRecall, v_.force ? "police:" + *v_.force : std::string("police"),
          std::nullopt, fmt::format("recalled to custody ({})", events::EnumName(r.kind)));
  }
  void operator()(const events::LicenceEnded&) { v_.licence.reset(); }
  void operator()(const events::SupervisionStarted& s) {
    v_.supervision = Supervision{t_, s.kind, s.area, s.end_date, s.requirements};
  }
  void operator()(const events::SupervisionEnded&) { v_.supervision.reset(); }
  void operator()(const events::EmTagFitted& e) { v_.flags.electronic_monitoring = e.kind; }
  void operator()(const events::EmTagViolation&) {}
  void operator()(const events::EmTagRemoved&) { v_.flags.electronic_monitoring.reset(); }

  // interventions
  void operator()(const events::InterventionReferred& i) { Open(i, false); }
  void operator()(const events::InterventionStarted& i) { Open(i, true); }
  void operator()(const events::InterventionCompleted& i) { Close(i.referral_id); }
  void operator()(const events::InterventionExited& i) { Close(i.referral_id); }

  // partnership
  void operator()(const events::IomAdopted& i) { v_.iom = Iom{i.cohort, i.selection_reason, t_}; }
  void operator()(const events::IomExited&) { v_.iom.reset(); }
  void operator()(const events::MappaRegistered& m) {
    v_.mappa = Mappa{m.category, m.level, m.area, t_};
  }
  void operator()(const events::MappaLevelChanged& m) {
    if (!v_.mappa)
      v_.mappa = Mappa{0, 0, "", t_};
    v_.mappa->level = m.level;
    if (m.category)
      v_.mappa->category = *m.category;
  }
  void operator()(const events::MappaDeregistered&) { v_.mappa.reset(); }
  void operator()(const events::RiskAssessed& r) {
    Risk risk = v_.risk.value_or(Risk{});
    if (r.ogrs_2yr) {
      risk.ogrs_2yr = r.ogrs_2yr;
      risk.ogrs_band = events::OgrsBand(*r.ogrs_2yr);
    }
    if (r.rosh)
      risk.rosh = r.rosh;
    risk.assessed = t_;
    v_.risk = risk;
  }
  void operator()(const events::OcgLinked& o) {
    InsertSorted(&v_.flags.ocg_refs, o.ocg_ref);
    v_.flags.ocg_linked = true;
  }
  void operator()(const events::OcgUnlinked& o) {
    EraseSorted(&v_.flags.ocg_refs, o.ocg_ref);
    v_.flags.ocg_linked = !v_.flags.ocg_refs.empty();
  }
  void operator()(const events::SafeguardingConcernRaised& s) {
    InsertSorted(&v_.flags.safeguarding, s.kind);
  }
  void operator()(const events::ImmigrationStatusChanged& i) {
    v_.flags.foreign_national = true;
    if (i.status == events::ImmigrationStatus::kDeportationOrder)
      v_.flags.deportation_order = true;
    if (i.status == events::ImmigrationStatus::kRemoved)
      v_.removed_from_uk = true;
  }

  // identity and corrections
  void operator()(const events::IdentityMerged& m) {
    for (const auto& id : m.merged.identifiers())
      InsertSorted(&v_.identifiers, id);
  }
  void operator()(const events::IdentityUnmerged& u) {
    // They are somebody else's: the events they name moved with them. A later event of this
    // person that carries one again brings it back.
    for (const auto& id : u.unmerged.identifiers())
      EraseSorted(&v_.identifiers, id);
  }
  void operator()(const events::PersonDeceased&) {
    v_.deceased = t_;
    // Nobody will be released or put on licence after this: what was pending will not come.
    Resolve(AlertRule::kReleaseOverdue, t_);
    Resolve(AlertRule::kNoLicenceAfterRelease, t_);
  }
  void operator()(const events::EventRetracted& r) { InsertSorted(&v_.retracted, r.retracted); }

  // other systems: on the timeline only; what it means is not known, so nothing follows.
  void operator()(const events::External&) {}

 private:
  void Lapse() { LapseAt(&v_, day_); }

  // Bail is for a case: it ends with the case (`case_id`), unless the case was convicted and
  // awaits sentence. Bail tied to no case ends when nothing is left open.
  void EndBailWith(const std::optional<std::string>& case_id) {
    if (!v_.bail)
      return;
    const bool nothing_open = v_.open_charges.empty() && v_.awaiting_sentence.empty();
    const bool same_case = v_.bail->case_id && case_id && *v_.bail->case_id == *case_id;
    const bool awaiting = same_case && std::binary_search(v_.awaiting_sentence.begin(),
                                                          v_.awaiting_sentence.end(), *case_id);
    if ((same_case && !awaiting) || (!v_.bail->case_id && nothing_open))
      v_.bail.reset();
  }

  void AddCase(const std::string& case_id) {
    InsertSorted(&v_.cases, case_id);
    v_.counts.court_cases = static_cast<std::int32_t>(v_.cases.size());
  }

  void Open(const events::InterventionDetails& i, bool started) {
    auto it = std::lower_bound(
        v_.interventions.begin(), v_.interventions.end(), i.referral_id,
        [](const Intervention& x, const std::string& id) { return x.referral_id < id; });
    if (it == v_.interventions.end() || it->referral_id != i.referral_id) {
      it =
          v_.interventions.insert(it, Intervention{i.referral_id, i.kind, i.provider, started, t_});
    } else {
      it->started = it->started || started;
      it->since = t_;
      if (i.provider)
        it->provider = i.provider;
    }
  }
  void Close(const std::string& referral_id) {
    auto& list = v_.interventions;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const Intervention& x) { return x.referral_id == referral_id; }),
               list.end());
  }

  // In custody serving an immediate custodial sentence that releases them no earlier than `s`
  // would (a non-custodial sentence, or a custodial one with an earlier, the same or no date).
  bool ServedSentenceOutlasts(const events::SentenceImposed& s) const {
    if (!v_.custody || v_.custody->basis != events::CustodyBasis::kSentenced || !v_.sentence ||
        v_.sentence->kind != events::SentenceKind::kImmediateCustody ||
        !v_.sentence->expected_release_date) {
      return false;
    }
    return s.kind != events::SentenceKind::kImmediateCustody || !s.expected_release_date ||
           *s.expected_release_date <= *v_.sentence->expected_release_date;
  }

  std::string PrisonAgency() const {
    return v_.custody ? "prison:" + v_.custody->prison : std::string("prison");
  }

  // A pending release-date alert is for the prison that holds the person.
  void UpdatePrisonAgencies() {
    for (auto& a : s_.alerts) {
      if (a.rule == AlertRule::kReleaseOverdue && a.due && *a.due > t_)
        a.agency = PrisonAgency();
    }
  }

  void Raise(AlertRule rule, std::string agency, std::optional<Timestamp> due,
             std::string message) {
    s_.alerts.push_back(Alert{fmt::format("{}-{}", events::EnumName(rule), in_.sequence), rule,
                              v_.person, std::move(agency), t_, in_.sequence, due,
                              std::move(message)});
  }

  // Time-based alerts of `rule` still pending at `when` are answered by it: they never fire.
  // One already due stays: it was true when it was raised.
  void Resolve(AlertRule rule, Timestamp when) {
    auto& alerts = s_.alerts;
    alerts.erase(
        std::remove_if(alerts.begin(), alerts.end(),
                       [&](const Alert& a) { return a.rule == rule && a.due && when <= *a.due; }),
        alerts.end());
  }

  ProjectionState& s_;
  PersonView& v_;
  const FoldInputRef& in_;
  const Timestamp t_;
  const events::Date day_;
};

bool Before(const FoldInput& a, const FoldInput& b) {
  return std::tuple(KeyOf(a.event), a.sequence) < std::tuple(KeyOf(b.event), b.sequence);
}

}  // namespace

bool FollowsFold(const ProjectionState& state, const events::Event& e) {
  if (IsRetraction(e) || std::holds_alternative<events::IdentityMerged>(e.data) ||
      std::holds_alternative<events::IdentityUnmerged>(e.data)) {
    return false;
  }
  const PersonView& v = state.view;
  if (!v.retracted.empty() && std::binary_search(v.retracted.begin(), v.retracted.end(),
                                                 events::EventRef{e.source, e.id})) {
    return false;
  }
  if (v.events == 0 && v.retracted.empty())
    return true;
  if (!v.last_event)
    return false;
  return KeyOf(e) > std::tie(v.last_event->unix_ms, v.last_source, v.last_id);
}

bool FollowsFold(const ProjectionState& state, const FoldInput& input) {
  return FollowsFold(state, input.event);
}

void Apply(ProjectionState* state, const FoldInputRef& input) { Applier(state, input).Run(); }

void Apply(ProjectionState* state, const FoldInput& input) {
  Apply(state,
        FoldInputRef{input.sequence, input.appended_at, &input.event, input.identity_conflicts});
}

ProjectionState Fold(std::uint64_t person, std::span<const FoldInput> inputs) {
  std::set<events::EventRef> retracted;
  for (const auto& in : inputs) {
    if (const auto* r = std::get_if<events::EventRetracted>(&in.event.data)) {
      retracted.insert(r->retracted);
    }
  }
  // The inputs' addresses are sorted, not the inputs: each holds an event of about 500 bytes,
  // costly to move.
  std::vector<const FoldInput*> order;
  order.reserve(inputs.size());
  for (const auto& in : inputs)
    order.push_back(&in);
  std::sort(order.begin(), order.end(),
            [](const FoldInput* a, const FoldInput* b) { return Before(*a, *b); });
  ProjectionState state;
  state.view.person = person;
  state.view.retracted.assign(retracted.begin(), retracted.end());
  const FoldInput* previous = nullptr;
  for (const FoldInput* input : order) {
    const FoldInput& in = *input;
    const bool repeat = previous != nullptr && previous->event.source == in.event.source &&
                        previous->event.id == in.event.id;
    previous = &in;
    // The check builds a reference (two string copies): most persons have no retraction.
    if (repeat || IsRetraction(in.event) ||
        (!retracted.empty() && retracted.count(events::EventRef{in.event.source, in.event.id}))) {
      continue;
    }
    Apply(&state, in);
  }
  return state;
}

void AgeTo(ProjectionState* state, events::Timestamp t) {
  LapseAt(&state->view, events::DateOf(t));
  state->view.stage = StageOf(state->view);
}

ProjectionState FoldAt(std::uint64_t person, std::vector<FoldInput> inputs,
                       std::optional<events::Timestamp> as_of, const Knowledge& known) {
  std::erase_if(inputs, [&](const FoldInput& in) {
    if (!known.Knows(in))
      return true;
    return as_of && !IsRetraction(in.event) && in.event.time > *as_of;
  });
  ProjectionState state = Fold(person, inputs);
  if (as_of)
    AgeTo(&state, *as_of);
  return state;
}

}  // namespace throughline::projections
