// DeadLetterPublisher: copies dead letters from the store (the outbox) to the DLQ topic.
//
// The writer stores each rejected message in the same batch as the offsets that pass it, so a
// rejection is never lost; this publishes them in order (kafka_outbox.h) and records how far
// it got in `dead_letters_published`. The DLQ is at-least-once: each message's
// throughline.source.* headers identify a repeat.

#ifndef THROUGHLINE_SERVICES_DEAD_LETTER_PUBLISHER_H_
#define THROUGHLINE_SERVICES_DEAD_LETTER_PUBLISHER_H_

#include <string>

#include "events/status.h"
#include "services/event_store.h"
#include "services/ingest_metrics.h"
#include "services/kafka_client.h"
#include "services/kafka_outbox.h"

namespace throughline::services {

class DeadLetterPublisher final : private OutboxSource {
 public:
  DeadLetterPublisher(KafkaConnection connection, std::string topic, EventStore* store,
                      IngestMetrics* metrics);

  Status Start() { return outbox_.Start(); }
  // Publishes what is in the outbox (waiting up to `timeout_ms` for Kafka), then stops.
  void Stop(int timeout_ms = 5000) { outbox_.Stop(timeout_ms); }
  // The writer stored new dead letters.
  void Notify() { outbox_.Notify(); }

 private:
  std::uint64_t End() override;
  std::uint64_t Published() override;
  std::vector<OutboxMessage> Read(std::uint64_t from, std::size_t max) override;
  void MarkPublished(std::uint64_t last) override;

  EventStore* store_;
  IngestMetrics* metrics_;
  std::uint64_t marked_ = 0;  // on the outbox's thread only
  KafkaOutbox outbox_;        // last: its thread uses the members above
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_DEAD_LETTER_PUBLISHER_H_
