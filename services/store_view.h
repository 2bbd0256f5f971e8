// StoreView: the reads of the store, as a reader sees it.
//
// Every reader but one sees the store as it is: a StoreView of the EventStore alone, which is
// what EventStore's own read methods give. The one is the writer preparing its next batch while
// the last is still being written (log_writer.h): it reads through a view with that batch's
// BatchOverlay on top, so it sees the store as it will be, and no other reader ever sees a
// batch before it has landed. The resolver, the writer and the projector take a StoreView, never
// the EventStore, for the reads of a batch: the overlay covers every one of them by construction.
//
// Cheap to copy; valid while the store and the overlay are. Thread-safe for reads.

#ifndef THROUGHLINE_SERVICES_STORE_VIEW_H_
#define THROUGHLINE_SERVICES_STORE_VIEW_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/identifiers.h"
#include "events/status.h"
#include "services/batch_overlay.h"
#include "services/event_store.h"
#include "services/log_record.h"
#include "services/person_record.h"

namespace throughline::services {

class StoreView {
 public:
  // The store as it is. Implicit, as a string_view is of a string: a function that reads takes
  // a StoreView, and is called with the store.
  StoreView(const EventStore& store) : store_(&store) {}  // NOLINT(google-explicit-constructor)
  // The store with `in_flight` on top; null: none.
  StoreView(const EventStore& store, const BatchOverlay* in_flight)
      : store_(&store), overlay_(in_flight) {}

  const EventStore& store() const { return *store_; }

  // Many keys of one family in one sorted RocksDB MultiGet, which reads each block and index
  // once however many keys it holds: the values in the order asked, nullopt where absent.
  Result<std::vector<std::optional<std::string>>> MultiGet(
      Family family, const std::vector<std::string>& keys) const;

  Result<LogRecord> ReadRecord(std::uint64_t sequence) const;
  // Several records in one MultiGet, in the order asked for: a person's events are spread
  // over the log, and one sorted batch reads each block and index once.
  Result<std::vector<LogRecord>> ReadRecords(const std::vector<std::uint64_t>& sequences) const;
  std::optional<std::uint64_t> FindPerson(const events::Identifier& id) const;
  std::optional<std::uint64_t> FindIdempotent(std::string_view source, std::string_view id) const;
  // The persons and sequences stored under many identity or idempotency keys (store_keys.h).
  Result<std::vector<std::optional<std::uint64_t>>> FindMany(
      Family family, const std::vector<std::string>& keys) const;
  Result<PersonRecord> ReadPerson(std::uint64_t person) const;  // NotFound when unknown
  // The records of many persons; absent ones are left out.
  Result<std::map<std::uint64_t, PersonRecord>> ReadPersons(
      const std::vector<std::uint64_t>& persons) const;
  // Follows merges: the person a record now lives in.
  std::uint64_t CurrentPerson(std::uint64_t person) const;
  // The same for many persons, each hop one MultiGet: person -> current person.
  std::unordered_map<std::uint64_t, std::uint64_t> CurrentPersons(
      const std::vector<std::uint64_t>& persons) const;

  // Visits the sequences of a person's events in (event time, sequence) order; stop by
  // returning false.
  void ForEachPersonEvent(std::uint64_t person,
                          const std::function<bool(events::Timestamp, std::uint64_t)>& f) const;

 private:
  // One key, the batch in flight's write first: NotFound when absent.
  rocksdb::Status Get(Family family, std::string_view key, std::string* value) const;

  const EventStore* store_;
  const BatchOverlay* overlay_ = nullptr;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_STORE_VIEW_H_
