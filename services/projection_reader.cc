#include "services/projection_reader.h"

#include <algorithm>
#include <memory>
#include <tuple>

#include "events/event_codec.h"
#include "events/key_encoding.h"
#include "projections/projection_codec.h"
#include "services/store_keys.h"

namespace throughline::services {

Status ToFoldInput(std::uint64_t sequence, events::Timestamp appended_at,
                   std::uint32_t identity_conflicts, std::string_view event,
                   projections::FoldInput* out) {
  out->sequence = sequence;
  out->appended_at = appended_at;
  out->identity_conflicts = identity_conflicts;
  return events::DecodeEvent(event, &out->event);
}

Status ToFoldInputs(const std::vector<LogRecord>& records,
                    std::vector<projections::FoldInput>* inputs) {
  inputs->resize(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const LogRecord& record = records[i];
    if (Status s = ToFoldInput(record.sequence, record.appended_at,
                               static_cast<std::uint32_t>(record.conflicts.size()), record.event,
                               &(*inputs)[i]);
        !s.ok()) {
      return s;
    }
  }
  return Status::OK();
}

Result<std::vector<projections::FoldInput>> LoadFoldInputs(const EventStore& store,
                                                           std::uint64_t person) {
  std::vector<std::uint64_t> sequences;
  store.ForEachPersonEvent(person, [&](events::Timestamp, std::uint64_t sequence) {
    sequences.push_back(sequence);
    return true;
  });
  auto records = store.ReadRecords(sequences);
  if (!records.ok())
    return records.status();
  std::vector<projections::FoldInput> inputs;
  if (Status s = ToFoldInputs(*records, &inputs); !s.ok())
    return s;
  return inputs;
}

Result<projections::ProjectionState> ReadProjection(const EventStore& store, std::uint64_t person) {
  std::string value;
  rocksdb::Status s =
      store.db()->Get(rocksdb::ReadOptions(), store.family(Family::kViews), U64Key(person), &value);
  if (s.IsNotFound())
    return Status::NotFound("no view of person " + std::to_string(person));
  if (!s.ok())
    return Status::IOError(s.ToString());
  return projections::DecodeProjection(person, value);
}

Result<std::map<std::uint64_t, projections::ProjectionState>> ReadProjections(
    StoreView store, const std::vector<std::uint64_t>& persons) {
  std::vector<std::string> keys;
  keys.reserve(persons.size());
  for (std::uint64_t person : persons)
    keys.push_back(U64Key(person));
  auto values = store.MultiGet(Family::kViews, keys);
  if (!values.ok())
    return values.status();
  std::map<std::uint64_t, projections::ProjectionState> states;
  for (std::size_t i = 0; i < persons.size(); ++i) {
    if (!(*values)[i])
      continue;
    auto state = projections::DecodeProjection(persons[i], *(*values)[i]);
    if (state.status().IsNotSupported())
      continue;  // from another projection version: folded afresh
    if (!state.ok())
      return state.status();
    states.emplace(persons[i], std::move(*state));
  }
  return states;
}

Result<projections::ProjectionState> FoldFromLog(const EventStore& store, std::uint64_t person) {
  auto inputs = LoadFoldInputs(store, person);
  if (!inputs.ok())
    return inputs.status();
  return projections::Fold(person, *inputs);
}

Result<projections::ProjectionState> FoldFromLogAt(const EventStore& store, std::uint64_t person,
                                                   std::optional<events::Timestamp> as_of,
                                                   const projections::Knowledge& known) {
  auto inputs = LoadFoldInputs(store, person);
  if (!inputs.ok())
    return inputs.status();
  return projections::FoldAt(person, std::move(*inputs), as_of, known);
}

Result<Replay> ReplayPerson(const EventStore& store, std::uint64_t person,
                            std::optional<events::Timestamp> as_of,
                            const projections::Knowledge& known) {
  auto inputs = LoadFoldInputs(store, person);
  if (!inputs.ok())
    return inputs.status();
  Replay replay;
  for (const auto& in : *inputs) {
    const bool retraction = std::holds_alternative<events::EventRetracted>(in.event.data);
    if (known.Knows(in) && (!as_of || retraction || in.event.time <= *as_of))
      replay.timeline.push_back({in.sequence, in.appended_at, in.event, false});
  }
  replay.state = projections::FoldAt(person, std::move(*inputs), as_of, known);
  const auto& retracted = replay.state.view.retracted;
  for (auto& entry : replay.timeline) {
    entry.retracted = std::binary_search(retracted.begin(), retracted.end(),
                                         events::EventRef{entry.event.source, entry.event.id});
  }
  std::sort(replay.timeline.begin(), replay.timeline.end(), [](const auto& a, const auto& b) {
    return std::tie(a.event.time.unix_ms, a.event.source, a.event.id, a.sequence) <
           std::tie(b.event.time.unix_ms, b.event.source, b.event.id, b.sequence);
  });
  return replay;
}

std::vector<CohortMember> ReadCohort(const EventStore& store, const std::string& prefix,
                                     const std::string& begin, const std::string& end,
                                     std::size_t limit) {
  std::vector<CohortMember> out;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.family(Family::kCohorts)));
  for (it->Seek(begin.empty() ? prefix : begin);
       it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (!end.empty() && key >= end)
      break;
    auto person = events::TrailingU64(key);
    if (!person)
      continue;
    out.push_back({*person, std::string(key), it->value().ToString()});
  }
  return out;
}

std::vector<projections::Alert> ReadAlerts(const EventStore& store, const AlertQuery& query) {
  std::vector<projections::Alert> out;
  auto* family = store.family(Family::kAlerts);
  const std::string prefix =
      query.agency.empty() ? kAlertTimePrefix : AlertAgencyPrefix(query.agency);
  std::string start = prefix;
  PutKeyTime(&start, query.since);
  std::string end = prefix;  // exclusive
  PutKeyTime(&end,
             query.before.value_or(events::Timestamp{std::numeric_limits<std::int64_t>::max()}));
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), family));
  auto take = [&]() {
    const std::string_view key = it->key().ToStringView();
    const std::string_view id = key.substr(prefix.size() + 9);  // time (8) and '/'
    std::string value;
    if (!store.db()->Get(rocksdb::ReadOptions(), family, AlertKey(id), &value).ok())
      return;
    auto alert = projections::DecodeAlert(value);
    if (alert.ok())
      out.push_back(std::move(*alert));
  };
  if (query.newest_first) {
    for (it->SeekForPrev(end); it->Valid() && it->key().starts_with(prefix) &&
                               it->key().compare(start) >= 0 && out.size() < query.limit;
         it->Prev()) {
      if (it->key().compare(end) < 0)
        take();
    }
  } else {
    for (it->Seek(start); it->Valid() && it->key().starts_with(prefix) &&
                          it->key().compare(end) < 0 && out.size() < query.limit;
         it->Next()) {
      take();
    }
  }
  return out;
}

std::vector<projections::Alert> ReadAlerts(const EventStore& store, const std::string& agency,
                                           events::Timestamp since, std::size_t limit) {
  AlertQuery query;
  query.agency = agency;
  query.since = since;
  query.limit = limit;
  return ReadAlerts(store, query);
}

}  // namespace throughline::services
