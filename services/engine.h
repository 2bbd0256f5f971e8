// Engine: the running Throughline. It opens the store, connects to Kafka (or starts the
// embedded cluster), and runs the ingest pipeline:
//
//   KafkaIngest thread --IngestQueue--> writer thread (LogWriter) --> store
//                                                          \--> DeadLetterPublisher thread
//
// Stop() finishes the batch in hand, publishes what dead letters it can, flushes and closes:
// after it, the store is consistent and the next start replays nothing.

#ifndef THROUGHLINE_SERVICES_ENGINE_H_
#define THROUGHLINE_SERVICES_ENGINE_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "events/status.h"
#include "services/change_publisher.h"
#include "services/clock.h"
#include "services/dead_letter_publisher.h"
#include "services/embedded_kafka.h"
#include "services/event_store.h"
#include "services/ingest_metrics.h"
#include "services/ingest_queue.h"
#include "services/kafka_ingest.h"
#include "services/log_changes.h"
#include "services/projected_log.h"
#include "services/readiness.h"

namespace throughline::services {

struct EngineOptions {
  // The data directory: the store, and kafka.bootstrap. Required.
  std::string data_dir;
  StoreOptions store;
  // Kafka to consume. An empty bootstrap starts the embedded cluster. Default: embedded
  KafkaConnection kafka;
  // Partitions of each topic the embedded cluster creates. Default: 6
  int embedded_partitions = 6;
  // Input topics of native envelopes. Default: justice.events
  std::vector<std::string> topics = {"justice.events"};
  // Input topics of HMPPS domain events (docs/hmpps.md); empty for none.
  // Default: hmpps.domain-events
  std::vector<std::string> hmpps_topics = {"hmpps.domain-events"};
  // Where rejected messages go. Default: justice.events.dlq
  std::string dead_letter_topic = "justice.events.dlq";
  // The change feed for downstream systems (change_publisher.h); "" for none.
  // Default: throughline.changes
  std::string change_topic = "throughline.changes";
  // Consumer group. Default: throughline
  std::string group = "throughline";
  // Consumer tuning; connection, topics and group are taken from above.
  IngestOptions ingest;
  // Most messages written in one WriteBatch. Default: 5000
  std::size_t write_batch_messages = 5000;
  // Called in every batch before it is written (projections). Not owned.
  std::vector<BatchHook*> hooks;
  // Called on the writer's thread after each batch is durable, with its last sequence (the
  // API wakes its subscribers), and its changes when changes_wanted said so before the batch
  // (empty otherwise, or when the batch merged a person). Must not block. Default: none
  std::function<void(std::uint64_t last_sequence, std::vector<LogChange> changes)> on_committed;
  // Asked on the writer's thread before each batch: whether on_committed should have its
  // changes (someone follows them). Keeping them costs the writer a copy of each event.
  // Default: none (never)
  std::function<bool()> changes_wanted;
  // Called on the writer's thread with the time-based alerts the clock has just raised.
  std::function<void(const std::vector<projections::Alert>&)> on_alerts_raised;
  // Called once, on the writer's thread, when the store has stopped for good: RocksDB marked
  // its error fatal, which only reopening the store clears (store_listener.h). The engine goes
  // on serving reads and retrying; a server should exit for its supervisor to start it again
  // (serve does), which loses nothing: the batch not written is read from Kafka again.
  // Must not block. Default: none
  std::function<void(const std::string& error)> on_store_failed;
  // Ready (GET /readyz) while the consumer lag is at most this. Default: 10000
  std::int64_t ready_max_lag = 10'000;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Start(EngineOptions options, const Clock* clock);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void Stop();

  const std::string& bootstrap() const { return bootstrap_; }
  EventStore* store() const { return store_.get(); }
  const IngestMetrics& metrics() const { return metrics_; }
  const ProjectionMetrics& projection_metrics() const { return log_->projector().metrics(); }
  EmbeddedKafka* embedded_kafka() const { return embedded_.get(); }
  // Ready when consuming, caught up within ready_max_lag, and writing; else the reasons.
  Readiness Ready() const;
  // A rebuild of the views at start-up (another projection version): whether one is running,
  // and how far it is.
  bool rebuilding() const { return rebuilding_; }
  std::uint64_t rebuild_done() const { return rebuild_done_; }
  std::uint64_t rebuild_total() const { return rebuild_total_; }

 private:
  explicit Engine(EngineOptions options, const Clock* clock);
  // A batch the writer has taken from the queue, and what to tell of it once written.
  struct TakenBatch {
    IncomingBatch batch;
    AppendResult result;
    std::optional<std::vector<LogChange>> changes;  // the projector's, for on_committed
    std::chrono::steady_clock::time_point started;
  };

  void WriterLoop();
  // Waits for the batch in flight to be written, appending it again if that failed, and tells
  // of it. False only when closing, with the batch abandoned.
  bool Land(TakenBatch& taken);
  // Metrics, Kafka offsets, on_committed and the publishers, for a batch written.
  void Committed(TakenBatch& taken);
  // Appends, retrying a failed write with backoff while the consumer is paused; `failed`, when
  // not OK, is the first attempt's error, made elsewhere. False only when closing, with the
  // batch abandoned (its offsets were not stored: it is read again).
  bool AppendWithRetry(const IncomingBatch& batch, AppendResult* result,
                       const Status& failed = Status::OK());
  // Takes the store out of RocksDB's read-only mode, at most once per backoff period; reports
  // an error that Resume cannot clear instead (on_store_failed).
  void ResumeStoreIfStopped();
  // Time-based alerts whose time has come; at most once a second, on the writer's thread, with
  // no batch in flight.
  void RaiseDueAlerts();
  bool AlertsCheckDue() const;
  void LogProgress(bool final);

  EngineOptions options_;
  const Clock* clock_;
  std::string bootstrap_;
  std::unique_ptr<EmbeddedKafka> embedded_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<ProjectedLog> log_;
  IngestMetrics metrics_;
  IngestQueue queue_;
  std::unique_ptr<KafkaIngest> ingest_;
  std::unique_ptr<DeadLetterPublisher> dead_letters_;
  std::unique_ptr<ChangePublisher> changes_;
  std::thread writer_thread_;
  std::atomic<bool> closing_{false};
  std::atomic<bool> writer_failing_{false};
  mutable std::mutex writer_error_mu_;
  std::string writer_error_;  // the last failed write's error, for readiness
  std::chrono::steady_clock::time_point resume_tried_at_;
  bool store_failure_reported_ = false;  // the writer's thread's
  std::atomic<bool> rebuilding_{false};
  std::atomic<std::uint64_t> rebuild_done_{0}, rebuild_total_{0};
  bool stopped_ = false;
  std::chrono::steady_clock::time_point progress_at_;
  std::chrono::steady_clock::time_point alerts_checked_at_;
  std::uint64_t progress_appended_ = 0;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_ENGINE_H_
