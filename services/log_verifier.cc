#include "services/log_verifier.h"

#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "events/event_codec.h"
#include "projections/cohorts.h"
#include "projections/projection_codec.h"
#include "services/clock.h"
#include "services/dead_letter.h"
#include "services/projection_reader.h"
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

std::set<std::string> ScanKeys(const EventStore& store, Family family, std::string_view prefix) {
  std::set<std::string> keys;
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(read, store.family(family)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    keys.insert(it->key().ToString());
  }
  return keys;
}

void VerifyProjections(const EventStore& store,
                       const std::map<std::uint64_t, PersonRecord>& persons, events::Timestamp now,
                       VerifyReport* report, Problems* problems) {
  const auto version = store.ProjectionVersion();
  if (version != projections::kProjectionVersion && store.state().next_sequence > 1) {
    problems->Add("view", version ? fmt::format("views: built by projection version {}, this is "
                                                "version {}; run throughline rebuild",
                                                *version, projections::kProjectionVersion)
                                  : std::string("views: none recorded for this log; run "
                                                "throughline rebuild"));
    return;
  }
  std::set<std::string> cohorts, raised, due;
  std::set<std::uint64_t> expected_views;
  for (const auto& [person, record] : persons) {
    if (record.merged_into != 0)
      continue;
    auto fresh = FoldFromLog(store, person);
    if (!fresh.ok()) {
      problems->Add("view", fmt::format("views: person {}: {}", person, fresh.status().message()));
      continue;
    }
    if (!projections::HasView(*fresh))
      continue;
    expected_views.insert(person);
    auto stored = ReadProjection(store, person);
    if (!stored.ok()) {
      problems->Add("view", fmt::format("views: person {}: {}", person, stored.status().message()));
    } else if (projections::EncodeView(stored->view) != projections::EncodeView(fresh->view)) {
      problems->Add("view", fmt::format("views: the view of person {} is not a fresh fold of "
                                        "their events",
                                        person));
    } else if (stored->alerts != fresh->alerts) {
      problems->Add("view", fmt::format("views: the alerts of person {} are not those a fresh "
                                        "fold raises",
                                        person));
    }
    for (const auto& e : projections::CohortEntries(fresh->view))
      cohorts.insert(e.key);
    for (const auto& a : fresh->alerts) {
      if (projections::IsRaised(a, now)) {
        raised.insert(AlertKey(a.id));
      }
      if (a.due)
        due.insert(AlertDueKey(*a.due, a.id));
    }
  }
  report->views = expected_views.size();
  for (const auto& key : ScanKeys(store, Family::kViews, "")) {
    auto person = DecodeU64Key(key);
    if (!person || !expected_views.count(*person)) {
      problems->Add("view", fmt::format("views: a view of person {} who has no events",
                                        person ? std::to_string(*person) : "?"));
    }
  }
  const auto actual_cohorts = ScanKeys(store, Family::kCohorts, "");
  for (const auto& key : cohorts) {
    if (!actual_cohorts.count(key)) {
      problems->Add("cohort", fmt::format("cohorts: an entry is missing ({})", events::Quote(key)));
    }
  }
  for (const auto& key : actual_cohorts) {
    if (!cohorts.count(key)) {
      problems->Add("cohort",
                    fmt::format("cohorts: an entry no view calls for ({})", events::Quote(key)));
    }
  }
  const auto actual_raised = ScanKeys(store, Family::kAlerts, kAlertPrefix);
  const auto actual_due = ScanKeys(store, Family::kAlerts, kAlertDuePrefix);
  for (const auto& key : raised) {
    // Raised by now: stored as raised, or still waiting for the engine's next alert check.
    if (!actual_raised.count(key)) {
      bool waiting = false;
      for (const auto& d : actual_due)
        waiting = waiting || d.ends_with(key.substr(2));
      if (!waiting)
        problems->Add("alert", fmt::format("alerts: {} is not raised", key.substr(2)));
    }
  }
  for (const auto& key : actual_raised) {
    if (!raised.count(key)) {
      problems->Add("alert",
                    fmt::format("alerts: {} is raised but no fold raises it", key.substr(2)));
    }
  }
  for (const auto& key : actual_due) {
    if (!due.count(key))
      problems->Add("alert", "alerts: a pending alert no fold calls for");
  }
}

}  // namespace

VerifyReport VerifyStore(const EventStore& store,
                         const std::function<void(std::uint64_t, std::uint64_t)>& progress,
                         std::optional<events::Timestamp> now) {
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
  // 5. Projections.
  VerifyProjections(store, persons, now ? *now : SystemClock().Now(), &report, &problems);
  problems.Summarise();
  return report;
}

}  // namespace throughline::services
