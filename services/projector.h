// Projector: keeps every person's view, cohorts and alerts in step with the log.
//
// It runs as a BatchHook inside each write batch: for every person the batch touched it
// applies the new events to the stored state when they come after everything folded
// (incremental, the common case), or folds the person afresh from the log (a late event, a
// retraction, a merge); then it writes the new state and the difference in cohort and alert
// entries into the same WriteBatch. So after any crash the views are exactly as far as the log.
// A batch of many persons is shared: the writer's thread and a helper (tl-project) fold them,
// each taking the next 32 persons until none are left.
//
// Time-based alerts wait in the alerts family until their due time; RaiseDue(), called by the
// writer thread between batches, raises those whose time has come by the engine's clock.

#ifndef THROUGHLINE_SERVICES_PROJECTOR_H_
#define THROUGHLINE_SERVICES_PROJECTOR_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <rocksdb/write_batch.h>

#include "events/status.h"
#include "projections/fold.h"
#include "services/clock.h"
#include "services/event_store.h"
#include "services/helper_thread.h"
#include "services/log_changes.h"
#include "services/log_writer.h"

namespace throughline::services {

struct ProjectionMetrics {
  // Counted when their batch lands: a batch that a failed write dropped counts once, when it is
  // appended again.
  std::atomic<std::uint64_t> incremental{0};    // persons updated by applying new events
  std::atomic<std::uint64_t> refolds{0};        // persons folded afresh
  std::atomic<std::uint64_t> alerts_raised{0};  // stored
  // Work done: a batch that a failed write dropped counts again when it is appended again.
  std::atomic<std::uint64_t> shared_batches{0};  // batches folded on two threads
};

// The families a state is written to: the current generation, or one a rebuild is filling.
struct ProjectionTarget {
  rocksdb::ColumnFamilyHandle* views;
  rocksdb::ColumnFamilyHandle* cohorts;
  rocksdb::ColumnFamilyHandle* alerts;
  static ProjectionTarget Current(const EventStore& store);
  static ProjectionTarget Of(const ProjectionFamilies& families);
};

// Which writes of a ProjectionWrites to make. Alert keys are global (by alert id), and an alert
// moves with its event when a merge, unmerge or link moves events between persons: a batch that
// changes several persons writes every person's removals first and then every person's
// additions, so that one person's delete cannot undo another's put of the same key.
enum class WritePhase { kRemoves, kAdds, kAll };

// The writes that replace a person's stored state with another: the view, and the cohort and
// alert entries that differ.
struct ProjectionWrites {
  struct KeyValue {
    rocksdb::ColumnFamilyHandle* family;
    std::string key, value;
  };
  struct Key {
    rocksdb::ColumnFamilyHandle* family;
    std::string key;
  };
  std::vector<Key> deletes;
  std::vector<KeyValue> puts;

  void Put(rocksdb::ColumnFamilyHandle* family, std::string key, std::string value);
  void Delete(rocksdb::ColumnFamilyHandle* family, std::string key);
  // The deletes (kRemoves), the puts (kAdds), or the deletes and then the puts (kAll).
  void AddTo(rocksdb::WriteBatch* batch, WritePhase phase) const;
};

// What replaces `old` (nullopt: nothing stored) with `now_state` for `person` (nullopt: the
// person has no events any more). Alerts not yet due at `now` wait under their due time.
ProjectionWrites DiffProjection(const ProjectionTarget& target, std::uint64_t person,
                                const std::optional<projections::ProjectionState>& old,
                                const std::optional<projections::ProjectionState>& now_state,
                                events::Timestamp now);

// DiffProjection, added to `batch`.
void WriteProjection(const ProjectionTarget& target, std::uint64_t person,
                     const std::optional<projections::ProjectionState>& old,
                     const std::optional<projections::ProjectionState>& now_state,
                     events::Timestamp now, rocksdb::WriteBatch* batch);

struct PersonChange;  // one person's part of a batch (projector.cc)

class Projector final : public BatchHook {
 public:
  Projector(EventStore* store, const Clock* clock);
  ~Projector() override;

  Status OnBatch(const std::vector<AppendedEvent>& appended,
                 const std::set<std::uint64_t>& persons_touched, BatchReader& reader,
                 rocksdb::WriteBatch* batch, WhenLanded* when_landed) override;

  // Raises the alerts due by now; writes its own batch; `raised` gets them. Call from the
  // writer's thread only.
  Status RaiseDue(std::vector<projections::Alert>* raised);

  const ProjectionMetrics& metrics() const { return metrics_; }

  // While on, each batch's changes are kept for TakeChanges: the subscriptions take them from
  // here rather than read back from the store what the writer had in hand.
  void KeepChanges(bool keep) { keep_changes_ = keep; }
  // The changes of the last batch (log_changes.h): each record appended, in sequence order,
  // with its person and that person's state after the batch. Nullopt when not kept, or when
  // the batch merged a person away (the store then says where their records went).
  std::optional<std::vector<LogChange>> TakeChanges();

 private:
  EventStore* store_;
  const Clock* clock_;
  ProjectionMetrics metrics_;
  bool keep_changes_ = false;
  std::optional<std::vector<LogChange>> kept_;
  std::unique_ptr<HelperThread> helper_;  // started by the first batch large enough to share
  std::vector<PersonChange> changes_;     // the batch's, in OnBatch only
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_PROJECTOR_H_
