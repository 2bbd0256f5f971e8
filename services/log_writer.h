// LogWriter: appends batches of incoming messages to the log, exactly once.
//
// One batch becomes one RocksDB WriteBatch holding everything it changes: the log records,
// the person, idempotency and identity indexes, the dead letters, the consumer offsets the
// batch moves to, and the log's metadata (next sequence, last hash). Either all of it is
// durable or none of it is; so after a crash the offsets in the store say exactly which
// messages are in the log, and consuming resumes from there with nothing lost or doubled.
//
// Per message, in arrival order:
// - rejected by validation: a dead letter;
// - (source, id) already in the log with the same content: a duplicate, counted and skipped;
//   with different content: a dead letter (rule duplicate_id), never a silent overwrite;
// - otherwise: the next sequence number (1, 2, 3, ... no gaps), the person from the
//   IdentityResolver, and a log record chained to the previous one by hash.
//
// A writer that has more to write prepares its next batch while the last one is written
// (Prepare, StartWrite, FinishWrite): the write was a third of the writer's thread. Preparing
// reads the store through a StoreView with the batch in flight on top (store_view.h), so it sees
// the log as it will be; no other reader sees a batch before it has landed. When the batch in
// flight fails, the one prepared on top of it is dropped: both are appended again, in order.
//
// Not thread-safe: one writer thread owns the log (the write in flight runs on a helper).

#ifndef THROUGHLINE_SERVICES_LOG_WRITER_H_
#define THROUGHLINE_SERVICES_LOG_WRITER_H_

#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include <rocksdb/write_batch.h>

#include "events/event.h"
#include "events/status.h"
#include "services/clock.h"
#include "services/dead_letter.h"
#include "services/event_store.h"
#include "services/helper_thread.h"
#include "services/identity_resolver.h"
#include "services/incoming.h"
#include "services/store_view.h"
#include "services/when_landed.h"

namespace throughline::services {

// An event as appended, for hooks that build on the log (projections, subscriptions).
struct AppendedEvent {
  std::uint64_t sequence;
  std::uint64_t person;
  const events::Event* event;  // as published; valid during the hook call
  const LogRecord* record;
};

// What a hook may read while a batch is being built: the log as it will be once the batch is
// written (the store, with the batch's own records and identity changes on top). Reads only:
// a hook may call it from two threads at once (the projector shares large batches).
class BatchReader {
 public:
  virtual ~BatchReader() = default;
  // The sequences of a person's events, in (event time, sequence) order.
  virtual std::vector<std::uint64_t> PersonEvents(std::uint64_t person) = 0;
  // The records at `sequences`, in that order: the batch's own, and the store's in one
  // MultiGet.
  virtual Result<std::vector<LogRecord>> Records(const std::vector<std::uint64_t>& sequences) = 0;
  // False for a person merged into another.
  virtual bool IsCurrent(std::uint64_t person) = 0;
  // True when events moved to or from the person in this batch (merge, unmerge, link).
  virtual bool EventsMoved(std::uint64_t person) = 0;
  // The store beneath the batch: with the batch in flight, if any, on top.
  virtual StoreView store() = 0;
};

// Runs inside a batch, before it is written: whatever it adds to `batch` commits atomically
// with the events (projections keep their views this way: never behind or ahead of the log).
// What must wait for the write (log lines, counts) goes in `when_landed` (when_landed.h).
class BatchHook {
 public:
  virtual ~BatchHook() = default;
  virtual Status OnBatch(const std::vector<AppendedEvent>& appended,
                         const std::set<std::uint64_t>& persons_touched, BatchReader& reader,
                         rocksdb::WriteBatch* batch, WhenLanded* when_landed) = 0;
};

struct AppendResult {
  std::uint64_t first_sequence = 0;  // 0 when nothing was appended
  std::uint64_t last_sequence = 0;
  std::size_t appended = 0;
  std::size_t duplicates = 0;
  std::size_t dead_letters = 0;
  std::size_t identity_conflicts = 0;
  std::size_t gaps = 0;
};

class LogWriter {
 public:
  LogWriter(EventStore* store, const Clock* clock);
  ~LogWriter();

  void AddHook(BatchHook* hook) { hooks_.push_back(hook); }

  // Appends `batch` atomically: Prepare and write, with no batch in flight. On failure nothing
  // was written and the writer is unchanged: the same batch may be retried.
  Status Append(const IncomingBatch& batch, AppendResult* result);

  // Builds the write of `batch` on top of the batch in flight, if any, and holds it for
  // StartWrite; `result` is what it will have done once written. Hooks run here. On failure
  // nothing is held.
  Status Prepare(const IncomingBatch& batch, AppendResult* result);
  // Starts writing the prepared batch on the writer's helper thread. None may be in flight.
  void StartWrite();
  // Waits for the batch in flight to be written: OK when there is none. On failure nothing of
  // it was written, and the batch prepared on top of it, if any, is dropped: the caller appends
  // both again, in order.
  Status FinishWrite();
  // Drops the prepared batch, unwritten.
  void DropPrepared();

  bool has_prepared() const { return prepared_ != nullptr; }
  // True when FinishWrite would not wait.
  bool write_finished() const { return !in_flight_ || committer_->Finished(); }

 private:
  struct Prepared;

  EventStore* store_;
  const Clock* clock_;
  IdentityResolver resolver_;
  std::vector<BatchHook*> hooks_;
  std::unique_ptr<Prepared> prepared_;   // built, not yet writing
  std::unique_ptr<Prepared> in_flight_;  // being written
  std::unique_ptr<Prepared> spare_;      // its WriteBatch's buffer kept for the next one
  Status in_flight_status_;
  std::unique_ptr<HelperThread> committer_;
};

// Makes a dead letter of a message, rejected at `now` for `errors`.
DeadLetter MakeDeadLetter(const RawMessage& raw, events::ValidationErrors errors,
                          events::Timestamp now);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_LOG_WRITER_H_
