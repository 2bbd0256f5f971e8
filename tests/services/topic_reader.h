// Reading a whole Kafka topic back, for tests of what the engine publishes (the dead-letter
// topic, the change feed).

#ifndef THROUGHLINE_TESTS_SERVICES_TOPIC_READER_H_
#define THROUGHLINE_TESTS_SERVICES_TOPIC_READER_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "services/kafka_client.h"

namespace throughline::services {

struct TopicMessage {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Reads every message of a topic from the beginning until `count` arrived or `timeout`.
inline std::vector<TopicMessage> ReadTopic(const std::string& bootstrap, const std::string& topic,
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
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(m.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* value;
      std::size_t size;
      for (std::size_t i = 0;
           rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        d.headers[name] = std::string(static_cast<const char*>(value), size);
      }
    }
    out.push_back(std::move(d));
  }
  rd_kafka_consumer_close(consumer->get());
  return out;
}

}  // namespace throughline::services

#endif  // THROUGHLINE_TESTS_SERVICES_TOPIC_READER_H_
