// IdentityResolver: which person an event is about, and the person index that follows from it.
//
// Every event carries one or more identifiers (PNC, prison number, CRN, CRO). The resolver maps
// them to one engine-assigned person id:
//
// - identifiers never seen before make a new person;
// - new identifiers on an event attach to the person its known identifiers resolve to;
// - when an event's identifiers resolve to two different records that contradict nothing in
//   each other (no identifier kind on both, e.g. one knows only the PNC, the other only the
//   prison number), the event is the evidence that they are one person: the record of the
//   weaker identifier joins the person of the strongest, as a merge would (a link). Arrival
//   order makes these: a prison event with only a prison number can reach the engine before
//   the reception that carried the PNC beside it;
// - when they contradict each other (both hold a PNC, say, and different ones), the event goes
//   to the person of its strongest identifier (PNC, then prison number, CRN, CRO), the other
//   identifiers stay where they were, and an IdentityConflict is recorded on the log record
//   for the alerts;
// - `identity.merged` moves every identifier and indexed event of the merged person into the
//   surviving one; `identity.unmerged` moves the named identifiers, and the events they
//   identify, back out (to the person they were merged from, or a new one).
//
// Decisions depend only on the order of the log, so rebuilding the indexes from the log gives
// the same persons. The resolver works inside one WriteBatch at a time: Begin(), then per
// event Resolve()/Merge()/Unmerge()/Index(), then Finish() (or Abort() if the batch was not
// written). Reads see the batch's own staged changes. Not thread-safe: the writer's thread only.

#ifndef THROUGHLINE_SERVICES_IDENTITY_RESOLVER_H_
#define THROUGHLINE_SERVICES_IDENTITY_RESOLVER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <rocksdb/write_batch.h>

#include "events/event.h"
#include "events/status.h"
#include "services/event_store.h"
#include "services/log_record.h"
#include "services/person_record.h"
#include "services/store_view.h"
#include "services/when_landed.h"

namespace throughline::services {

class IdentityResolver {
 public:
  explicit IdentityResolver(const EventStore* store);

  // Starts a batch; staged writes go into `batch`, new person ids come from `state`, every
  // read of the store goes through `view` (the batch in flight on top, when there is one), and
  // the log lines of links wait in `when_landed` until the batch is written.
  void Begin(rocksdb::WriteBatch* batch, LogState* state, StoreView view, WhenLanded* when_landed);

  // Reads ahead, in two MultiGets, what resolving each event's identifiers would look up one
  // at a time: their identity keys, and the records of the persons they belong to where an
  // event needs them (an identifier not known yet, or identifiers of different persons). An
  // event whose identifiers all lead to one person needs no person record, and most do.
  // Optional; call after Begin().
  Status Prefetch(const std::vector<std::vector<events::Identifier>>& ids_by_event);

  // The person of an ordinary event; attaches identifiers the store did not know.
  std::uint64_t Resolve(const std::vector<events::Identifier>& ids,
                        std::vector<IdentityConflict>* conflicts);

  // Indexes an appended event under its person. `event` must outlive the batch.
  void Index(std::uint64_t person, events::Timestamp time, std::uint64_t sequence,
             const events::Event* event);

  // identity.merged: the persons of `merged` join `person`.
  void Merge(std::uint64_t person, const std::vector<events::Identifier>& merged);

  // identity.unmerged: `unmerged` is somebody else; returns that person.
  std::uint64_t Unmerge(std::uint64_t person, const std::vector<events::Identifier>& unmerged);

  // Persons whose events or identifiers changed in this batch.
  const std::set<std::uint64_t>& touched() const { return touched_; }
  // Persons whose indexed events moved to or from another person in this batch (merges,
  // unmerges, links): their views must be refolded, not patched.
  bool EventsMoved(std::uint64_t person) const { return moved_.count(person) > 0; }

  using IndexKey = std::pair<std::int64_t, std::uint64_t>;  // event time, sequence
  // A person's index entries as they will be once the batch is written, in order.
  std::vector<IndexKey> Entries(std::uint64_t person) const;
  // Whether the person is current (not merged into another), with this batch's changes.
  bool IsCurrent(std::uint64_t person) const;

  // Stages the changed person records into the batch and ends it.
  void Finish();
  // Forgets the batch: it was not written.
  void Abort();

 private:
  std::optional<std::uint64_t> Lookup(const events::Identifier& id);
  PersonRecord& Person(std::uint64_t person);
  std::uint64_t NewPerson();
  // True when the two records hold an identifier of the same kind: two people, not one.
  bool Contradict(std::uint64_t a, std::uint64_t b);
  // Moves every identifier and indexed event of `other` into `person`.
  void Join(std::uint64_t person, std::uint64_t other);
  void Assign(const events::Identifier& id, std::uint64_t person);
  void StageIndex(std::uint64_t person, IndexKey key, bool present);
  // Moves the entries of `from` for whose sequence `move` is true to `to`.
  template <class Predicate>
  void MoveEvents(std::uint64_t from, std::uint64_t to, Predicate move);
  // The identifiers of the event at `sequence`, from the batch or the store.
  std::vector<events::Identifier> EventIdentifiers(std::uint64_t sequence);

  const EventStore* store_;
  StoreView view_;
  rocksdb::WriteBatch* batch_ = nullptr;
  LogState* state_ = nullptr;
  WhenLanded* when_landed_ = nullptr;
  std::unordered_map<std::string, std::uint64_t> identity_;  // staged identity keys
  std::unordered_set<std::string> absent_;         // identity keys prefetched and not in the store
  std::map<std::uint64_t, PersonRecord> persons_;  // loaded this batch
  std::set<std::uint64_t> dirty_;                  // persons_ to write
  std::map<std::uint64_t, std::map<IndexKey, bool>> index_;  // staged index puts/deletes
  std::unordered_map<std::uint64_t, const events::Event*> batch_events_;
  std::set<std::uint64_t> touched_;
  std::set<std::uint64_t> moved_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_IDENTITY_RESOLVER_H_
