#include "services/log_verifier.h"

#include <map>
#include <memory>

#include <fmt/format.h>

#include "events/event_codec.h"
#include "services/dead_letter.h"
#include "services/store_keys.h"

namespace throughline::services {

namespace {

// At most this many problems of one check are listed; the count says how many there were.
constexpr std::size_t kMaxListed = 10;

class Problems {
 public:
  explicit Problems(VerifyReport* report) : report_(report) {}
  void Add(const std::string& check, std::string what) {
    if (counts_[check]++ < kMaxListed)
      report_->problems.push_back(std::move(what));
  }
  void Summarise() {
    for (const auto& [check, count] : counts_) {
      if (count > kMaxListed) {
        report_->problems.push_back(
            fmt::format("... and {} more {} problems", count - kMaxListed, check));
      }
    }
  }

 private:
  VerifyReport* report_;
  std::map<std::string, std::uint64_t> counts_;
};

std::unique_ptr<rocksdb::Iterator> Scan(const EventStore& store, Family family) {
  rocksdb::ReadOptions read;
  read.fill_cache = false;  // a one-off full scan must not evict what readers use
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(read, store.family(family)));
  it->SeekToFirst();
  return it;
}

}  // namespace

VerifyReport VerifyStore(const EventStore& store,
                         const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  VerifyReport report;
  Problems problems(&report);
  const LogState state = store.state();
  const std::uint64_t total = state.next_sequence - 1;

  // 1. The hash chain, and what each record says, for the index checks.
  std::vector<std::int64_t> event_time(total + 1, 0);
  RecordHash previous{};
  std::uint64_t expected = 1;
  for (auto it = Scan(store, Family::kLog); it->Valid(); it->Next()) {
    auto sequence = DecodeU64Key(it->key().ToStringView());
    if (!sequence) {
      problems.Add("log", fmt::format("log: a key that is not a sequence number ({} bytes)",
                                      it->key().size()));
      continue;
    }
    if (*sequence != expected) {
      problems.Add("chain", fmt::format("chain: record {} follows record {}: records {}..{} are "
                                        "missing",
                                        *sequence, expected - 1, expected, *sequence - 1));
      if (!report.first_chain_break)
        report.first_chain_break = expected;
    }
    expected = *sequence + 1;
    ++report.records;
    const std::string_view value = it->value().ToStringView();
    auto record = DecodeLogRecord(*sequence, value);
    if (!record.ok()) {
      problems.Add("record", fmt::format("record {}: {}", *sequence, record.status().message()));
      if (!report.first_chain_break)
        report.first_chain_break = *sequence;
      previous = HashRecord(*sequence, value);
      continue;
    }
    if (record->previous_hash != previous) {
      problems.Add("chain", fmt::format("chain: record {} does not carry the hash of record {} "
                                        "(it or the one before was changed)",
                                        *sequence, *sequence - 1));
      if (!report.first_chain_break)
        report.first_chain_break = *sequence;
    }
    previous = HashRecord(*sequence, value);
    auto event = events::DecodeStoredEvent(record->event);
    if (!event.ok()) {
      problems.Add("event", fmt::format("record {}: {}", *sequence, event.status().message()));
      continue;
    }
    if (*sequence <= total)
      event_time[*sequence] = event->time.unix_ms;
    auto indexed = store.FindIdempotent(event->source, event->id);
    if (indexed != *sequence) {
      problems.Add(
          "idempotency",
          fmt::format("idempotency: record {} ({} {}) is indexed as {}", *sequence, event->source,
                      event->id, indexed ? std::to_string(*indexed) : std::string("missing")));
    }
    if (progress && report.records % 100000 == 0)
      progress(report.records, total);
  }
  if (progress)
    progress(report.records, total);
  if (expected != state.next_sequence) {
    problems.Add("chain", fmt::format("chain: the log ends at record {}, the metadata says {}",
                                      expected - 1, total));
    if (!report.first_chain_break)
      report.first_chain_break = std::min(expected, total + 1);
  }
  if (total > 0 && previous != state.last_hash) {
    problems.Add("chain", fmt::format("chain: the hash of the last record is not the one in the "
                                      "metadata (the tail was changed)"));
    if (!report.first_chain_break)
      report.first_chain_break = total;
  }

  // 2. Persons, then identity both ways.
  std::map<std::uint64_t, PersonRecord> persons;
  for (auto it = Scan(store, Family::kPersons); it->Valid(); it->Next()) {
    auto person = DecodeU64Key(it->key().ToStringView());
    auto record = person ? DecodePersonRecord(*person, it->value().ToStringView())
                         : Result<PersonRecord>(Status::Corruption("bad key"));
    if (!record.ok()) {
      problems.Add("person", fmt::format("persons: {}", record.status().message()));
      continue;
    }
    ++report.persons;
    persons.emplace(*person, std::move(*record));
  }
  for (auto it = Scan(store, Family::kIdentity); it->Valid(); it->Next()) {
    ++report.identifiers;
    auto id = DecodeIdentityKey(it->key().ToStringView());
    auto person = DecodeFixed64Value(it->value().ToStringView());
    if (!id || !person) {
      problems.Add("identity", "identity: an entry that does not decode");
      continue;
    }
    auto found = persons.find(*person);
    const events::Identifier identifier{id->kind, id->value};
    if (found == persons.end() || found->second.merged_into != 0 ||
        !found->second.Has(identifier)) {
      problems.Add("identity", fmt::format("identity: {} resolves to person {}, which does not "
                                           "list it as a current person",
                                           events::ToString(identifier), *person));
    }
  }
  for (const auto& [person, record] : persons) {
    if (record.merged_into != 0)
      continue;
    for (const auto& id : record.identifiers) {
      if (store.FindPerson(id) != person) {
        problems.Add("identity", fmt::format("identity: person {} lists {}, which resolves "
                                             "elsewhere",
                                             person, events::ToString(id)));
      }
    }
  }

  // 3. The person index: each record exactly once, under a current person, at its time.
  std::vector<bool> indexed(total + 1, false);
  for (auto it = Scan(store, Family::kPersonEvents); it->Valid(); it->Next()) {
    ++report.person_index_entries;
    auto key = DecodePersonEventKey(it->key().ToStringView());
    if (!key) {
      problems.Add("person index", "person index: an entry that does not decode");
      continue;
    }
    if (key->sequence == 0 || key->sequence > total) {
      problems.Add("person index", fmt::format("person index: person {} lists record {}, which "
                                               "does not exist",
                                               key->person, key->sequence));
      continue;
    }
    if (indexed[key->sequence]) {
      problems.Add("person index",
                   fmt::format("person index: record {} is listed more than once", key->sequence));
    }
    indexed[key->sequence] = true;
    if (key->time.unix_ms != event_time[key->sequence]) {
      problems.Add("person index", fmt::format("person index: record {} is listed at the wrong "
                                               "time",
                                               key->sequence));
    }
    auto person = persons.find(key->person);
    if (person == persons.end() || person->second.merged_into != 0) {
      problems.Add("person index", fmt::format("person index: record {} is under person {}, "
                                               "who is not a current person",
                                               key->sequence, key->person));
    }
  }
  for (std::uint64_t s = 1; s <= total; ++s) {
    if (!indexed[s]) {
      problems.Add("person index", fmt::format("person index: record {} is under no person", s));
    }
  }

  // 4. Dead letters.
  for (auto it = Scan(store, Family::kDeadLetters); it->Valid(); it->Next()) {
    ++report.dead_letters;
    auto number = DecodeU64Key(it->key().ToStringView());
    auto letter = number ? DecodeDeadLetter(*number, it->value().ToStringView())
                         : Result<DeadLetter>(Status::Corruption("bad key"));
    if (!letter.ok()) {
      problems.Add("dead letter", fmt::format("dead letters: {}", letter.status().message()));
    }
  }
  if (report.dead_letters != state.next_dead_letter - 1) {
    problems.Add("dead letter", fmt::format("dead letters: {} stored, the metadata says {}",
                                            report.dead_letters, state.next_dead_letter - 1));
  }
  problems.Summarise();
  return report;
}

}  // namespace throughline::services
