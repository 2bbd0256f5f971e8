#include "services/identity_resolver.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "events/event_codec.h"
#include "services/store_keys.h"

namespace throughline::services {

IdentityResolver::IdentityResolver(const EventStore* store) : store_(store), view_(*store) {}

void IdentityResolver::Begin(rocksdb::WriteBatch* batch, LogState* state, StoreView view,
                             WhenLanded* when_landed) {
  batch_ = batch;
  state_ = state;
  view_ = view;
  when_landed_ = when_landed;
}

Status IdentityResolver::Prefetch(
    const std::vector<std::vector<events::Identifier>>& ids_by_event) {
  std::vector<std::string> keys;
  for (const auto& ids : ids_by_event) {
    for (const auto& id : ids)
      keys.push_back(IdentityKey(id.kind, id.value));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::erase_if(keys, [&](const std::string& k) { return identity_.count(k) || absent_.count(k); });
  auto found = view_.FindMany(Family::kIdentity, keys);
  if (!found.ok())
    return found.status();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if ((*found)[i]) {
      identity_.emplace(std::move(keys[i]), *(*found)[i]);
    } else {
      absent_.insert(std::move(keys[i]));
    }
  }
  // The persons whose records resolving will read: those of events that attach a new
  // identifier or name two persons.
  std::vector<std::uint64_t> persons;
  std::vector<std::uint64_t> of_event;
  for (const auto& ids : ids_by_event) {
    of_event.clear();
    bool unknown = false;
    for (const auto& id : ids) {
      auto it = identity_.find(IdentityKey(id.kind, id.value));
      if (it == identity_.end()) {
        unknown = true;
      } else if (std::find(of_event.begin(), of_event.end(), it->second) == of_event.end()) {
        of_event.push_back(it->second);
      }
    }
    if (unknown || of_event.size() > 1) {
      for (std::uint64_t person : of_event) {
        if (!persons_.count(person))
          persons.push_back(person);
      }
    }
  }
  std::sort(persons.begin(), persons.end());
  persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
  auto records = view_.ReadPersons(persons);
  if (!records.ok())
    return records.status();
  persons_.merge(*records);
  return Status::OK();
}

std::optional<std::uint64_t> IdentityResolver::Lookup(const events::Identifier& id) {
  std::string key = IdentityKey(id.kind, id.value);
  if (auto it = identity_.find(key); it != identity_.end())
    return it->second;
  if (absent_.count(key))
    return std::nullopt;
  auto person = view_.FindPerson(id);
  if (person)
    identity_.emplace(std::move(key), *person);
  return person;
}

PersonRecord& IdentityResolver::Person(std::uint64_t person) {
  auto it = persons_.find(person);
  if (it == persons_.end()) {
    auto stored = view_.ReadPerson(person);
    it = persons_.emplace(person, stored.ok() ? std::move(*stored) : PersonRecord{}).first;
  }
  dirty_.insert(person);
  return it->second;
}

std::uint64_t IdentityResolver::NewPerson() {
  std::uint64_t person = state_->next_person++;
  persons_.emplace(person, PersonRecord{});
  dirty_.insert(person);
  return person;
}

void IdentityResolver::Assign(const events::Identifier& id, std::uint64_t person) {
  std::string key = IdentityKey(id.kind, id.value);
  batch_->Put(store_->family(Family::kIdentity), key, Fixed64Value(person));
  identity_[std::move(key)] = person;
  Person(person).Add(id);
  touched_.insert(person);
}

std::uint64_t IdentityResolver::Resolve(const std::vector<events::Identifier>& ids,
                                        std::vector<IdentityConflict>* conflicts) {
  // Strongest first: the first identifier that resolves decides the person.
  std::vector<std::optional<std::uint64_t>> found;
  found.reserve(ids.size());
  std::optional<std::uint64_t> chosen;
  for (const auto& id : ids) {
    found.push_back(Lookup(id));
    if (!chosen && found.back())
      chosen = found.back();
  }
  const std::uint64_t person = chosen ? *chosen : NewPerson();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!found[i]) {
      Assign(ids[i], person);
      continue;
    }
    // Looked up again: a link below may have moved it already.
    const std::uint64_t other = *Lookup(ids[i]);
    if (other == person)
      continue;
    if (Contradict(person, other)) {
      conflicts->push_back({ids[i].kind, ids[i].value, other});
    } else {
      when_landed_->push_back(
          [line = fmt::format("identity.linked person={} into={} identifier={}:{}", other, person,
                              events::IdentifierKindName(ids[i].kind), ids[i].value)] {
            spdlog::info("{}", line);
          });
      Join(person, other);
    }
  }
  return person;
}

bool IdentityResolver::Contradict(std::uint64_t a, std::uint64_t b) {
  // Copies: Person() may insert into persons_ and move what a reference points at.
  const std::vector<events::Identifier> of_a = Person(a).identifiers;
  const std::vector<events::Identifier> of_b = Person(b).identifiers;
  for (const auto& x : of_a) {
    for (const auto& y : of_b) {
      if (x.kind == y.kind)
        return true;
    }
  }
  return false;
}

void IdentityResolver::Join(std::uint64_t person, std::uint64_t other) {
  // A copy: Assign() below writes person records while this one is read.
  const std::vector<events::Identifier> ids = Person(other).identifiers;
  for (const auto& id : ids)
    Assign(id, person);
  Person(other).merged_into = person;
  Person(person).merged_from.push_back(other);
  MoveEvents(other, person, [](std::uint64_t) { return true; });
}

void IdentityResolver::StageIndex(std::uint64_t person, IndexKey key, bool present) {
  const std::string k = PersonEventKey(person, events::Timestamp{key.first}, key.second);
  if (present) {
    batch_->Put(store_->family(Family::kPersonEvents), k, "");
  } else {
    batch_->Delete(store_->family(Family::kPersonEvents), k);
  }
  index_[person][key] = present;
  touched_.insert(person);
}

void IdentityResolver::Index(std::uint64_t person, events::Timestamp time, std::uint64_t sequence,
                             const events::Event* event) {
  batch_events_[sequence] = event;
  StageIndex(person, {time.unix_ms, sequence}, true);
}

std::vector<IdentityResolver::IndexKey> IdentityResolver::Entries(std::uint64_t person) const {
  std::set<IndexKey> keys;
  view_.ForEachPersonEvent(person, [&](events::Timestamp t, std::uint64_t seq) {
    keys.insert({t.unix_ms, seq});
    return true;
  });
  if (auto it = index_.find(person); it != index_.end()) {
    for (const auto& [key, present] : it->second) {
      if (present) {
        keys.insert(key);
      } else {
        keys.erase(key);
      }
    }
  }
  return {keys.begin(), keys.end()};
}

bool IdentityResolver::IsCurrent(std::uint64_t person) const {
  if (auto it = persons_.find(person); it != persons_.end())
    return it->second.merged_into == 0;
  // A person touched in this batch without loading their record was reached through an
  // identity key, and identity keys name current persons only: a merge moves every identifier
  // of the merged person to the survivor (Join) before it marks it merged, and a merge or
  // unmerge loads both records. So no read is needed, and there was one per person per batch.
  if (touched_.count(person))
    return true;
  auto stored = view_.ReadPerson(person);
  return !stored.ok() || stored->merged_into == 0;
}

std::vector<events::Identifier> IdentityResolver::EventIdentifiers(std::uint64_t sequence) {
  if (auto it = batch_events_.find(sequence); it != batch_events_.end()) {
    return it->second->person.identifiers();
  }
  auto record = view_.ReadRecord(sequence);
  if (!record.ok())
    return {};
  auto event = events::DecodeEvent(record->event);
  if (!event.ok())
    return {};
  return event->person.identifiers();
}

template <class Predicate>
void IdentityResolver::MoveEvents(std::uint64_t from, std::uint64_t to, Predicate move) {
  for (const IndexKey& key : Entries(from)) {
    if (!move(key.second))
      continue;
    StageIndex(from, key, false);
    StageIndex(to, key, true);
    moved_.insert(from);
    moved_.insert(to);
  }
}

void IdentityResolver::Merge(std::uint64_t person, const std::vector<events::Identifier>& merged) {
  std::vector<std::uint64_t> others;
  for (const auto& id : merged) {
    auto found = Lookup(id);
    if (!found) {
      Assign(id, person);
    } else if (*found != person &&
               std::find(others.begin(), others.end(), *found) == others.end()) {
      others.push_back(*found);
    }
  }
  for (std::uint64_t other : others)
    Join(person, other);
}

std::uint64_t IdentityResolver::Unmerge(std::uint64_t person,
                                        const std::vector<events::Identifier>& unmerged) {
  // The person to move back out: the most recent record merged into this one that held any
  // of the identifiers, revived; otherwise somebody new.
  std::optional<std::uint64_t> target;
  PersonRecord& survivor = Person(person);
  for (auto it = survivor.merged_from.rbegin(); it != survivor.merged_from.rend() && !target;
       ++it) {
    const PersonRecord& candidate = Person(*it);
    for (const auto& id : unmerged) {
      if (candidate.Has(id)) {
        target = *it;
        break;
      }
    }
  }
  std::uint64_t other;
  if (target) {
    other = *target;
    auto& from = Person(person).merged_from;
    from.erase(std::remove(from.begin(), from.end(), other), from.end());
    PersonRecord& revived = Person(other);
    revived.merged_into = 0;
    revived.identifiers.clear();  // it gets back exactly the identifiers named
  } else {
    other = NewPerson();
  }
  for (const auto& id : unmerged) {
    auto found = Lookup(id);
    if (found && *found != person)
      continue;  // somebody else's: the unmerge is not about it
    Person(person).Remove(id);
    Assign(id, other);
  }
  // Events follow their strongest identifier that now belongs to either of the two.
  MoveEvents(person, other, [&](std::uint64_t sequence) {
    for (const auto& id : EventIdentifiers(sequence)) {
      auto owner = Lookup(id);
      if (owner == person)
        return false;
      if (owner == other)
        return true;
    }
    return false;
  });
  touched_.insert(person);
  touched_.insert(other);
  return other;
}

void IdentityResolver::Finish() {
  for (std::uint64_t person : dirty_) {
    batch_->Put(store_->family(Family::kPersons), U64Key(person),
                EncodePersonRecord(persons_.at(person)));
  }
  Abort();
}

void IdentityResolver::Abort() {
  identity_.clear();
  absent_.clear();
  persons_.clear();
  dirty_.clear();
  index_.clear();
  batch_events_.clear();
  touched_.clear();
  moved_.clear();
  batch_ = nullptr;
  state_ = nullptr;
  view_ = StoreView(*store_);
}

}  // namespace throughline::services
