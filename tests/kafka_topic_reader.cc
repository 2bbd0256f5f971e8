#include "tests/kafka_topic_reader.h"

#include <catch2/catch.hpp>

#include "services/kafka_client.h"

namespace throughline::testing {

using services::KafkaMessage;
using services::MakeKafkaClient;
using services::MakeKafkaConf;
using services::PartitionCount;
using services::PartitionList;

namespace {

// A consumer in `group` that joins nothing by itself, and how many partitions `topic` has.
struct TopicConsumer {
  services::KafkaHandle consumer;
  int partitions = 0;
};

TopicConsumer Consumer(const std::string& bootstrap, const std::string& group,
                       const std::string& topic) {
  auto conf = MakeKafkaConf(
      {bootstrap, {}},
      {{"group.id", group}, {"enable.auto.commit", "false"}, {"auto.offset.reset", "earliest"}});
  REQUIRE(conf.ok());
  auto consumer = MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(*conf));
  REQUIRE(consumer.ok());
  auto partitions = PartitionCount(consumer->get(), topic, 5000);
  REQUIRE(partitions.ok());
  return {std::move(*consumer), *partitions};
}

}  // namespace

// Reads every message of a topic from the beginning until `count` arrived or `timeout`.
std::vector<TopicMessage> ReadTopic(const std::string& bootstrap, const std::string& topic,
                                    std::size_t count, std::chrono::seconds timeout) {
  auto [consumer, partitions] = Consumer(bootstrap, "test-reader", topic);
  PartitionList list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer.get(), list.get());
  std::vector<TopicMessage> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    KafkaMessage m(rd_kafka_consumer_poll(consumer.get(), 100));
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
  rd_kafka_consumer_close(consumer.get());
  return out;
}

std::vector<std::int64_t> TopicEnds(const std::string& bootstrap, const std::string& topic) {
  auto [consumer, partitions] = Consumer(bootstrap, "test-reader", topic);
  std::vector<std::int64_t> ends;
  for (int p = 0; p < partitions; ++p) {
    auto marks = services::QueryWatermarks(consumer.get(), topic, p, 5000);
    REQUIRE(marks.ok());
    ends.push_back(marks->second);
  }
  rd_kafka_consumer_close(consumer.get());
  return ends;
}

std::vector<std::int64_t> CommittedOffsets(const std::string& bootstrap, const std::string& group,
                                           const std::string& topic) {
  auto [consumer, partitions] = Consumer(bootstrap, group, topic);
  PartitionList list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  REQUIRE(rd_kafka_committed(consumer.get(), list.get(), 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  std::vector<std::int64_t> out;
  for (int i = 0; i < list->cnt; ++i)
    out.push_back(list->elems[i].offset);
  rd_kafka_consumer_close(consumer.get());
  return out;
}

}  // namespace throughline::testing
