// Counters of the ingest path, updated by its threads and read by anyone (the metrics
// endpoint, logs, tests). Relaxed atomics: each is a count, not a synchronisation point.

#ifndef THROUGHLINE_SERVICES_INGEST_METRICS_H_
#define THROUGHLINE_SERVICES_INGEST_METRICS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "services/latency_histogram.h"

namespace throughline::services {

struct IngestMetrics {
  std::atomic<std::uint64_t> consumed{0};      // messages taken from Kafka
  std::atomic<std::uint64_t> appended{0};      // events appended to the log
  std::atomic<std::uint64_t> duplicates{0};    // redeliveries skipped
  std::atomic<std::uint64_t> dead_letters{0};  // messages rejected
  std::atomic<std::uint64_t> dead_letters_published{0};
  std::atomic<std::uint64_t> identity_conflicts{0};
  std::atomic<std::uint64_t> gaps{0};  // offset ranges lost before they were read
  std::atomic<std::uint64_t> batches{0};
  std::atomic<std::uint64_t> write_errors{0};
  std::atomic<std::uint64_t> pauses{0};  // times the consumer paused for the writer
  // How long the writer waited for messages with nothing of its own to write: when the input,
  // not the writer, is the bound (Kafka, or the consumer paused and slow to fetch again).
  std::atomic<std::uint64_t> writer_waiting_us{0};
  std::atomic<std::uint64_t> last_sequence{0};
  std::atomic<bool> assigned{false};  // holds at least one partition
  // Where a message's time goes before subscribers can see it: from its Kafka timestamp to
  // when the consumer took it (across machines this includes their clocks' difference), the
  // age of each batch when it was committed (from its first message consumed), and the
  // writer's part of that (from the start of its preparation to its landing: appending,
  // updating views, the synced write, and any wait for the batch before it to land).
  LatencyHistogram kafka_delay;
  LatencyHistogram batch_age;
  LatencyHistogram batch_write;

  // Consumer lag per (topic, partition): high watermark minus the next offset to consume.
  void SetLag(const std::string& topic, std::int32_t partition, std::int64_t lag) {
    std::lock_guard lock(lag_mu_);
    lag_[{topic, partition}] = lag;
  }
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> Lag() const {
    std::lock_guard lock(lag_mu_);
    return lag_;
  }

 private:
  mutable std::mutex lag_mu_;
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> lag_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_INGEST_METRICS_H_
