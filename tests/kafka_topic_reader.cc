#include "tests/kafka_topic_reader.h"

#include <catch2/catch.hpp>

#include "services/kafka_client.h"

namespace throughline::testing {

using services::KafkaMessage;
using services::MakeKafkaClient;
using services::MakeKafkaConf;
using services::PartitionCount;
using services::PartitionList;

// Reads every message of a topic from the beginning until `count` arrived or `timeout`.
std::vector<TopicMessage> ReadTopic(const std::string& bootstrap, const std::string& topic,
                                    std::size_t count, std::chrono::seconds timeout) {
  auto conf = MakeKafkaConf({bootstrap, {}}, {{"group.id", "test-reader"},
                                              {"enable.auto.commit", "false"},
                                              {"auto.offset.reset", "earliest"}});
  REQUIRE(conf.ok());
  auto consumer = MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(*conf));
  REQUIRE(consumer.ok());
  auto partitions = PartitionCount(consumer->get(), topic, 5000);
  REQUIRE(partitions.ok());
  PartitionList list(rd_kafka_topic_partition_list_new(*partitions));
  for (int p = 0; p < *partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer->get(), list.get());
  std::vector<TopicMessage> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    KafkaMessage m(rd_kafka_consumer_poll(consumer->get(), 100));
    if (!m || m->err)
      continue;
    TopicMessage d;
    d.value.assign(static_cast<const char*>(m->payload), m->len);
    if (m->key)
      d.key.assign(static_cast<const char*>(m->key), m->key_len);
    d.header_list = services::MessageHeaders(m.get());
    for (const auto& [name, value] : d.header_list)
      d.headers[name] = value;
    out.push_back(std::move(d));
  }
  rd_kafka_consumer_close(consumer->get());
  return out;
}

}  // namespace throughline::testing
