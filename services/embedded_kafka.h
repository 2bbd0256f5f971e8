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

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "events/status.h"
#include "services/kafka_client.h"

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;  // from rdkafka_mock.h

namespace throughline::services {

// Kafka protocol request types (ApiKey), for PushRequestErrors.
enum class KafkaApi : std::int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kSyncGroup = 14,
  kInitProducerId = 22,
};

class EmbeddedKafka {
 public:
  static Result<std::unique_ptr<EmbeddedKafka>> Start(int brokers = 1);
  ~EmbeddedKafka();
  EmbeddedKafka(const EmbeddedKafka&) = delete;
  EmbeddedKafka& operator=(const EmbeddedKafka&) = delete;

  // host:port[,host:port...] on 127.0.0.1.
  const std::string& bootstrap() const { return bootstrap_; }

  // Each partition on `replication` brokers (at most the cluster's), led by one of them: by
  // broker 1 + partition % brokers when every broker is a replica, as Kafka spreads leaders.
  Status CreateTopic(const std::string& topic, int partitions, int replication = 1);

  // Fault injection, for tests (docs/reliability.md). Brokers are numbered 1..brokers.
  // A broker down drops its connections and refuses new ones; its partitions keep it as their
  // leader (as a crashed broker before the controller notices) until SetLeader moves them.
  Status SetBrokerDown(int broker, bool down);
  Status SetLeader(const std::string& topic, int partition, int broker);
  // The next errors.size() requests of `api` to any broker fail with these errors, in order.
  void PushRequestErrors(KafkaApi api, const std::vector<rd_kafka_resp_err_t>& errors);
  int brokers() const { return brokers_; }

  // Anything else rdkafka_mock.h offers.
  rd_kafka_mock_cluster_t* cluster() const { return cluster_; }

 private:
  EmbeddedKafka() = default;

  KafkaHandle host_;  // the client whose thread runs the mock brokers
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
  int brokers_ = 0;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_EMBEDDED_KAFKA_H_
