// KafkaOutbox: publishes items numbered 1, 2, 3, ... that the store already holds to a Kafka
// topic, in order, at least once, and records in the store how far it got. The dead-letter
// topic (dead_letter_publisher.h) and the change feed (change_publisher.h) are two outboxes.
//
// The items are durable before they are published, so Kafka being down never loses one and
// never holds up ingest: the outbox grows, this thread backs off and tries again. After a crash
// the last unconfirmed round is published again: consumers tell a repeat by its number (a
// header each source sets).
//
// Thread safety: Notify() from any thread; the rest from the owner's.

#ifndef THROUGHLINE_SERVICES_KAFKA_OUTBOX_H_
#define THROUGHLINE_SERVICES_KAFKA_OUTBOX_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "events/status.h"
#include "services/kafka_client.h"

namespace throughline::services {

struct OutboxMessage {
  std::uint64_t number = 0;
  std::optional<std::string> key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Where an outbox's items come from, and where its mark is kept.
class OutboxSource {
 public:
  virtual ~OutboxSource() = default;
  // Items 1 .. End() exist.
  virtual std::uint64_t End() = 0;
  // Items 1 .. Published() are on the topic.
  virtual std::uint64_t Published() = 0;
  // Up to `max` items from `from` on, in order. An item that cannot be read is left out (and
  // logged by the source): one bad item must not stop the rest.
  virtual std::vector<OutboxMessage> Read(std::uint64_t from, std::size_t max) = 0;
  virtual void MarkPublished(std::uint64_t last) = 0;
};

class KafkaOutbox {
 public:
  // `name` names the outbox in logs and the Kafka client id ("dead_letters", "changes").
  KafkaOutbox(KafkaConnection connection, std::string topic, std::string name,
              OutboxSource* source);
  ~KafkaOutbox();
  KafkaOutbox(const KafkaOutbox&) = delete;
  KafkaOutbox& operator=(const KafkaOutbox&) = delete;

  Status Start();
  // Publishes what is there (waiting up to `timeout_ms` for Kafka), then stops.
  void Stop(int timeout_ms = 5000);
  // There are new items.
  void Notify();

 private:
  void Run();
  // Publishes items after `published`, a round at a time; returns the new mark.
  std::uint64_t PublishFrom(std::uint64_t published, int flush_timeout_ms);
  static void DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque);

  KafkaConnection connection_;
  std::string topic_;
  std::string name_;
  OutboxSource* source_;
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

#endif  // THROUGHLINE_SERVICES_KAFKA_OUTBOX_H_
