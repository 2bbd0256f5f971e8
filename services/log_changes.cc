#include "services/log_changes.h"

#include <map>
#include <optional>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "events/event_codec.h"
#include "services/projection_reader.h"

namespace throughline::services {

namespace {

// The records asked for, nullopt for one that cannot be read. One MultiGet; when it fails, one
// read each, so that only the unreadable record is lost to the feed.
std::vector<std::optional<LogRecord>> ReadEach(const EventStore& store,
                                               const std::vector<std::uint64_t>& sequences) {
  std::vector<std::optional<LogRecord>> records(sequences.size());
  if (auto all = store.ReadRecords(sequences); all.ok()) {
    for (std::size_t i = 0; i < sequences.size(); ++i)
      records[i] = std::move((*all)[i]);
    return records;
  }
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    if (auto record = store.ReadRecord(sequences[i]); record.ok())
      records[i] = std::move(*record);
  }
  return records;
}

// The persons' states, shared; absent for a person without a readable one.
std::map<std::uint64_t, std::shared_ptr<const projections::ProjectionState>> ReadStates(
    const EventStore& store, const std::vector<std::uint64_t>& persons) {
  std::map<std::uint64_t, std::shared_ptr<const projections::ProjectionState>> out;
  if (auto all = ReadProjections(store, persons); all.ok()) {
    for (auto& [person, state] : *all)
      out.emplace(person, std::make_shared<const projections::ProjectionState>(std::move(state)));
    return out;
  }
  for (std::uint64_t person : persons) {
    if (auto state = ReadProjection(store, person); state.ok())
      out.emplace(person, std::make_shared<const projections::ProjectionState>(std::move(*state)));
  }
  return out;
}

}  // namespace

std::vector<LogChange> ReadLogChanges(const EventStore& store, std::uint64_t from,
                                      std::uint64_t last, std::size_t max, std::string_view feed,
                                      const std::function<bool(const LogChange&)>& wanted) {
  std::vector<std::uint64_t> sequences;
  for (std::uint64_t sequence = from; sequence <= last && sequences.size() < max; ++sequence)
    sequences.push_back(sequence);
  auto records = ReadEach(store, sequences);

  std::vector<std::uint64_t> owners;  // each record's person, as the record has it
  for (const auto& record : records) {
    if (record)
      owners.push_back(record->person);
  }
  const auto current = store.CurrentPersons(owners);

  std::vector<LogChange> changes;
  changes.reserve(sequences.size());
  std::vector<std::uint64_t> persons;
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    auto event = records[i] ? events::DecodeEvent(records[i]->event)
                            : Result<events::Event>(Status::NotFound("unreadable record"));
    if (!event.ok()) {
      spdlog::error(
          "{}.unreadable sequence={} error=\"{}\" note=\"skipped; run throughline verify\"", feed,
          sequences[i], event.status().message());
      continue;
    }
    LogChange change{sequences[i], current.at(records[i]->person), std::move(*event), nullptr};
    if (wanted && !wanted(change))
      continue;
    persons.push_back(change.person);
    changes.push_back(std::move(change));
  }
  std::sort(persons.begin(), persons.end());
  persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
  const auto states = ReadStates(store, persons);
  for (auto& change : changes) {
    if (auto it = states.find(change.person); it != states.end())
      change.state = it->second;
  }
  return changes;
}

}  // namespace throughline::services
