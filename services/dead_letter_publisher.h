// DeadLetterPublisher: copies dead letters from the store (the outbox) to the DLQ topic.
//
// The writer stores each rejected message in the same batch as the offsets that pass it, so a
// rejection is never lost; this thread then publishes them in order and records how far it
// got. If Kafka is down the outbox simply grows, and ingest is not held up. After a crash the
// last unconfirmed letters are published again: the DLQ is at-least-once, and each message's
// throughline.source.* headers identify a repeat.

#ifndef THROUGHLINE_SERVICES_DEAD_LETTER_PUBLISHER_H_
#define THROUGHLINE_SERVICES_DEAD_LETTER_PUBLISHER_H_

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "events/status.h"
#include "services/event_store.h"
#include "services/ingest_metrics.h"
#include "services/kafka_client.h"

namespace throughline::services {

class DeadLetterPublisher {
 public:
  DeadLetterPublisher(KafkaConnection connection, std::string topic, EventStore* store,
                      IngestMetrics* metrics);
  ~DeadLetterPublisher();

  Status Start();
  // Publishes what is in the outbox (waiting up to `timeout_ms` for Kafka), then stops.
  void Stop(int timeout_ms = 5000);
  // The writer stored new dead letters.
  void Notify();

 private:
  void Run();
  // Publishes letters after `published` up to the end of the outbox; returns the new mark.
  std::uint64_t PublishFrom(std::uint64_t published, int flush_timeout_ms);
  static void DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque);

  KafkaConnection connection_;
  std::string topic_;
  EventStore* store_;
  IngestMetrics* metrics_;
  KafkaHandle producer_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool pending_ = true;
  bool stop_ = false;
  int stop_timeout_ms_ = 5000;
  std::atomic<std::uint64_t> failed_{0};  // deliveries failed in the current round
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_DEAD_LETTER_PUBLISHER_H_
