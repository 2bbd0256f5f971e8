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
  return kafka;
}

EmbeddedKafka::~EmbeddedKafka() {
  if (cluster_ != nullptr)
    rd_kafka_mock_cluster_destroy(cluster_);
}

Status EmbeddedKafka::CreateTopic(const std::string& topic, int partitions) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err, fmt::format("creating topic {}", topic));
  }
  return Status::OK();
}

}  // namespace throughline::services
