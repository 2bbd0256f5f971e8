#include "services/projector.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "events/upcaster.h"
#include "projections/cohorts.h"
#include "projections/projection_codec.h"
#include "services/projection_reader.h"
#include "services/store_keys.h"

namespace throughline::services {

// One person's part of a batch: the state before and after, and the writes between them.
struct PersonChange {
  std::uint64_t person = 0;
  std::optional<projections::ProjectionState> old, next;
  ProjectionWrites writes;
};

namespace {

using projections::Alert;
using projections::ProjectionState;

void PutRaisedAlert(const ProjectionTarget& t, const Alert& a, ProjectionWrites* w) {
  w->Put(t.alerts, AlertKey(a.id), projections::EncodeAlert(a));
  w->Put(t.alerts, AlertTimeKey(a.event_time, a.id), "");
  w->Put(t.alerts, AlertAgencyKey(a.agency, a.event_time, a.id), "");
}

// Alerts logged one line each in a batch: a region's first load raises tens of thousands
// (22,741 in the bench's million events), which would bury an operator's log. The rest are
// counted in one line; every alert is stored, on /v1/alerts and in /metrics either way.
constexpr std::size_t kLoggedAlertsPerBatch = 20;

void LogRaised(std::span<const Alert> raised) {
  for (const Alert& a : raised.first(std::min(raised.size(), kLoggedAlertsPerBatch))) {
    spdlog::info("alert.raised id={} rule={} person={} agency=\"{}\" message=\"{}\"", a.id,
                 events::EnumName(a.rule), a.person, a.agency, a.message);
  }
  if (raised.size() > kLoggedAlertsPerBatch) {
    spdlog::info(
        "alerts.raised count={} note=\"only the first {} of this batch were logged; all are on "
        "/v1/alerts\"",
        raised.size(), kLoggedAlertsPerBatch);
  }
}

void DeleteAlert(const ProjectionTarget& t, const Alert& a, ProjectionWrites* w) {
  w->Delete(t.alerts, AlertKey(a.id));
  w->Delete(t.alerts, AlertTimeKey(a.event_time, a.id));
  w->Delete(t.alerts, AlertAgencyKey(a.agency, a.event_time, a.id));
  if (a.due)
    w->Delete(t.alerts, AlertDueKey(*a.due, a.id));
}

// Persons in a batch from which the projector shares them with its helper thread: below it,
// waking the helper costs about what its share would save.
constexpr std::size_t kPersonsToShare = 64;
// Persons a thread takes at a time: one MultiGet of their stored states.
constexpr std::size_t kPersonsAtATime = 32;

struct FoldCounts {
  std::uint64_t incremental = 0;
  std::uint64_t refolds = 0;
};

// The new state of each of `persons` (and the writes to store it) into `changes`, one for one.
// Reads only: two calls run at once on the writer's and the helper's threads.
Status ProjectPersons(StoreView store, std::span<const std::uint64_t> persons,
                      const std::map<std::uint64_t, std::vector<const AppendedEvent*>>& by_person,
                      BatchReader& reader, const ProjectionTarget& target, events::Timestamp now,
                      std::span<PersonChange> changes, FoldCounts* counts) {
  auto stored = ReadProjections(store, std::vector<std::uint64_t>(persons.begin(), persons.end()));
  if (!stored.ok())
    return stored.status();
  // The refolds' events, decoded person after person into the same inputs.
  std::vector<projections::FoldInput> refold_inputs;
  for (std::size_t i = 0; i < persons.size(); ++i) {
    const std::uint64_t person = persons[i];
    PersonChange& change = changes[i];
    change.person = person;
    if (auto it = stored->find(person); it != stored->end())
      change.old = std::move(it->second);
    const std::optional<ProjectionState>& old = change.old;
    if (!reader.IsCurrent(person)) {
      change.writes = DiffProjection(target, person, old, std::nullopt, now);
      continue;
    }

    std::optional<ProjectionState> next;
    auto mine = by_person.find(person);
    // A merge, unmerge or link moved events to or from the person: fold afresh, not patch.
    if (old && !reader.EventsMoved(person) && mine != by_person.end()) {
      // The new events, in fold order, applied on top of what is stored, if they follow it.
      // The batch's events are read where they are; only one of an older version is copied,
      // to upcast it.
      std::vector<projections::FoldInputRef> inputs;
      std::deque<events::Event> upcast;
      for (const AppendedEvent* a : mine->second) {
        const events::Event* event = a->event;
        if (!events::IsCurrent(event->data)) {
          events::Upcast(&upcast.emplace_back(*event));
          event = &upcast.back();
        }
        inputs.push_back({a->sequence, a->record->appended_at, event,
                          static_cast<std::uint32_t>(a->record->conflicts.size())});
      }
      std::sort(inputs.begin(), inputs.end(), [](const auto& x, const auto& y) {
        return std::tie(x.event->time.unix_ms, x.event->source, x.event->id) <
               std::tie(y.event->time.unix_ms, y.event->source, y.event->id);
      });
      ProjectionState state = *old;
      bool follows = true;
      for (const auto& input : inputs) {
        if (!projections::FollowsFold(state, *input.event)) {
          follows = false;
          break;
        }
        projections::Apply(&state, input);
      }
      if (follows) {
        next = std::move(state);
        ++counts->incremental;
      }
    }
    if (!next) {
      auto records = reader.Records(reader.PersonEvents(person));
      if (!records.ok())
        return records.status();
      if (Status s = ToFoldInputs(*records, &refold_inputs); !s.ok())
        return s;
      next = projections::Fold(person, refold_inputs);
      ++counts->refolds;
    }
    if (!projections::HasView(*next))
      next.reset();
    change.writes = DiffProjection(target, person, old, next, now);
    change.next = std::move(next);
  }
  return Status::OK();
}

}  // namespace

void ProjectionWrites::Put(rocksdb::ColumnFamilyHandle* family, std::string key,
                           std::string value) {
  puts.push_back({family, std::move(key), std::move(value)});
}

void ProjectionWrites::Delete(rocksdb::ColumnFamilyHandle* family, std::string key) {
  deletes.push_back({family, std::move(key)});
}

void ProjectionWrites::AddTo(rocksdb::WriteBatch* batch, WritePhase phase) const {
  if (phase != WritePhase::kAdds) {
    for (const auto& d : deletes)
      batch->Delete(d.family, d.key);
  }
  if (phase != WritePhase::kRemoves) {
    for (const auto& p : puts)
      batch->Put(p.family, p.key, p.value);
  }
}

ProjectionTarget ProjectionTarget::Current(const EventStore& store) {
  return {store.family(Family::kViews), store.family(Family::kCohorts),
          store.family(Family::kAlerts)};
}

ProjectionTarget ProjectionTarget::Of(const ProjectionFamilies& f) {
  return {f.views(), f.cohorts(), f.alerts()};
}

ProjectionWrites DiffProjection(const ProjectionTarget& target, std::uint64_t person,
                                const std::optional<ProjectionState>& old,
                                const std::optional<ProjectionState>& now_state,
                                events::Timestamp now) {
  ProjectionWrites w;
  // Cohorts: delete what the old view had and the new one has not; write the new ones.
  const auto old_entries =
      old ? projections::CohortEntries(old->view) : std::vector<projections::CohortEntry>{};
  const auto new_entries = now_state ? projections::CohortEntries(now_state->view)
                                     : std::vector<projections::CohortEntry>{};
  for (const auto& e : old_entries) {
    if (!std::binary_search(new_entries.begin(), new_entries.end(), e))
      w.Delete(target.cohorts, e.key);
  }
  for (const auto& e : new_entries) {
    if (!std::binary_search(old_entries.begin(), old_entries.end(), e))
      w.Put(target.cohorts, e.key, e.value);
  }
  // Alerts by id: gone or changed ones out, new or changed ones in.
  std::map<std::string, const Alert*> before;
  if (old) {
    for (const auto& a : old->alerts)
      before[a.id] = &a;
  }
  std::map<std::string, const Alert*> after;
  if (now_state) {
    for (const auto& a : now_state->alerts)
      after[a.id] = &a;
  }
  for (const auto& [id, a] : before) {
    auto it = after.find(id);
    if (it == after.end() || !(*it->second == *a))
      DeleteAlert(target, *a, &w);
  }
  for (const auto& [id, a] : after) {
    auto it = before.find(id);
    if (it != before.end() && *it->second == *a)
      continue;
    if (projections::IsRaised(*a, now)) {
      PutRaisedAlert(target, *a, &w);
    } else {
      w.Put(target.alerts, AlertDueKey(*a->due, a->id), Fixed64Value(person));
    }
  }
  if (now_state) {
    w.Put(target.views, U64Key(person), projections::EncodeProjection(*now_state));
  } else if (old) {
    w.Delete(target.views, U64Key(person));
  }
  return w;
}

void WriteProjection(const ProjectionTarget& target, std::uint64_t person,
                     const std::optional<ProjectionState>& old,
                     const std::optional<ProjectionState>& now_state, events::Timestamp now,
                     rocksdb::WriteBatch* batch) {
  DiffProjection(target, person, old, now_state, now).AddTo(batch, WritePhase::kAll);
}

Status Projector::OnBatch(const std::vector<AppendedEvent>& appended,
                          const std::set<std::uint64_t>& persons_touched, BatchReader& reader,
                          rocksdb::WriteBatch* batch, WhenLanded* when_landed) {
  const events::Timestamp now = clock_->Now();
  const ProjectionTarget target = ProjectionTarget::Current(*store_);
  std::map<std::uint64_t, std::vector<const AppendedEvent*>> by_person;
  for (const auto& a : appended)
    by_person[a.person].push_back(&a);

  const StoreView store = reader.store();  // with the batch in flight on top
  const std::vector<std::uint64_t> persons(persons_touched.begin(), persons_touched.end());
  // Reused from batch to batch: a batch's 5,000 persons make 10 MiB of them, which, new each
  // time, were first touched again (page faults, 1.7% of an import's CPU samples).
  std::vector<PersonChange>& changes = changes_;
  changes.clear();
  changes.resize(persons.size());
  // Both threads take the next kPersonsAtATime persons until none are left: the cost of a
  // person varies (a refold reads and folds all their events), and so does when the helper
  // gets a core.
  std::atomic<std::size_t> next{0};
  Status failed[2];
  FoldCounts counts[2];
  auto project = [&](int share) {
    for (;;) {
      const std::size_t first = next.fetch_add(kPersonsAtATime);
      if (first >= persons.size())
        return;
      const std::size_t n = std::min(kPersonsAtATime, persons.size() - first);
      failed[share] =
          ProjectPersons(store, std::span(persons).subspan(first, n), by_person, reader, target,
                         now, std::span(changes).subspan(first, n), &counts[share]);
      if (!failed[share].ok()) {
        next = persons.size();
        return;
      }
    }
  };
  if (persons.size() < kPersonsToShare) {
    project(0);
  } else {
    if (!helper_)
      helper_ = std::make_unique<HelperThread>("tl-project");
    helper_->RunShares(project);
    ++metrics_.shared_batches;
  }
  for (const Status& s : failed) {
    if (!s.ok())
      return s;
  }
  // Counted when the batch lands: a batch that a failed write dropped is prepared again.
  FoldCounts total;
  for (const FoldCounts& c : counts) {
    total.incremental += c.incremental;
    total.refolds += c.refolds;
  }
  if (total.incremental + total.refolds > 0) {
    when_landed->push_back([this, total] {
      metrics_.incremental += total.incremental;
      metrics_.refolds += total.refolds;
    });
  }

  // Alerts that were there before the batch, under whichever person: one that moved with its
  // event is not raised again.
  std::set<std::string> known;
  for (const PersonChange& c : changes) {
    if (!c.old)
      continue;
    for (const auto& a : c.old->alerts)
      known.insert(a.id);
  }
  std::vector<Alert> raised;
  for (const PersonChange& c : changes) {
    if (!c.next)
      continue;
    for (const auto& a : c.next->alerts) {
      if (!known.count(a.id) && projections::IsRaised(a, now))
        raised.push_back(a);
    }
  }
  if (!raised.empty()) {
    when_landed->push_back([this, raised = std::move(raised)] {
      LogRaised(raised);
      metrics_.alerts_raised += raised.size();
    });
  }
  for (WritePhase phase : {WritePhase::kRemoves, WritePhase::kAdds}) {
    for (const PersonChange& c : changes)
      c.writes.AddTo(batch, phase);
  }

  kept_.reset();
  if (keep_changes_) {
    std::unordered_map<std::uint64_t, std::shared_ptr<const ProjectionState>> states;
    for (PersonChange& c : changes) {
      if (c.next)
        states.emplace(c.person, std::make_shared<const ProjectionState>(std::move(*c.next)));
    }
    kept_.emplace();
    kept_->reserve(appended.size());
    for (const AppendedEvent& a : appended) {
      if (!reader.IsCurrent(a.person)) {
        kept_.reset();
        break;
      }
      auto it = states.find(a.person);
      kept_->push_back({a.sequence, a.person, *a.event, it != states.end() ? it->second : nullptr});
    }
  }
  changes.clear();  // the states and writes go; the room stays
  return Status::OK();
}

Projector::Projector(EventStore* store, const Clock* clock) : store_(store), clock_(clock) {}

Projector::~Projector() = default;

std::optional<std::vector<LogChange>> Projector::TakeChanges() {
  std::optional<std::vector<LogChange>> taken;
  taken.swap(kept_);
  return taken;
}

Status Projector::RaiseDue(std::vector<projections::Alert>* raised) {
  raised->clear();
  const events::Timestamp now = clock_->Now();
  const ProjectionTarget target = ProjectionTarget::Current(*store_);
  std::string end = kAlertDuePrefix;
  PutKeyTime(&end, events::Timestamp{now.unix_ms + 1});
  rocksdb::WriteBatch batch;
  ProjectionWrites writes;
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), target.alerts));
  for (it->Seek(kAlertDuePrefix);
       it->Valid() && it->key().starts_with(kAlertDuePrefix) && it->key().compare(end) < 0;
       it->Next()) {
    const std::string_view key = it->key().ToStringView();
    const std::string_view id = key.substr(std::string_view(kAlertDuePrefix).size() + 9);
    auto person = DecodeFixed64Value(it->value().ToStringView());
    batch.Delete(target.alerts, key);
    if (!person)
      continue;
    auto state = ReadProjection(*store_, *person);
    if (!state.ok())
      continue;
    for (const auto& a : state->alerts) {
      if (a.id == id) {
        PutRaisedAlert(target, a, &writes);
        raised->push_back(a);
      }
    }
  }
  writes.AddTo(&batch, WritePhase::kAdds);
  if (batch.Count() == 0)
    return Status::OK();
  if (Status s = store_->Write(&batch); !s.ok()) {
    raised->clear();
    return s;
  }
  LogRaised(*raised);
  metrics_.alerts_raised += raised->size();
  return Status::OK();
}

}  // namespace throughline::services
