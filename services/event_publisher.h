// EventPublisher: publishes envelopes to a Kafka topic, as `throughline produce` and the
// generator do.
//
// - The key is the message's strongest person identifier ("pnc:2012/0123456Y"), so all of a
//   person's events land on one partition and keep their order. Messages that do not parse
//   are published as they are, without a key: the engine rejects them to the DLQ.
// - The producer is idempotent: a retry after a network error never doubles a message.
// - Flow control: before each batch of messages it checks the consumer group's lag (high
//   watermark minus the group's committed offset, over all partitions) and waits while it is
//   above max_lag. The embedded cluster drops messages beyond 5 MiB a partition, so a producer
//   that outran the engine would lose data; with a real cluster it keeps a backlog reasonable.

#ifndef THROUGHLINE_SERVICES_EVENT_PUBLISHER_H_
#define THROUGHLINE_SERVICES_EVENT_PUBLISHER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/envelope_parser.h"
#include "events/status.h"
#include "services/kafka_client.h"

namespace throughline::services {

struct PublishOptions {
  KafkaConnection connection;
  // Default: justice.events
  std::string topic = "justice.events";
  // The consumer group whose lag is watched. Default: throughline
  std::string group = "throughline";
  // Wait while the group's lag is above this many messages; 0 turns flow control off.
  // Default: 20000
  std::int64_t max_lag = 20000;
  // Messages published between two lag checks. Default: 1000
  std::int64_t lag_check_every = 1000;
  // How long a message waits for others to its partition, to be sent with them in one batch.
  // Default: 5 (librdkafka's), for a live trickle; a bulk load wants kBulkLingerMs.
  int linger_ms = 5;
};

// A bulk load's linger (`gen`, `produce`): larger batches, fewer of them. Each batch is a request
// to a broker and a record batch in the partition. The embedded cluster walks a partition's
// batches one by one to find a fetch's offset (rdkafka_mock.c: "FIXME: Maintain an index"), so a
// million events published in the batches of a 5 ms linger (about 10 messages each) cost its one
// thread three quarters of a core while an engine consumed the live stream after them.
inline constexpr int kBulkLingerMs = 100;

class EventPublisher {
 public:
  static Result<std::unique_ptr<EventPublisher>> Open(PublishOptions options);
  ~EventPublisher();

  // Publishes one message; the key comes from its identifiers.
  Status Publish(std::string_view value);
  // Publishes with an explicit key (nullopt: none) and headers.
  Status Publish(std::optional<std::string_view> key, std::string_view value,
                 const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Waits until every message is acknowledged; IOError naming what failed otherwise.
  Status Flush(int timeout_ms = 60000);
  // Learns the topic's partitions and their leaders now, rather than with the first message:
  // a producer that had published to another topic held its first messages to this one about
  // 0.9 s while it asked (measured on the embedded cluster). IOError when Kafka does not answer.
  Status WaitForTopic(int timeout_ms = 10000);

  std::uint64_t published() const { return published_; }
  std::uint64_t failed() const { return failed_; }
  // Called every 10 s while flow control has waited that long, with the lag seen.
  void set_on_wait(std::function<void(std::int64_t lag)> f) { on_wait_ = std::move(f); }
  // The group's total lag on the topic; -1 when it cannot be read.
  std::int64_t GroupLag();
  // Waits until the group has consumed everything published (its lag is 0: the engine has
  // stored it), calling `progress(lag)` about once a second. Busy after `timeout`; NotSupported
  // when flow control is off (max_lag 0: no lag is read).
  Status WaitUntilConsumed(std::chrono::seconds timeout,
                           const std::function<void(std::int64_t lag)>& progress);

 private:
  explicit EventPublisher(PublishOptions options) : options_(std::move(options)) {}
  void WaitForLag();
  static void DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque);

  PublishOptions options_;
  KafkaHandle producer_;
  KafkaHandle lag_reader_;  // a consumer in the group, never subscribed: reads committed offsets
  events::EnvelopeParser parser_;
  std::uint64_t published_ = 0;
  std::atomic<std::uint64_t> failed_{0};
  std::string first_error_;
  std::int64_t since_check_ = 0;
  std::function<void(std::int64_t)> on_wait_;
};

// The Kafka key of an envelope: its strongest identifier, "pnc:2012/0123456Y".
std::optional<std::string> KeyOf(const events::Event& event);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_EVENT_PUBLISHER_H_
