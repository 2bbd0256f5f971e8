// Reading a Kafka topic back, for tests of what the engine and the tools publish.

#ifndef THROUGHLINE_TESTS_KAFKA_TOPIC_READER_H_
#define THROUGHLINE_TESTS_KAFKA_TOPIC_READER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace throughline::testing {

struct TopicMessage {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;                    // the last value of each name
  std::vector<std::pair<std::string, std::string>> header_list;  // all, in order
};

// Reads every message of a topic from the beginning until `count` arrived or `timeout`.
std::vector<TopicMessage> ReadTopic(const std::string& bootstrap, const std::string& topic,
                                    std::size_t count, std::chrono::seconds timeout);

// The end (high watermark) of each partition of a topic; on the embedded cluster, where
// nothing is deleted, how many messages each holds.
std::vector<std::int64_t> TopicEnds(const std::string& bootstrap, const std::string& topic);

// The offsets a consumer group has committed on each partition of a topic (-1: none), as
// Kafka holds them; asked without joining the group.
std::vector<std::int64_t> CommittedOffsets(const std::string& bootstrap, const std::string& group,
                                           const std::string& topic);

}  // namespace throughline::testing

#endif  // THROUGHLINE_TESTS_KAFKA_TOPIC_READER_H_
