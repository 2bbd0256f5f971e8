// ChangePublisher: the change feed on Kafka (`throughline.changes`), for downstream systems
// that would rather consume a topic than hold a WebSocket open. One message per log record, in
// log order, keyed by the person id (so one person's changes stay in order on a partition):
//
//   key:     "42"
//   value:   {"sequence":N,"person":42,"type":"custody.received","time":"...","source":"...",
//             "id":"...","view":{the person's whole view, as it stands when published}}
//   headers: throughline.sequence = N
//
// An outbox over the log (kafka_outbox.h): at least once, resumed after a restart from
// `changes_published` in the metadata; a consumer drops a sequence it has seen. The topic is
// for trusted systems: it is not redacted, so grant it by Kafka ACLs as you would the store.

#ifndef THROUGHLINE_SERVICES_CHANGE_PUBLISHER_H_
#define THROUGHLINE_SERVICES_CHANGE_PUBLISHER_H_

#include <string>

#include "events/status.h"
#include "services/event_store.h"
#include "services/kafka_client.h"
#include "services/kafka_outbox.h"

namespace throughline::services {

class ChangePublisher final : private OutboxSource {
 public:
  ChangePublisher(KafkaConnection connection, std::string topic, EventStore* store);

  Status Start() { return outbox_.Start(); }
  void Stop(int timeout_ms = 5000) { outbox_.Stop(timeout_ms); }
  // The log has grown.
  void Notify() { outbox_.Notify(); }

 private:
  std::uint64_t End() override;
  std::uint64_t Published() override;
  std::vector<OutboxMessage> Read(std::uint64_t from, std::size_t max) override;
  void MarkPublished(std::uint64_t last) override;

  EventStore* store_;
  KafkaOutbox outbox_;  // last: its thread uses the members above
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_CHANGE_PUBLISHER_H_
