// The publisher behind `gen` and `produce`, on the embedded Kafka cluster (the real protocol, on
// loopback).

#include "services/event_publisher.h"

#include <chrono>
#include <numeric>
#include <thread>

#include <catch2/catch.hpp>

#include "services/embedded_kafka.h"
#include "tests/kafka_topic_reader.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using namespace std::chrono_literals;

std::int64_t Published(const std::string& bootstrap, const std::string& topic) {
  const auto ends = testing::TopicEnds(bootstrap, topic);
  return std::accumulate(ends.begin(), ends.end(), std::int64_t{0});
}

TEST_CASE("A publisher's messages wait out its linger for others, unless flushed",
          "[integration]") {
  auto kafka = EmbeddedKafka::Start();
  REQUIRE(kafka.ok());
  REQUIRE((*kafka)->CreateTopic("justice.events", 1).ok());
  PublishOptions publish;
  publish.connection.bootstrap = (*kafka)->bootstrap();
  publish.max_lag = 0;
  // Far longer than the test takes to publish ten messages, wait a second and read the topic.
  publish.linger_ms = 20'000;
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  REQUIRE((*publisher)->WaitForTopic().ok());
  const auto events = testing::SyntheticEvents(10, 1, 1, 3);
  for (const auto& event : events)
    REQUIRE((*publisher)->Publish(event).ok());
  // At librdkafka's default of 5 ms they would be in the topic well within this.
  std::this_thread::sleep_for(1s);
  CHECK(Published((*kafka)->bootstrap(), "justice.events") == 0);
  REQUIRE((*publisher)->Flush(10'000).ok());
  CHECK(Published((*kafka)->bootstrap(), "justice.events") ==
        static_cast<std::int64_t>(events.size()));
}

TEST_CASE("Waiting for a topic says when Kafka does not answer", "[integration]") {
  auto kafka = EmbeddedKafka::Start();
  REQUIRE(kafka.ok());
  REQUIRE((*kafka)->CreateTopic("justice.events", 4).ok());
  PublishOptions publish;
  publish.connection.bootstrap = (*kafka)->bootstrap();
  publish.max_lag = 0;
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  CHECK((*publisher)->WaitForTopic().ok());

  REQUIRE((*kafka)->SetBrokerDown(1, true).ok());
  PublishOptions elsewhere = publish;
  elsewhere.topic = "justice.other";
  auto stranded = EventPublisher::Open(elsewhere);
  REQUIRE(stranded.ok());
  const Status waited = (*stranded)->WaitForTopic(1'000);
  CHECK_FALSE(waited.ok());
  CHECK_THAT(waited.message(), Catch::Contains("justice.other"));
}

}  // namespace
}  // namespace throughline::services
