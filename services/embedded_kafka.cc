#include "services/embedded_kafka.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka_mock.h>

namespace throughline::services {

Result<std::unique_ptr<EmbeddedKafka>> EmbeddedKafka::Start(int brokers) {
  std::unique_ptr<EmbeddedKafka> kafka(new EmbeddedKafka());
  KafkaConf conf(rd_kafka_conf_new());
  char error[512];
  // The host client never connects anywhere; keep it quiet.
  rd_kafka_conf_set(conf.get(), "log_level", "3", error, sizeof(error));
  auto host = MakeKafkaClient(RD_KAFKA_PRODUCER, std::move(conf));
  if (!host.ok())
    return host.status();
  kafka->host_ = std::move(*host);
  kafka->cluster_ = rd_kafka_mock_cluster_new(kafka->host_.get(), brokers);
  if (kafka->cluster_ == nullptr) {
    return Status::IOError("could not start the embedded Kafka cluster (loopback listeners)");
  }
  kafka->bootstrap_ = rd_kafka_mock_cluster_bootstraps(kafka->cluster_);
  kafka->brokers_ = brokers;
  return kafka;
}

EmbeddedKafka::~EmbeddedKafka() {
  if (cluster_ != nullptr)
    rd_kafka_mock_cluster_destroy(cluster_);
}

Status EmbeddedKafka::CreateTopic(const std::string& topic, int partitions, int replication) {
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err, fmt::format("creating topic {}", topic));
  }
  // librdkafka 2.0.2's mock picks each leader at random: one broker of three would lead none
  // of six partitions in about one topic in eleven. Kafka spreads them; so do we, where every
  // broker is a replica (otherwise the leader must stay among the replicas the mock chose).
  if (brokers_ > 1 && replication >= brokers_) {
    for (int p = 0; p < partitions; ++p) {
      if (Status s = SetLeader(topic, p, 1 + p % brokers_); !s.ok())
        return s;
    }
  }
  return Status::OK();
}

Status EmbeddedKafka::SetBrokerDown(int broker, bool down) {
  rd_kafka_resp_err_t err = down ? rd_kafka_mock_broker_set_down(cluster_, broker)
                                 : rd_kafka_mock_broker_set_up(cluster_, broker);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return KafkaError(err, fmt::format("setting broker {} {}", broker, down ? "down" : "up"));
  return Status::OK();
}

Status EmbeddedKafka::SetLeader(const std::string& topic, int partition, int broker) {
  rd_kafka_resp_err_t err =
      rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(
        err, fmt::format("moving the leader of {} [{}] to broker {}", topic, partition, broker));
  }
  return Status::OK();
}

void EmbeddedKafka::PushRequestErrors(KafkaApi api,
                                      const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(cluster_, static_cast<std::int16_t>(api), errors.size(),
                                          errors.data());
}

}  // namespace throughline::services
