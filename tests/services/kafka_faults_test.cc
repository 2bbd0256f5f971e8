// Kafka faults on the embedded cluster, while the engine ingests: brokers down and up again,
// request errors (fetch, offset commit, produce, heartbeat), partition leaders moving between
// three brokers, and a second engine joining and leaving the group. Ingest waits or carries
// on, and in the end the log holds every event exactly once and verifies whole. The figures go
// to docs/reliability.md ("Kafka faults"); each test prints its own line of them.

#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "services/embedded_kafka.h"
#include "services/engine.h"
#include "services/event_publisher.h"
#include "services/store_keys.h"
#include "tests/kafka_topic_reader.h"
#include "tests/services/exactly_once.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;

constexpr int kPartitions = 6;
constexpr std::size_t kEvents = 12'000;
constexpr std::size_t kHalf = kEvents / 2;
// The topics, and their partitions.
const std::pair<std::string, int> kTopics[] = {
    {"justice.events", kPartitions}, {"justice.events.dlq", 3}, {"throughline.changes", 3}};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The change publisher's mark: log records 1..this are on the change topic.
std::uint64_t ChangesPublished(const EventStore& store) {
  std::string value;
  if (!store.db()
           ->Get(rocksdb::ReadOptions(), store.family(Family::kMeta), kChangesPublishedKey, &value)
           .ok()) {
    return 0;
  }
  return DecodeFixed64Value(value).value_or(0);
}

std::unique_ptr<Engine> StartEngine(EngineOptions options) {
  static SystemClock clock;
  auto engine = Engine::Start(std::move(options), &clock);
  REQUIRE(engine.ok());
  return std::move(*engine);
}

// A cluster, the messages to publish (valid unique events, and some invalid ones for the DLQ)
// and a publisher that sends them at a steady pace on its own thread, so that faults land while
// the engine is ingesting.
class FaultFixture {
 public:
  explicit FaultFixture(int brokers) {
    auto kafka = EmbeddedKafka::Start(brokers);
    REQUIRE(kafka.ok());
    kafka_ = std::move(*kafka);
    const int replication = std::min(brokers, 3);
    // Broker 2 leads a third of each topic's partitions (EmbeddedKafka spreads the leaders).
    for (const auto& [topic, partitions] : kTopics)
      REQUIRE(kafka_->CreateTopic(topic, partitions, replication).ok());
    events_ = testing::SyntheticEvents(kEvents, 2'000, 20, 17);
  }
  ~FaultFixture() {
    if (publisher_thread_.joinable())
      publisher_thread_.join();
  }

  EmbeddedKafka& kafka() { return *kafka_; }
  const std::vector<std::string>& events() const { return events_; }

  EngineOptions Options(const std::string& data_dir) const {
    EngineOptions options;
    options.data_dir = data_dir;
    options.kafka.bootstrap = kafka_->bootstrap();
    // Faster than the default 10 s, so that a member that left is noticed within the test.
    options.kafka.settings = {{"session.timeout.ms", "6000"}};
    options.hmpps_topics.clear();
    return options;
  }

  // An engine on `data_dir` that has the first half of the events published to it and has
  // started on them.
  std::unique_ptr<Engine> StartUnderWay(const std::string& data_dir) {
    auto engine = StartEngine(Options(data_dir));
    StartPublishing(0, kHalf);
    WaitPublished();
    WaitFor([&] { return engine->metrics().appended >= 1'000; }, 60s, "ingest to be under way");
    return engine;
  }

  // Publishes events [from, to), and after every hundredth one a garbage message for the DLQ
  // (unless `invalid` is false), on a thread of its own: it waits there while Kafka cannot take
  // them. The test injects faults between phases, so that they land while the engine still
  // has events to read whatever the machine's speed.
  void StartPublishing(std::size_t from, std::size_t to, bool invalid = true) {
    WaitPublished();
    published_ = false;
    publisher_thread_ = std::thread([this, from, to, invalid] {
      PublishOptions publish;
      publish.connection.bootstrap = kafka_->bootstrap();
      publish.max_lag = 0;  // the engine stalls on purpose; the cluster holds all 12,000
      auto publisher = EventPublisher::Open(publish);
      if (!publisher.ok()) {
        publish_error_ = publisher.status().ToString();
        return;
      }
      for (std::size_t i = from; i < to; ++i) {
        if (Status s = (*publisher)->Publish(events_[i]); !s.ok()) {
          publish_error_ = s.ToString();
          return;
        }
        if (invalid && i % 100 == 0) {
          (void)(*publisher)->Publish(std::nullopt, fmt::format("not json {}", i), {});
          ++invalid_;
        }
      }
      if (Status s = (*publisher)->Flush(120'000); !s.ok())
        publish_error_ = s.ToString();
      published_ = true;
    });
  }

  void WaitPublished() {
    if (!publisher_thread_.joinable())
      return;
    publisher_thread_.join();
    REQUIRE(publish_error_.empty());
    REQUIRE(published_);
  }

  // Waits for the engine to have taken every message, then stops it and checks its store: each
  // event once, the dead letters all on the DLQ topic, and (when it is the only engine to
  // publish changes) every change on the change topic.
  void ExpectAllOnce(std::unique_ptr<Engine>& engine, const std::string& data_dir,
                     bool only_publisher_of_changes = true) {
    WaitPublished();
    const IngestMetrics& m = engine->metrics();
    WaitFor([&] { return m.appended >= events_.size() && m.dead_letters >= invalid_; }, 120s,
            "the engine to take every message");
    CHECK(m.appended == events_.size());
    CHECK(m.dead_letters.load() == invalid_.load());
    WaitFor([&] { return m.dead_letters_published >= invalid_; }, 60s,
            "the dead letters to reach the DLQ topic");
    if (only_publisher_of_changes) {
      WaitFor([&] { return ChangesPublished(*engine->store()) >= events_.size(); }, 60s,
              "every change to reach the change topic");
    }
    engine->Stop();
    engine.reset();
    auto store = EventStore::Open(data_dir, StoreOptions{});
    REQUIRE(store.ok());
    testing::ExpectEachOnce(**store, events_);
    if (invalid_) {
      auto dlq = testing::ReadTopic(kafka_->bootstrap(), "justice.events.dlq",
                                    TopicSize("justice.events.dlq"), 30s);
      std::set<std::string> letters;
      for (const auto& d : dlq)
        letters.insert(d.value);
      CHECK(letters.size() == invalid_.load());
    }
    if (!only_publisher_of_changes)
      return;
    // At least once: a round whose delivery was not confirmed went again, so read it all.
    auto changes = testing::ReadTopic(kafka_->bootstrap(), "throughline.changes",
                                      TopicSize("throughline.changes"), 60s);
    std::set<std::string> sequences;
    for (auto& c : changes)
      sequences.insert(c.headers["throughline.sequence"]);
    CHECK(sequences.size() == events_.size());
  }

 private:
  std::size_t TopicSize(const std::string& topic) const {
    const auto ends = testing::TopicEnds(kafka_->bootstrap(), topic);
    return static_cast<std::size_t>(std::accumulate(ends.begin(), ends.end(), std::int64_t{0}));
  }

  std::unique_ptr<EmbeddedKafka> kafka_;
  std::vector<std::string> events_;
  std::atomic<std::size_t> invalid_{0};
  std::thread publisher_thread_;
  std::string publish_error_;
  std::atomic<bool> published_{false};
};

// Waits until the engine appends again after a fault cleared; the seconds it took.
double SecondsToResume(const Engine& engine, std::chrono::steady_clock::time_point cleared,
                       std::uint64_t appended_then) {
  WaitFor([&] { return engine.metrics().appended > appended_then; }, 60s,
          "ingest to resume after the fault");
  return SecondsSince(cleared);
}

TEST_CASE("Kafka faults: every broker down for 3 s mid-ingest, then up: each event once",
          "[integration]") {
  FaultFixture f(3);
  testing::TempDir dir;
  auto engine = f.StartUnderWay(dir.path());
  for (int b = 1; b <= 3; ++b)
    REQUIRE(f.kafka().SetBrokerDown(b, true).ok());
  f.StartPublishing(kHalf, kEvents);  // waits in the publisher until Kafka is back
  std::this_thread::sleep_for(3s);    // the outage, not an assertion
  // Ingest waited: nothing of the second half can have reached it.
  const std::uint64_t appended_at_up = engine->metrics().appended;
  CHECK(appended_at_up <= kHalf);
  const auto cleared = std::chrono::steady_clock::now();
  for (int b = 1; b <= 3; ++b)
    REQUIRE(f.kafka().SetBrokerDown(b, false).ok());
  const double resumed = SecondsToResume(*engine, cleared, kHalf);
  f.ExpectAllOnce(engine, dir.path());
  fmt::print(stderr,
             "figures: all 3 brokers down 3 s with {} of {} events appended; the rest "
             "ingested from {:.1f} s after they came back, all done {:.1f} s after\n",
             appended_at_up, kEvents, resumed, SecondsSince(cleared));
}

TEST_CASE("Kafka faults: one broker of three down while it leads partitions, then up",
          "[integration]") {
  FaultFixture f(3);
  testing::TempDir dir;
  auto engine = f.StartUnderWay(dir.path());
  // Broker 2 leads some of every topic's partitions: the others go on, its own wait.
  REQUIRE(f.kafka().SetBrokerDown(2, true).ok());
  f.StartPublishing(kHalf, kEvents);
  std::this_thread::sleep_for(3s);  // the outage
  const std::uint64_t appended_at_up = engine->metrics().appended;
  CHECK(appended_at_up < kEvents);  // broker 2's partitions waited
  const auto cleared = std::chrono::steady_clock::now();
  REQUIRE(f.kafka().SetBrokerDown(2, false).ok());
  f.ExpectAllOnce(engine, dir.path());
  fmt::print(stderr,
             "figures: broker 2 of 3 down 3 s, {} of {} events appended by its return; all "
             "done {:.1f} s after\n",
             appended_at_up, kEvents, SecondsSince(cleared));
}

TEST_CASE("Kafka faults: request errors on fetch, commit, heartbeat and produce: each event once",
          "[integration]") {
  FaultFixture f(3);
  testing::TempDir dir;
  auto engine = f.StartUnderWay(dir.path());
  // Errors a broker really answers with; each is retried by librdkafka or by the engine.
  constexpr std::size_t kEach = 30;
  std::vector<rd_kafka_resp_err_t> fetch, commit, heartbeat, produce;
  for (std::size_t i = 0; i < kEach; ++i) {
    fetch.push_back(i % 3 == 0   ? RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION
                    : i % 3 == 1 ? RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT
                                 : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    commit.push_back(i % 3 == 0   ? RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT
                     : i % 3 == 1 ? RD_KAFKA_RESP_ERR_NOT_COORDINATOR
                                  : RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
    produce.push_back(i % 3 == 0   ? RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION
                      : i % 3 == 1 ? RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT
                                   : RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  }
  // A broker that says an offset is out of range while the partition still holds it (a new
  // leader not yet caught up does): the engine must carry on from where it was, neither
  // stall nor read the partition again from the start.
  fetch.insert(fetch.begin(), 2, RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);
  f.kafka().PushRequestErrors(KafkaApi::kFetch, fetch);
  f.kafka().PushRequestErrors(KafkaApi::kOffsetCommit, commit);
  // A few: each sends the consumer looking for its coordinator again, and 30 in a row would
  // outlast the session and test a rebalance instead (the test below).
  heartbeat.assign(3, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
  f.kafka().PushRequestErrors(KafkaApi::kHeartbeat, heartbeat);
  // The engine's producers (dead letters, changes) and the test's publisher share these.
  f.kafka().PushRequestErrors(KafkaApi::kProduce, produce);
  const auto injected = std::chrono::steady_clock::now();
  f.StartPublishing(kHalf, kEvents);
  const IngestMetrics& m = engine->metrics();
  WaitFor([&] { return m.appended >= kEvents; }, 120s, "every event");
  CHECK(m.duplicates == 0);  // nothing was read twice
  f.ExpectAllOnce(engine, dir.path());
  fmt::print(stderr,
             "figures: {} errors injected ({} on Fetch, 2 of them out of range; {} each on "
             "OffsetCommit and Produce; {} on Heartbeat); all done {:.1f} s after\n",
             fetch.size() + 2 * kEach + heartbeat.size(), fetch.size(), kEach, heartbeat.size(),
             SecondsSince(injected));
}

TEST_CASE("Kafka faults: partition leaders move between three brokers mid-ingest",
          "[integration]") {
  FaultFixture f(3);
  testing::TempDir dir;
  auto engine = f.StartUnderWay(dir.path());
  const auto started = std::chrono::steady_clock::now();
  int moves = 0;
  for (int round = 1; round <= 5; ++round) {
    for (const auto& [topic, partitions] : kTopics) {
      for (int p = 0; p < partitions; ++p) {
        REQUIRE(f.kafka().SetLeader(topic, p, (p + round) % 3 + 1).ok());
        ++moves;
      }
    }
    if (round == 1)
      f.StartPublishing(kHalf, kEvents);  // the second half meets leaders on the move
    std::this_thread::sleep_for(500ms);   // let clients find the new leaders, then move again
  }
  const std::uint64_t appended_after_moves = engine->metrics().appended;
  f.ExpectAllOnce(engine, dir.path());
  fmt::print(stderr,
             "figures: {} leader moves in 5 rounds, 0.5 s apart; {} of {} events appended by "
             "the last; all done {:.1f} s after the first\n",
             moves, appended_after_moves, kEvents, SecondsSince(started));
}

TEST_CASE("Kafka faults: a second engine joins the group mid-ingest, then leaves",
          "[integration]") {
  // Engines in one group split the partitions, each into its own store (README, "Scaling
  // out"), and a store's offsets are its own: a partition that moves is read by its new engine
  // from that engine's stored offset (the beginning, for a newcomer). So each engine's log
  // holds each event of the partitions it read once, in offset order, from offset 0; and when
  // the second leaves, the first reads on from where its store left off, and ends whole.
  FaultFixture f(1);
  testing::TempDir dir_a, dir_b;
  auto a = StartEngine(f.Options(dir_a.path()));
  f.StartPublishing(0, kEvents / 3, false);
  f.WaitPublished();
  WaitFor([&] { return a->metrics().appended >= 1'000; }, 60s, "the first engine to ingest");
  const auto joined = std::chrono::steady_clock::now();
  auto b = StartEngine(f.Options(dir_b.path()));
  f.StartPublishing(kEvents / 3, kEvents, false);
  WaitFor([&] { return b->metrics().appended > 0; }, 60s,
          "the second engine to be given partitions and ingest");
  const double rebalance = SecondsSince(joined);
  f.WaitPublished();
  // The second reads its share (the default assignors split six partitions three and three)
  // to the end, from the beginning.
  const auto ends = testing::TopicEnds(f.kafka().bootstrap(), "justice.events");
  WaitFor(
      [&] {
        const auto stored = b->store()->StoredOffsets();
        return stored.size() == kPartitions / 2 &&
               std::all_of(stored.begin(), stored.end(), [&](const auto& entry) {
                 return entry.second == ends[static_cast<std::size_t>(entry.first.second)];
               });
      },
      120s, "the second engine to read its partitions to their end");
  b->Stop();
  b.reset();
  const auto left = std::chrono::steady_clock::now();

  // The second engine's log: each event of its partitions once, in offset order.
  std::uint64_t events_b = 0;
  {
    auto store = EventStore::Open(dir_b.path(), StoreOptions{});
    REQUIRE(store.ok());
    const auto offsets = testing::RecordOffsets(**store);
    CHECK(offsets.size() == kPartitions / 2);
    for (const auto& [tp, list] : offsets) {
      INFO("second engine, partition " << tp.second);
      CHECK(testing::Contiguous(list, 0, ends[static_cast<std::size_t>(tp.second)]));
    }
    CHECK(VerifyStore(**store).ok());
    events_b = (*store)->state().next_sequence - 1;
  }
  // The first: every partition whole once it has them all back.
  f.ExpectAllOnce(a, dir_a.path(), false);
  auto store = EventStore::Open(dir_a.path(), StoreOptions{});
  REQUIRE(store.ok());
  const auto offsets = testing::RecordOffsets(**store);
  const auto stored = (*store)->StoredOffsets();
  CHECK(offsets.size() == kPartitions);
  for (const auto& [tp, list] : offsets) {
    INFO("first engine, partition " << tp.second);
    CHECK(testing::Contiguous(list, 0, stored.at(tp)));
  }
  fmt::print(stderr,
             "figures: the second engine ingested {:.1f} s after joining and read {} events of "
             "{} partitions; the first took them back and was whole {:.1f} s after it left\n",
             rebalance, events_b, kPartitions / 2, SecondsSince(left));
}

}  // namespace
}  // namespace throughline::services
