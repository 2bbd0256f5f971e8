// EmbeddedKafka: librdkafka's mock cluster, which speaks the real Kafka protocol on loopback.
//
// The engine's default: no Kafka to install, yet any Kafka client (kcat, `throughline
// produce`, another service) can publish to it through its bootstrap address. It keeps
// messages in memory only, and at most 5 MiB per partition (older messages are dropped
// silently): create topics with enough partitions, and never let a producer run far ahead of
// the consumer. The engine detects the loss if it happens (a gap between its stored offset and
// the partition's earliest offset) and records it.

#ifndef THROUGHLINE_SERVICES_EMBEDDED_KAFKA_H_
#define THROUGHLINE_SERVICES_EMBEDDED_KAFKA_H_

#include <memory>
#include <string>

#include "events/status.h"
#include "services/kafka_client.h"

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;  // from rdkafka_mock.h

namespace throughline::services {

class EmbeddedKafka {
 public:
  static Result<std::unique_ptr<EmbeddedKafka>> Start(int brokers = 1);
  ~EmbeddedKafka();
  EmbeddedKafka(const EmbeddedKafka&) = delete;
  EmbeddedKafka& operator=(const EmbeddedKafka&) = delete;

  // host:port[,host:port...] on 127.0.0.1.
  const std::string& bootstrap() const { return bootstrap_; }

  Status CreateTopic(const std::string& topic, int partitions);

  // For fault injection in tests (rd_kafka_mock_broker_set_down and friends).
  rd_kafka_mock_cluster_t* cluster() const { return cluster_; }

 private:
  EmbeddedKafka() = default;

  KafkaHandle host_;  // the client whose thread runs the mock brokers
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_EMBEDDED_KAFKA_H_
