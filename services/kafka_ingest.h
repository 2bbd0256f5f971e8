// KafkaIngest: the consumer side of ingest. One thread polls Kafka as a member of a consumer
// group, parses and encodes each message (off the writer's thread), and hands batches to the
// IngestQueue.
//
// Offsets: the store's offsets are the truth. Auto-commit and auto offset store are off; on
// every partition assignment the consumer first lets the writer finish what it holds, then
// seeks to the offsets the store has. After the writer makes a batch durable it calls
// Commit(), which tells Kafka too: for lag monitoring and for producers' flow control, never
// for correctness.
//
// Retention: if a partition's earliest offset is past the stored one (messages deleted before
// they were read) the loss is passed to the writer as an OffsetGap, recorded and logged, and
// consuming carries on from the earliest offset still there. Never silent.
//
// Memory: when the queue holds more than max_queued_bytes, the consumer waits for the writer,
// not polling (librdkafka's prefetching is bounded too), for up to writer_catch_up. When the writer
// cannot write (a full disk), or is still behind after that, the partitions are paused (polling
// goes on, so the group membership holds), and resumed once the writer writes and the queue is
// below half of it.

#ifndef THROUGHLINE_SERVICES_KAFKA_INGEST_H_
#define THROUGHLINE_SERVICES_KAFKA_INGEST_H_

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events/envelope_parser.h"
#include "events/hmpps/hmpps_adapter.h"
#include "events/status.h"
#include "services/clock.h"
#include "services/event_store.h"
#include "services/incoming.h"
#include "services/ingest_metrics.h"
#include "services/ingest_queue.h"
#include "services/kafka_client.h"

namespace throughline::services {

struct IngestOptions {
  KafkaConnection connection;
  // Topics of native CloudEvents envelopes to consume. Default: justice.events
  std::vector<std::string> topics = {"justice.events"};
  // Topics of HMPPS domain events to consume, read by the HMPPS adapter
  // (events/hmpps/hmpps_adapter.h). Default: none
  std::vector<std::string> hmpps_topics;
  // Consumer group; engines sharing one split the partitions. Default: throughline
  std::string group = "throughline";
  // Read every partition of the topics without the group's rebalancing: for a single engine
  // (or engines that are each a whole replica). It starts reading at once, where a group
  // member waits for the coordinator's rebalance (3 to 10 s); the offsets are the store's
  // either way, and the group still gets them committed, for lag monitoring. Partitions added
  // to a topic later are read after a restart. Default: false
  bool assign_all = false;
  // Messages per batch handed to the writer. Default: 1000
  std::size_t batch_messages = 1000;
  // How long a batch gathers while the writer is busy before it is queued anyway (an idle
  // writer is handed it at once). Default: 5 ms
  int batch_wait_ms = 5;
  // Bytes waiting for the writer above which the consumer waits for it. Default: 64 MiB
  std::size_t max_queued_bytes = std::size_t{64} << 20;
  // How long the consumer waits, not polling, for the writer to bring the queue below
  // max_queued_bytes before it pauses its partitions: longer than a batch takes to write, far
  // shorter than max.poll.interval.ms. Default: 1 s
  std::chrono::milliseconds writer_catch_up{1000};
};

class KafkaIngest {
 public:
  KafkaIngest(IngestOptions options, const EventStore* store, IngestQueue* queue,
              IngestMetrics* metrics, const Clock* clock);
  ~KafkaIngest();
  KafkaIngest(const KafkaIngest&) = delete;
  KafkaIngest& operator=(const KafkaIngest&) = delete;

  // Joins the group and starts the polling thread.
  Status Start();
  // Stops polling, hands over the last batch, and leaves the group.
  void Stop();

  // `offsets` are durable in the store: tell Kafka. Thread-safe.
  void Commit(const OffsetMap& offsets);

 private:
  static void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void OnAssign(rd_kafka_topic_partition_list_t* partitions);
  void OnRevoke(rd_kafka_topic_partition_list_t* partitions);
  void Run();
  void Handle(const rd_kafka_message_t* message);
  void HandleOffsetReset(const rd_kafka_message_t* message);
  // Restarts fetching a partition at `offset`.
  void Reassign(const std::string& topic, std::int32_t partition, std::int64_t offset);
  void FlushBatch();
  void SetPaused(bool paused);
  void UpdateLag();

  IngestOptions options_;
  const EventStore* store_;
  IngestQueue* queue_;
  IngestMetrics* metrics_;
  const Clock* clock_;
  KafkaHandle consumer_;
  events::EnvelopeParser parser_;      // used by the polling thread only
  events::hmpps::HmppsAdapter hmpps_;  // used by the polling thread only
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex commit_mu_;  // guards consumer_ against Commit() during close
  bool closed_ = false;

  // Polling thread state.
  IncomingBatch batch_;
  std::chrono::steady_clock::time_point batch_started_;
  bool paused_ = false;
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> next_offset_;
  std::chrono::steady_clock::time_point last_lag_update_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_KAFKA_INGEST_H_
