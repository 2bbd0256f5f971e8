#include "services/projector.h"

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "events/upcaster.h"
#include "projections/cohorts.h"
#include "projections/projection_codec.h"
#include "services/projection_reader.h"
#include "services/store_keys.h"

namespace throughline::services {

namespace {

using projections::Alert;
using projections::ProjectionState;

void PutRaisedAlert(const ProjectionTarget& t, const Alert& a, rocksdb::WriteBatch* batch) {
  batch->Put(t.alerts, AlertKey(a.id), projections::EncodeAlert(a));
  batch->Put(t.alerts, AlertTimeKey(a.event_time, a.id), "");
  batch->Put(t.alerts, AlertAgencyKey(a.agency, a.event_time, a.id), "");
}

void DeleteAlert(const ProjectionTarget& t, const Alert& a, rocksdb::WriteBatch* batch) {
  batch->Delete(t.alerts, AlertKey(a.id));
  batch->Delete(t.alerts, AlertTimeKey(a.event_time, a.id));
  batch->Delete(t.alerts, AlertAgencyKey(a.agency, a.event_time, a.id));
  if (a.due)
    batch->Delete(t.alerts, AlertDueKey(*a.due, a.id));
}

}  // namespace

ProjectionTarget ProjectionTarget::Current(const EventStore& store) {
  return {store.family(Family::kViews), store.family(Family::kCohorts),
          store.family(Family::kAlerts)};
}

ProjectionTarget ProjectionTarget::Of(const ProjectionFamilies& f) {
  return {f.views(), f.cohorts(), f.alerts()};
}

void WriteProjection(const ProjectionTarget& target, std::uint64_t person,
                     const std::optional<ProjectionState>& old,
                     const std::optional<ProjectionState>& now_state, events::Timestamp now,
                     rocksdb::WriteBatch* batch, WritePhase phase) {
  const bool removes = phase != WritePhase::kAdds;
  const bool adds = phase != WritePhase::kRemoves;
  // Cohorts: delete what the old view had and the new one has not; write the new ones.
  const auto old_entries =
      old ? projections::CohortEntries(old->view) : std::vector<projections::CohortEntry>{};
  const auto new_entries = now_state ? projections::CohortEntries(now_state->view)
                                     : std::vector<projections::CohortEntry>{};
  for (const auto& e : old_entries) {
    if (removes && !std::binary_search(new_entries.begin(), new_entries.end(), e)) {
      batch->Delete(target.cohorts, e.key);
    }
  }
  for (const auto& e : new_entries) {
    if (adds && !std::binary_search(old_entries.begin(), old_entries.end(), e)) {
      batch->Put(target.cohorts, e.key, e.value);
    }
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
    if (removes && (it == after.end() || !(*it->second == *a)))
      DeleteAlert(target, *a, batch);
  }
  for (const auto& [id, a] : after) {
    if (!adds)
      break;
    auto it = before.find(id);
    if (it != before.end() && *it->second == *a)
      continue;
    if (projections::IsRaised(*a, now)) {
      PutRaisedAlert(target, *a, batch);
    } else {
      batch->Put(target.alerts, AlertDueKey(*a->due, a->id), Fixed64Value(person));
    }
  }
  if (now_state && adds) {
    batch->Put(target.views, U64Key(person), projections::EncodeProjection(*now_state));
  } else if (!now_state && old && removes) {
    batch->Delete(target.views, U64Key(person));
  }
}

Status Projector::OnBatch(const std::vector<AppendedEvent>& appended,
                          const std::set<std::uint64_t>& persons_touched, BatchReader& reader,
                          rocksdb::WriteBatch* batch) {
  const events::Timestamp now = clock_->Now();
  const ProjectionTarget target = ProjectionTarget::Current(*store_);
  std::map<std::uint64_t, std::vector<const AppendedEvent*>> by_person;
  for (const auto& a : appended)
    by_person[a.person].push_back(&a);

  struct Change {
    std::uint64_t person;
    std::optional<ProjectionState> old, next;
  };
  std::vector<Change> changes;
  changes.reserve(persons_touched.size());
  auto stored = ReadProjections(
      *store_, std::vector<std::uint64_t>(persons_touched.begin(), persons_touched.end()));
  if (!stored.ok())
    return stored.status();
  for (std::uint64_t person : persons_touched) {
    std::optional<ProjectionState> old;
    if (auto it = stored->find(person); it != stored->end())
      old = std::move(it->second);
    if (!reader.IsCurrent(person)) {
      changes.push_back({person, std::move(old), std::nullopt});
      continue;
    }

    std::optional<ProjectionState> next;
    auto mine = by_person.find(person);
    // A merge, unmerge or link moved events to or from the person: fold afresh, not patch.
    if (old && !reader.EventsMoved(person) && mine != by_person.end()) {
      // The new events, in fold order, applied on top of what is stored, if they follow it.
      std::vector<projections::FoldInput> inputs;
      for (const AppendedEvent* a : mine->second) {
        events::Event event = *a->event;
        events::Upcast(&event);
        inputs.push_back({a->sequence, a->record->appended_at, std::move(event),
                          static_cast<std::uint32_t>(a->record->conflicts.size())});
      }
      std::sort(inputs.begin(), inputs.end(), [](const auto& x, const auto& y) {
        return std::tie(x.event.time.unix_ms, x.event.source, x.event.id) <
               std::tie(y.event.time.unix_ms, y.event.source, y.event.id);
      });
      ProjectionState state = *old;
      bool follows = true;
      for (const auto& input : inputs) {
        if (!projections::FollowsFold(state, input)) {
          follows = false;
          break;
        }
        projections::Apply(&state, input);
      }
      if (follows) {
        next = std::move(state);
        ++metrics_.incremental;
      }
    }
    if (!next) {
      auto records = reader.Records(reader.PersonEvents(person));
      if (!records.ok())
        return records.status();
      auto inputs = ToFoldInputs(*records);
      if (!inputs.ok())
        return inputs.status();
      next = projections::Fold(person, std::move(*inputs));
      ++metrics_.refolds;
    }
    if (!projections::HasView(*next))
      next.reset();
    changes.push_back({person, std::move(old), std::move(next)});
  }

  // Alerts that were there before the batch, under whichever person: one that moved with its
  // event is not raised again.
  std::set<std::string> known;
  for (const Change& c : changes) {
    if (!c.old)
      continue;
    for (const auto& a : c.old->alerts)
      known.insert(a.id);
  }
  for (const Change& c : changes) {
    if (!c.next)
      continue;
    for (const auto& a : c.next->alerts) {
      if (!known.count(a.id) && projections::IsRaised(a, now)) {
        spdlog::info("alert.raised id={} rule={} person={} agency=\"{}\" message=\"{}\"", a.id,
                     events::EnumName(a.rule), a.person, a.agency, a.message);
        ++metrics_.alerts_raised;
      }
    }
  }
  for (WritePhase phase : {WritePhase::kRemoves, WritePhase::kAdds}) {
    for (const Change& c : changes)
      WriteProjection(target, c.person, c.old, c.next, now, batch, phase);
  }

  kept_.reset();
  if (keep_changes_) {
    std::unordered_map<std::uint64_t, std::shared_ptr<const ProjectionState>> states;
    for (Change& c : changes) {
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
  return Status::OK();
}

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
        PutRaisedAlert(target, a, &batch);
        raised->push_back(a);
        spdlog::info("alert.raised id={} rule={} person={} agency=\"{}\" message=\"{}\"", a.id,
                     events::EnumName(a.rule), a.person, a.agency, a.message);
      }
    }
  }
  if (batch.Count() == 0)
    return Status::OK();
  if (Status s = store_->Write(&batch); !s.ok()) {
    raised->clear();
    return s;
  }
  metrics_.alerts_raised += raised->size();
  return Status::OK();
}

}  // namespace throughline::services
