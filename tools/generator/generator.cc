// The simulation loop. Three queues, each ordered by (time, sequence) so that ties are broken
// the same way on every run:
//
//   actions    every person's next steps; the earliest runs next and may draft events and
//              schedule further steps, never before its own time
//   drafts     events drafted but not yet written; since no step runs before the current one,
//              a draft no later than the current step's time can never be preceded by one yet
//              to come, so drafts leave this queue in exact time order
//   outgoing   written envelopes waiting for their delivery time: most are delivered when they
//              happen, the late, out-of-order, duplicate and retraction ones later
//
// A person's Lifetime exists from their first step until their last step has run and their
// last draft has been written, so memory follows the people active at once, not the population.

#include "tools/generator/generator.h"

#include <algorithm>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "events/calendar.h"
#include "events/json_writer.h"
#include "tools/generator/lifetime.h"
#include "tools/generator/person_ids.h"
#include "tools/generator/region.h"
#include "tools/generator/sim_time.h"

namespace throughline::generator {

namespace {

constexpr std::uint64_t kDeliveryStream = 0x64656c6976657279ULL;

// Bits of Lifetime::published_identifiers().
constexpr std::uint8_t kPnc = 1, kNoms = 2, kCrn = 4, kCro = 8, kAltPnc = 16;

template <class T>
struct Later {
  bool operator()(const T& a, const T& b) const {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
};

struct Outgoing {
  std::int64_t time = 0;  // delivery time: the heap's order
  std::uint64_t seq = 0;
  std::string json;
  std::int64_t event_time = 0;
  Delivery delivery = Delivery::kOnTime;
  std::uint32_t person = 0;
  std::string_view type;
};

struct SequencedDraft {
  std::int64_t time = 0;
  std::uint64_t seq = 0;
  Draft draft;
};

bool Retractable(std::string_view type) {
  return type != "person.deceased" && !type.starts_with("identity.");
}

}  // namespace

Status ValidateOptions(const GeneratorOptions& o) {
  if (o.persons < 1 || o.persons > kMaxPersons)
    return Status::InvalidArgument(fmt::format("--persons must be 1..{}", kMaxPersons));
  if (o.years < 1 || o.years > 50)
    return Status::InvalidArgument("--years must be 1..50");
  events::Date end;
  if (auto problem = events::ParseDate(o.end, &end)) {
    return Status::InvalidArgument(fmt::format("--end: {}", problem->message));
  }
  int y;
  unsigned m, d;
  events::CivilFromDays(end.days, &y, &m, &d);
  if (y - o.years < 1950)
    return Status::InvalidArgument("--end minus --years must not start before 1950");
  for (auto [name, share] : {std::pair{"--late", o.late},
                             {"--out-of-order", o.out_of_order},
                             {"--duplicates", o.duplicates},
                             {"--retractions", o.retractions},
                             {"custody_v1", o.custody_v1}}) {
    if (!(share >= 0 && share <= 1))
      return Status::InvalidArgument(fmt::format("{} must be a share between 0 and 1", name));
  }
  if (o.late + o.out_of_order > 1)
    return Status::InvalidArgument("--late and --out-of-order together must not exceed 1");
  return Status::OK();
}

class Generator::Impl final : public World {
 public:
  explicit Impl(GeneratorOptions options)
      : options_(std::move(options)),
        lifetime_options_{.seed = options_.seed, .custody_v1 = options_.custody_v1},
        region_(Wales()),
        rng_(options_.seed ^ kDeliveryStream, 0) {}

  Status Run(const std::function<void(const Message&)>& sink);
  double progress() const {
    if (end_ <= start_)
      return 0;
    return std::clamp(static_cast<double>(now_ - start_) / static_cast<double>(end_ - start_), 0.0,
                      1.0);
  }
  const GeneratorStats& stats() const { return stats_; }

  // World
  void Emit(Draft draft) override;
  void Schedule(const Action& action) override;
  std::uint32_t NextCaseSerial(int force, int year) override {
    return ++case_serials_[{force, year}];
  }
  std::uint32_t NextReferralSerial() override { return ++referrals_; }
  std::int64_t start() const override { return start_; }
  std::int64_t end() const override { return end_; }

 private:
  void WriteDrafts(std::int64_t until);
  void Write(const Draft& draft);
  std::string PersonJson(const Draft& draft, Lifetime& person, bool* anchor);
  void Deliver(Outgoing out);
  void DeliverUntil(std::int64_t until, const std::function<void(const Message&)>& sink);
  void Done(std::uint32_t person) {
    if (--pending_[person] == 0)
      people_[person].reset();
  }

  GeneratorOptions options_;
  LifetimeOptions lifetime_options_;
  const Region& region_;
  Rng rng_;  // delivery and identifier choices, in the loop's deterministic order
  std::int64_t start_ = 0, end_ = 0, now_ = 0;
  std::uint64_t seq_ = 0;
  std::vector<std::unique_ptr<Lifetime>> people_;
  std::vector<std::uint32_t> pending_;  // steps scheduled and drafts unwritten, per person
  std::vector<Action> actions_;
  std::vector<SequencedDraft> drafts_;
  std::vector<Outgoing> outgoing_;
  std::map<std::pair<int, int>, std::uint32_t> case_serials_;
  std::uint32_t referrals_ = 0;
  GeneratorStats stats_;
};

void Generator::Impl::Emit(Draft draft) {
  if (draft.time >= end_)
    return;
  draft.time = std::max(draft.time, now_);
  ++pending_[draft.person];
  drafts_.push_back({draft.time, seq_++, std::move(draft)});
  std::push_heap(drafts_.begin(), drafts_.end(), Later<SequencedDraft>());
}

void Generator::Impl::Schedule(const Action& action) {
  if (action.time >= end_)
    return;
  Action a = action;
  a.time = std::max(a.time, now_);
  a.seq = seq_++;
  ++pending_[a.person];
  actions_.push_back(a);
  std::push_heap(actions_.begin(), actions_.end(), Later<Action>());
}

Status Generator::Impl::Run(const std::function<void(const Message&)>& sink) {
  if (Status s = ValidateOptions(options_); !s.ok())
    return s;
  events::Date end;
  (void)events::ParseDate(options_.end, &end);
  int y;
  unsigned m, d;
  events::CivilFromDays(end.days, &y, &m, &d);
  end_ = static_cast<std::int64_t>(end.days) * kDay;
  start_ = static_cast<std::int64_t>(events::DaysFromCivil(y - options_.years, m, d)) * kDay;
  now_ = start_;
  people_.resize(options_.persons);
  pending_.assign(options_.persons, 0);
  for (std::uint32_t i = 0; i < options_.persons; ++i) {
    Schedule(Action{.time = Lifetime::FirstStep(lifetime_options_, i, start_, end_),
                    .person = i,
                    .kind = ActionKind::kStart});
  }
  while (!actions_.empty()) {
    std::pop_heap(actions_.begin(), actions_.end(), Later<Action>());
    const Action a = actions_.back();
    actions_.pop_back();
    WriteDrafts(a.time);
    DeliverUntil(a.time, sink);
    now_ = a.time;
    auto& person = people_[a.person];
    if (a.kind == ActionKind::kStart) {
      person = std::make_unique<Lifetime>(*this, region_, lifetime_options_, a.person);
      ++stats_.persons;
    }
    person->Act(a);
    Done(a.person);
  }
  constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();
  WriteDrafts(kForever);
  DeliverUntil(kForever, sink);
  now_ = end_;
  return Status::OK();
}

void Generator::Impl::WriteDrafts(std::int64_t until) {
  while (!drafts_.empty() && drafts_.front().time <= until) {
    std::pop_heap(drafts_.begin(), drafts_.end(), Later<SequencedDraft>());
    SequencedDraft next = std::move(drafts_.back());
    drafts_.pop_back();
    Write(next.draft);
    Done(next.draft.person);
  }
}

std::string Generator::Impl::PersonJson(const Draft& draft, Lifetime& person, bool* anchor) {
  const PersonIds& ids = person.ids();
  std::uint8_t& published = person.published_identifiers();
  std::uint8_t use = 0;
  switch (draft.ids) {
    case IdPolicy::kPolice:
      use = kPnc;
      if (!ids.cro.empty() && (!(published & kCro) || rng_.Chance(0.3)))
        use |= kCro;
      break;
    case IdPolicy::kCourt:
      use = kPnc;
      break;
    case IdPolicy::kPrison:
      use = kNoms;
      if (!(published & kNoms) || rng_.Chance(0.6))
        use |= kPnc;
      break;
    case IdPolicy::kProbation:
      use = kCrn;
      if (!(published & kCrn) || rng_.Chance(0.5))
        use |= kPnc;
      break;
    case IdPolicy::kClient:
      use = (published & kCrn) ? (rng_.Chance(0.3) ? kCrn | kPnc : kCrn) : kPnc;
      break;
    case IdPolicy::kPartnership:
      use = kPnc | (published & kCrn);
      break;
    case IdPolicy::kImmigration:
      use = kPnc | kNoms;
      break;
    case IdPolicy::kAltPnc:
      use = kAltPnc;
      break;
  }
  *anchor = (use & ~published) != 0;
  published |= use;
  events::JsonWriter w;
  w.BeginObject();
  if (use & kPnc) {
    w.Key("pnc");
    w.String(ids.pnc);
  }
  if (use & kAltPnc) {
    w.Key("pnc");
    w.String(ids.alt_pnc);
  }
  if (use & kNoms) {
    w.Key("noms");
    w.String(ids.noms);
  }
  if (use & kCrn) {
    w.Key("crn");
    w.String(ids.crn);
  }
  if (use & kCro) {
    w.Key("cro");
    w.String(ids.cro);
  }
  w.EndObject();
  return w.Take();
}

namespace {

std::string Envelope(std::string_view id, std::string_view source, std::string_view type,
                     std::int64_t time, int version, std::string_view person,
                     std::string_view body) {
  events::JsonWriter w;
  w.BeginObject();
  w.Key("specversion");
  w.String("1.0");
  w.Key("id");
  w.String(id);
  w.Key("source");
  w.String(source);
  w.Key("type");
  w.String(type);
  w.Key("time");
  w.String(events::FormatTimestamp(events::Timestamp{time}));
  w.Key("dataversion");
  w.Int(version);
  w.Key("data");
  w.BeginObject();
  w.Key("person");
  w.Raw(person);
  if (body.size() > 2)
    w.Raw(body.substr(1, body.size() - 2));  // the type's fields, without their braces
  w.EndObject();
  w.EndObject();
  return w.Take();
}

}  // namespace

void Generator::Impl::Write(const Draft& draft) {
  Lifetime& person = *people_[draft.person];
  bool anchor = false;
  const std::string who = PersonJson(draft, person, &anchor);
  const std::string id = EventUuid(options_.seed, draft.person, person.NextEventNumber());
  Outgoing out{
      .time = draft.time,
      .json = Envelope(id, *draft.source, draft.type, draft.time, draft.version, who, draft.body),
      .event_time = draft.time,
      .person = draft.person,
      .type = draft.type};
  // An event that first names one of the person's identifiers is what links the identifier to
  // them; it is never delayed, so no event naming that identifier alone can overtake it.
  const bool pinned = draft.pinned || anchor;
  const double u = rng_.Uniform();
  if (!pinned && u < options_.late) {
    out.delivery = Delivery::kLate;
    out.time += Days(rng_.LogUniform(1, 120)) + rng_.Range(0, 1439) * kMinute;
  } else if (!pinned && u < options_.late + options_.out_of_order) {
    out.delivery = Delivery::kOutOfOrder;
    out.time += static_cast<std::int64_t>(rng_.LogUniform(60, 4 * 24 * 60)) * kMinute;
  }
  const std::int64_t delivered = out.time;
  if (rng_.Chance(options_.duplicates)) {
    Outgoing copy = out;
    copy.delivery = Delivery::kDuplicate;
    copy.time += static_cast<std::int64_t>(rng_.LogUniform(1, 3 * 24 * 60)) * kMinute;
    Deliver(std::move(copy));
  }
  const std::string_view source = *draft.source;
  Deliver(std::move(out));

  if (pinned || !Retractable(draft.type) || !rng_.Chance(options_.retractions))
    return;
  const std::int64_t when = delivered + Days(rng_.LogUniform(1, 60));
  if (when >= end_)
    return;
  static constexpr std::string_view kReasons[] = {
      "Recorded against the wrong person",
      "Entered in error: it did not happen as recorded",
      "Duplicate entry: the event was recorded twice",
  };
  events::JsonWriter body;
  body.BeginObject();
  body.Key("retracted");
  body.BeginObject();
  body.Key("source");
  body.String(source);
  body.Key("id");
  body.String(id);
  body.EndObject();
  body.Key("reason");
  body.String(draft.type.starts_with("em.tag.") ? "Equipment fault: a false alert"
                                                : rng_.Pick(kReasons));
  body.EndObject();
  const std::string retraction_id =
      EventUuid(options_.seed, draft.person, person.NextEventNumber());
  Deliver(
      Outgoing{.time = when,
               .json = Envelope(retraction_id, source, "event.retracted", when, 1, who, body.str()),
               .event_time = when,
               .delivery = Delivery::kRetraction,
               .person = draft.person,
               .type = "event.retracted"});
}

void Generator::Impl::Deliver(Outgoing out) {
  out.seq = seq_++;
  outgoing_.push_back(std::move(out));
  std::push_heap(outgoing_.begin(), outgoing_.end(), Later<Outgoing>());
}

void Generator::Impl::DeliverUntil(std::int64_t until,
                                   const std::function<void(const Message&)>& sink) {
  while (!outgoing_.empty() && outgoing_.front().time <= until) {
    std::pop_heap(outgoing_.begin(), outgoing_.end(), Later<Outgoing>());
    Outgoing out = std::move(outgoing_.back());
    outgoing_.pop_back();
    ++stats_.messages;
    switch (out.delivery) {
      case Delivery::kLate:
        ++stats_.late;
        break;
      case Delivery::kOutOfOrder:
        ++stats_.out_of_order;
        break;
      case Delivery::kDuplicate:
        ++stats_.duplicates;
        break;
      case Delivery::kRetraction:
        ++stats_.retractions;
        break;
      case Delivery::kOnTime:
        break;
    }
    if (out.delivery != Delivery::kDuplicate) {
      auto it = stats_.by_type.find(out.type);
      if (it == stats_.by_type.end())
        it = stats_.by_type.emplace(std::string(out.type), 0).first;
      ++it->second;
    }
    sink(Message{.json = out.json,
                 .time_ms = out.event_time,
                 .delivered_ms = out.time,
                 .delivery = out.delivery,
                 .person = out.person,
                 .type = out.type});
  }
}

Generator::Generator(GeneratorOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

Generator::~Generator() = default;

Status Generator::Run(const std::function<void(std::string_view json)>& sink) {
  return impl_->Run([&](const Message& m) { sink(m.json); });
}

Status Generator::RunMessages(const std::function<void(const Message&)>& sink) {
  return impl_->Run(sink);
}

double Generator::progress() const { return impl_->progress(); }

const GeneratorStats& Generator::stats() const { return impl_->stats(); }

}  // namespace throughline::generator
