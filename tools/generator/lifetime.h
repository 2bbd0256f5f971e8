// Lifetime: one synthetic person's life in the justice system, simulated as a small state
// machine that follows the real pathways of England and Wales:
//
//   offence -> arrest | summons | voluntary attendance
//     -> no further action | out-of-court disposal (women: the Pathfinder) | charges
//     -> police bail or held for court -> hearings (remanded on bail or in custody)
//     -> conviction of some charges, the rest withdrawn, discontinued, dismissed | acquittal
//     -> sentence: fine, discharge, community order, suspended sentence, immediate custody
//     -> reception, allocation, transfers, open prison and ROTL, HDC or release on licence
//     -> licence with conditions, breach, recall, re-release, licence end, post-sentence
//        supervision; community orders with requirements, electronic monitoring
//   and alongside: OASys risk assessments, IOM for prolific acquisitive offenders, MAPPA for
//   sexual and violent offenders, interventions, OCG links, safeguarding concerns, foreign
//   national offenders and deportation, duplicate identities merged, and death.
//
// Each step drafts the events it causes (at its own time or within hours after it) and
// schedules the steps that follow through the World. Random draws come from the person's own
// stream, so a life depends only on (seed, person index) and what the World assigns
// (case and referral serials).
//
// Not thread-safe; the Generator runs every Lifetime on one thread.

#ifndef THROUGHLINE_TOOLS_GENERATOR_LIFETIME_H_
#define THROUGHLINE_TOOLS_GENERATOR_LIFETIME_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/catalogue/courts.h"
#include "events/catalogue/custody.h"
#include "events/catalogue/interventions.h"
#include "events/catalogue/partnership.h"
#include "events/catalogue/police.h"
#include "events/catalogue/probation.h"
#include "tools/generator/body.h"
#include "tools/generator/offences.h"
#include "tools/generator/person_ids.h"
#include "tools/generator/region.h"
#include "tools/generator/rng.h"
#include "tools/generator/sim_time.h"
#include "tools/generator/world.h"

namespace throughline::generator {

struct LifetimeOptions {
  std::uint64_t seed = 1;
  // Share of custody events published as dataversion 1 (`establishment`). Default: 0.01
  double custody_v1 = 0.01;
};

class Lifetime {
 public:
  // When person `index` first appears, for the kStart step that constructs the Lifetime: the
  // population is created as the simulation reaches each person, not all at once.
  static std::int64_t FirstStep(const LifetimeOptions& options, std::uint32_t index,
                                std::int64_t start, std::int64_t end);

  Lifetime(World& world, const Region& region, const LifetimeOptions& options, std::uint32_t index);

  void Act(const Action& action);

  std::uint32_t index() const { return index_; }
  const PersonIds& ids() const { return ids_; }
  // The envelope writer's record of this person: ids issued, identifiers already published.
  std::uint32_t NextEventNumber() { return events_++; }
  std::uint8_t& published_identifiers() { return published_; }

 private:
  enum class Activity : unsigned char { kOnce, kOccasional, kRepeat, kProlific };

  // Drawn from a stream of their own, so FirstStep can draw them without the rest.
  struct Opening {
    Activity activity;
    bool legacy;
    std::int64_t first;
  };
  static Opening Open(const LifetimeOptions& options, std::uint32_t index, std::int64_t start,
                      std::int64_t end);

  struct Case {
    std::string urn;
    int force = 0;
    int court = 0;              // where it is heard now
    int crown = -1;             // the Crown Court it goes to, if it does
    std::vector<int> offences;  // one per charge, in charge order
    int seriousness = 1;
    OffenceGroup group = OffenceGroup::kOther;
    bool open = true;
    bool detained = false;  // kept in police custody for the first hearing
    bool held = false;      // remanded in custody
    bool sent = false;      // sent to the Crown Court
    bool convict = false;
    bool reoffended = false;  // arrested again while on bail in this case
    bool breached = false;    // broke a bail condition
    int hearings = 0;
    int planned = 1;  // hearings before the final one
    std::int64_t remanded_since = 0;
    std::string asn;
  };

  struct Term {  // a custodial sentence being served
    std::int64_t sentenced = 0;
    std::int64_t release = 0;  // conditional release date
    std::int64_t hdc = 0;      // release on home detention curfew, 0 when not
    std::int64_t sed = 0;      // sentence (and licence) end
    std::int64_t pss_end = 0;  // post-sentence supervision end, 0 when none
    double months = 0;
    events::LicenceKind licence = events::LicenceKind::kStandard;
    OffenceGroup group = OffenceGroup::kOther;
    int seriousness = 1;
  };

  struct CustodyState {
    bool in = false;
    int prison = -1;
    events::CustodyBasis basis = events::CustodyBasis::kRemand;
    std::uint32_t token = 0;  // changes with every reception, release and new sentence
    std::uint32_t moves = 0;  // changes with every transfer: absences belong to one prison
    bool serving = false;     // a Term, as opposed to remand only
    Term term;
    events::RecallKind recall = events::RecallKind::kStandard;
    // Due for release from a sentence or a recall while a court had them remanded in custody
    // on another case: held on that remand, and released as that release would have been once
    // no remand holds them.
    enum class Waiting : unsigned char { kNothing, kSentenceRelease, kRecallRelease };
    Waiting release_waiting = Waiting::kNothing;
  };

  struct LicenceState {
    bool active = false;
    std::uint32_t id = 0;     // one per licence: its end
    std::uint32_t phase = 0;  // changes on recall and re-release: breaches, variations
    events::LicenceKind kind = events::LicenceKind::kStandard;
    std::int64_t end = 0;
    std::int64_t pss_end = 0;
    bool hdc = false;  // on the curfew part of an HDC licence
    bool recalled = false;
    std::vector<std::string_view> conditions;
  };

  struct Order {  // a community or suspended sentence order, or post-sentence supervision
    events::SupervisionKind kind;
    std::int64_t end = 0;
    bool active = true;
  };

  struct Tag {
    events::TagKind kind;
    bool active = true;
    bool hdc = false;
  };

  struct Referral {
    std::string id;
    events::InterventionKind kind;
    int provider = 0;
    int stage = 0;  // 0 referred, 1 started
  };

  // lifetime.cc: the person, the arrest, identity and death.
  void Profile(const Opening& opening);
  void Start(std::int64_t t);
  void StartInCustody(std::int64_t t);
  void Offend(std::int64_t t);
  void Arrest(std::int64_t t);
  void OffendOnLicence(std::int64_t t, const OffenceInfo& offence);
  OffenceGroup PickGroup();
  int PickOffence(OffenceGroup group);
  void Merge(std::int64_t t, bool wrong);
  void Unmerge(std::int64_t t);
  void Die(std::int64_t t);

  // lifetime_courts.cc: out of court, charge, hearings, conviction and sentence.
  void OutOfCourt(std::int64_t t, int force, int offence, bool alt_identity);
  int OpenCase(std::int64_t t, int force, const std::vector<int>& offences, const std::string& asn);
  void Charge(std::int64_t t, int case_index);
  void Hearing(std::int64_t t, int case_index);
  void Conclude(std::int64_t t, Case& c, const std::string* court_source);
  void Sentence(std::int64_t t, int case_index);
  void ImmediateCustody(std::int64_t t, Case& c, const std::string& court_source);
  void ReleaseFromRemand(std::int64_t t, int closing_case, events::ReleaseReason reason);
  // Remanded in custody on `c` (charged while in prison, or so a court decided).
  void HeldOn(std::int64_t t, Case& c);
  // Whether a court has them remanded in custody on an open case other than `except`.
  bool RemandedInCustody(int except = -1) const;
  void BailBreach(std::int64_t t, int case_index);

  // lifetime_custody.cc: receptions, transfers, absences, release and removal.
  void Receive(std::int64_t t, int prison, events::CustodyBasis basis);
  void Serve(std::int64_t t);
  void Transfer(std::int64_t t, events::TransferReason reason, int to);
  void NextMove(std::int64_t t);
  void Move(std::int64_t t);
  void Absence(std::int64_t t, int arg);
  void Release(std::int64_t t, bool hdc);
  void Released(std::int64_t t, events::ReleaseReason reason);
  void RecallRelease(std::int64_t t);
  void EndRecall(std::int64_t t);
  // Held on, remanded in custody on another case, when `waiting` was due.
  void HoldOnRemand(std::int64_t t, CustodyState::Waiting waiting);
  void Removal(std::int64_t t);
  void DeportationOrder(std::int64_t t);
  int LocalPrison(int force);

  // lifetime_supervision.cc: licences, recall, orders and electronic monitoring.
  void StartLicence(std::int64_t t, events::LicenceKind kind, bool fresh);
  void LicenceBreach(std::int64_t t);
  void Recall(std::int64_t t, std::string_view reason);
  void LicenceVary(std::int64_t t);
  void HdcEnd(std::int64_t t);
  void LicenceEnd(std::int64_t t);
  void StartOrder(std::int64_t t, events::SupervisionKind kind, std::int64_t end,
                  const OffenceInfo& offence);
  void EndOrders(std::int64_t t, events::SupervisionEnd reason);
  void OrderEnd(std::int64_t t, int order);
  int FitTag(std::int64_t t, events::TagKind kind, std::int64_t until, bool hdc);
  void TagViolation(std::int64_t t, int tag);
  void TagEnd(std::int64_t t, int tag);

  // lifetime_partnership.cc: risk, IOM, MAPPA, interventions, intelligence, safeguarding,
  // immigration.
  void AssessRisk(std::int64_t t);
  void RiskReview(std::int64_t t);
  void ConsiderIom(std::int64_t t, bool on_release);
  void IomReview(std::int64_t t);
  void RegisterMappa(std::int64_t t, int category);
  void MappaReview(std::int64_t t);
  void Refer(std::int64_t t, events::InterventionKind kind);
  void InterventionStep(std::int64_t t, int referral);
  void LinkOcg(std::int64_t t, int force);
  void UnlinkOcg(std::int64_t t);
  void RaiseConcern(std::int64_t t, int concern_kind, int force);
  void SafeguardAtArrest(std::int64_t t, int force, OffenceGroup group);
  void ForeignNational(std::int64_t t);

  // Drafting and scheduling.
  void Emit(std::int64_t t, std::string_view type, const std::string& source, IdPolicy ids,
            Body& body, int version = 1, bool pinned = false);
  void Schedule(std::int64_t t, ActionKind kind, std::uint32_t token = 0, std::int32_t arg = 0);
  bool Gone() const { return dead_ || removed_; }
  int Age(std::int64_t t) const { return static_cast<int>((t - born_) / kYear); }
  int ArrestsWithin(std::int64_t t, std::int64_t span) const;
  const Force& HomeForce() const { return region_.forces[force_]; }
  std::string_view Pdu() const { return HomeForce().pdus[pdu_]; }
  bool Custody1() { return rng_.Chance(options_.custody_v1); }

  World& world_;
  const Region& region_;
  const LifetimeOptions& options_;
  const std::uint32_t index_;
  Rng rng_;
  PersonIds ids_;
  std::uint32_t events_ = 0;
  std::uint8_t published_ = 0;

  // Who the person is.
  bool female_ = false;
  bool foreign_ = false;
  Activity activity_ = Activity::kOnce;
  double rate_ = 0;  // arrests a year when at liberty
  OffenceGroup main_group_ = OffenceGroup::kAcquisitive;
  int force_ = 0;
  int pdu_ = 0;
  int la_ = 0;
  std::int64_t born_ = 0;
  std::int64_t first_ = 0;  // first step
  std::int64_t death_ = 0;  // 0: survives the period
  int pnc_year_ = 2000;
  bool has_cro_ = false;
  bool legacy_ = false;     // already serving a long sentence when the period starts
  bool duplicate_ = false;  // will be arrested once under a false name
  bool wrong_merge_ = false;
  bool ocg_prone_ = false;

  // What has happened.
  std::vector<std::int64_t> arrests_;
  int sanctions_ = 0;  // convictions, cautions and other disposals, before and during
  int convictions_ = 0;
  bool dead_ = false;
  bool dying_ = false;  // the records of a death are drafted after it
  bool removed_ = false;
  bool duplicate_used_ = false;
  bool probation_known_ = false;
  bool iom_ = false;
  int iom_reviews_ = 0;
  int mappa_category_ = 0;  // 0: not registered
  int mappa_level_ = 0;
  std::int64_t mappa_until_ = 0;  // end of a sex offender's notification period
  int concerns_ = 0;
  std::string ocg_ref_;
  int fno_ = 0;  // 0 not known, 1 foreign national offender, 2 deportation order
  std::string home_office_ref_;
  std::vector<Case> cases_;
  CustodyState custody_;
  LicenceState licence_;
  std::vector<Order> orders_;
  std::vector<Tag> tags_;
  std::vector<Referral> referrals_;
};

}  // namespace throughline::generator

#endif  // THROUGHLINE_TOOLS_GENERATOR_LIFETIME_H_
