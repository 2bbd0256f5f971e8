// Kafka faults on the embedded cluster, while the engine ingests: brokers down and up again,
// request errors (fetch, offset commit, produce, heartbeat), partition leaders moving between
// three brokers, and a second engine joining and leaving the group. Ingest waits or carries
// on, and in the end the log holds every event exactly once and verifies whole. The figures go
// to docs/reliability.md ("Kafka faults"); each test prints its own line of them.

#include <chrono>
#include <memory>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "services/embedded_kafka.h"
#include "services/engine.h"
#include "services/event_publisher.h"
#include "tests/kafka_topic_reader.h"
#include "tests/services/exactly_once.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;

constexpr int kPartitions = 6;
constexpr std::size_t kEvents = 12'000;
constexpr std::size_t kInvalid = 120;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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
    REQUIRE(kafka_->CreateTopic("justice.events", kPartitions, replication).ok());
    REQUIRE(kafka_->CreateTopic("justice.events.dlq", 3, replication).ok());
    REQUIRE(kafka_->CreateTopic("throughline.changes", 3, replication).ok());
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

  // Publishes every event, and `invalid` garbage messages among them, over about `over`.
  void StartPublishing(std::chrono::milliseconds over, std::size_t invalid = kInvalid) {
    invalid_ = invalid;
    publisher_thread_ = std::thread([this, over, invalid] {
      PublishOptions publish;
      publish.connection.bootstrap = kafka_->bootstrap();
      publish.max_lag = 0;  // the engine may stall on purpose; the cluster holds 12,000
      auto publisher = EventPublisher::Open(publish);
      if (!publisher.ok()) {
        publish_error_ = publisher.status().ToString();
        return;
      }
      constexpr std::size_t kSteps = 40;
      const std::size_t step = (events_.size() + kSteps - 1) / kSteps;
      const std::size_t invalid_every = invalid ? events_.size() / invalid : 0;
      for (std::size_t i = 0; i < events_.size(); ++i) {
        if (Status s = (*publisher)->Publish(events_[i]); !s.ok()) {
          publish_error_ = s.ToString();
          return;
        }
        if (invalid_every && i % invalid_every == 0)
          (void)(*publisher)->Publish(std::nullopt, fmt::format("not json {}", i), {});
        if (i % step == step - 1)
          std::this_thread::sleep_for(over / kSteps);
      }
      if (Status s = (*publisher)->Flush(120'000); !s.ok())
        publish_error_ = s.ToString();
      published_ = true;
    });
  }

  void WaitPublished() {
    if (publisher_thread_.joinable())
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
    CHECK(m.dead_letters == invalid_);
    WaitFor([&] { return m.dead_letters_published >= invalid_; }, 60s,
            "the dead letters to reach the DLQ topic");
    engine->Stop();
    engine.reset();
    auto store = EventStore::Open(data_dir, StoreOptions{});
    REQUIRE(store.ok());
    testing::ExpectEachOnce(**store, events_);
    if (invalid_) {
      auto dlq = testing::ReadTopic(kafka_->bootstrap(), "justice.events.dlq", invalid_, 30s);
      std::set<std::string> letters;
      for (const auto& d : dlq)
        letters.insert(d.value);
      CHECK(letters.size() == invalid_);
    }
    if (!only_publisher_of_changes)
      return;
    auto changes =
        testing::ReadTopic(kafka_->bootstrap(), "throughline.changes", events_.size(), 60s);
    std::set<std::string> sequences;
    for (auto& c : changes)
      sequences.insert(c.headers["throughline.sequence"]);
    CHECK(sequences.size() == events_.size());
  }

 private:
  std::unique_ptr<EmbeddedKafka> kafka_;
  std::vector<std::string> events_;
  std::size_t invalid_ = 0;
  std::thread publisher_thread_;
  std::string publish_error_;
  std::atomic<bool> published_{false};
};

std::unique_ptr<Engine> StartEngine(EngineOptions options) {
  static SystemClock clock;
  auto engine = Engine::Start(std::move(options), &clock);
  REQUIRE(engine.ok());
  return std::move(*engine);
}

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
  auto engine = StartEngine(f.Options(dir.path()));
  f.StartPublishing(4s);
  WaitFor([&] { return engine->metrics().appended >= 2'000; }, 60s, "ingest to be under way");
  for (int b = 1; b <= 3; ++b)
    REQUIRE(f.kafka().SetBrokerDown(b, true).ok());
  const std::uint64_t appended_at_down = engine->metrics().appended;
  std::this_thread::sleep_for(3s);  // the outage, not an assertion
  // Ingest waited: it cannot have gone past what was fetched before the outage.
  const std::uint64_t appended_at_up = engine->metrics().appended;
  CHECK(appended_at_up < f.events().size());
  const auto cleared = std::chrono::steady_clock::now();
  for (int b = 1; b <= 3; ++b)
    REQUIRE(f.kafka().SetBrokerDown(b, false).ok());
  const double resumed = SecondsToResume(*engine, cleared, appended_at_up);
  f.ExpectAllOnce(engine, dir.path());
  fmt::print(stderr,
             "figures: brokers down 3 s at {} events appended ({} by the end of the outage); "
             "ingest resumed {:.1f} s after they came back; done {:.1f} s after\n",
             appended_at_down, appended_at_up, resumed, SecondsSince(cleared));
}

TEST_CASE("Kafka faults: one broker of three down while it leads partitions, then up",
          "[integration]") {
  FaultFixture f(3);
  testing::TempDir dir;
  auto engine = StartEngine(f.Options(dir.path()));
  f.StartPublishing(4s);
  WaitFor([&] { return engine->metrics().appended >= 2'000; }, 60s, "ingest to be under way");
  // Broker 2 leads some of every topic's partitions: the others go on, its own wait.
  REQUIRE(f.kafka().SetBrokerDown(2, true).ok());
  std::this_thread::sleep_for(3s);  // the outage
  const std::uint64_t appended_at_up = engine->metrics().appended;
  const auto cleared = std::chrono::steady_clock::now();
  REQUIRE(f.kafka().SetBrokerDown(2, false).ok());
  f.ExpectAllOnce(engine, dir.path());
  fmt::print(stderr,
             "figures: broker 2 of 3 down 3 s, {} events appended by its return; done "
             "{:.1f} s after\n",
             appended_at_up, SecondsSince(cleared));
}

TEST_CASE("Kafka faults: request errors on fetch, commit, heartbeat and produce: each event once",
          "[integration]") {
  FaultFixture f(3);
  testing::TempDir dir;
  auto engine = StartEngine(f.Options(dir.path()));
  f.StartPublishing(4s);
  WaitFor([&] { return engine->metrics().appended >= 1'000; }, 60s, "ingest to be under way");
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
  // leader not yet caught up does): the engine must carry on from where it was, not read the
  // partition again from the start.
  fetch.insert(fetch.begin() + 10, 2, RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);
  f.kafka().PushRequestErrors(KafkaApi::kFetch, fetch);
  f.kafka().PushRequestErrors(KafkaApi::kOffsetCommit, commit);
  // A few: each sends the consumer looking for its coordinator again, and 30 in a row would
  // outlast the session and test a rebalance instead (the test below).
  heartbeat.assign(3, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
  f.kafka().PushRequestErrors(KafkaApi::kHeartbeat, heartbeat);
  // The engine's producers (dead letters, changes) and the test's publisher share these.
  f.kafka().PushRequestErrors(KafkaApi::kProduce, produce);
  const auto injected = std::chrono::steady_clock::now();
  const IngestMetrics& m = engine->metrics();
  WaitFor([&] { return m.appended >= f.events().size(); }, 120s, "every event");
  CHECK(m.duplicates == 0);  // nothing was read twice
  f.ExpectAllOnce(engine, dir.path());
  fmt::print(stderr,
             "figures: {} errors injected ({} on Fetch, 2 of them out of range; {} each on "
             "OffsetCommit and Produce; {} on Heartbeat); done {:.1f} s after\n",
             fetch.size() + 2 * kEach + heartbeat.size(), fetch.size(), kEach, heartbeat.size(),
             SecondsSince(injected));
}

TEST_CASE("Kafka faults: partition leaders move between three brokers mid-ingest",
          "[integration]") {
  FaultFixture f(3);
  testing::TempDir dir;
  auto engine = StartEngine(f.Options(dir.path()));
  f.StartPublishing(4s);
  WaitFor([&] { return engine->metrics().appended >= 1'000; }, 60s, "ingest to be under way");
  const auto started = std::chrono::steady_clock::now();
  int moves = 0;
  for (int round = 1; round <= 5; ++round) {
    for (const auto& [topic, partitions] : {std::pair<std::string, int>{"justice.events", 6},
                                            {"justice.events.dlq", 3},
                                            {"throughline.changes", 3}}) {
      for (int p = 0; p < partitions; ++p) {
        REQUIRE(f.kafka().SetLeader(topic, p, (p + round) % 3 + 1).ok());
        ++moves;
      }
    }
    std::this_thread::sleep_for(500ms);  // let clients find the new leaders, then move again
  }
  const std::uint64_t appended_after_moves = engine->metrics().appended;
  f.ExpectAllOnce(engine, dir.path());
  fmt::print(stderr,
             "figures: {} leader moves in 5 rounds over {:.1f} s; {} events appended by the "
             "last; done {:.1f} s after the first\n",
             moves, 2.5, appended_after_moves, SecondsSince(started));
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
  f.StartPublishing(6s, 0);
  WaitFor([&] { return a->metrics().appended >= 1'000; }, 60s, "the first engine to ingest");
  const auto joined = std::chrono::steady_clock::now();
  auto b = StartEngine(f.Options(dir_b.path()));
  WaitFor([&] { return b->metrics().appended > 0; }, 60s,
          "the second engine to be given partitions and ingest");
  const double rebalance = SecondsSince(joined);
  f.WaitPublished();
  // Each reads its share to the end: together, every event (a moved partition twice).
  WaitFor(
      [&] {
        auto sa = a->store()->StoredOffsets(), sb = b->store()->StoredOffsets();
        std::int64_t ends = 0;
        for (int p = 0; p < kPartitions; ++p) {
          ends += std::max(sa[{"justice.events", p}], sb[{"justice.events", p}]);
        }
        return ends == static_cast<std::int64_t>(f.events().size());
      },
      120s, "the two engines to read every partition to its end");
  const std::uint64_t appended_b = b->metrics().appended;
  const auto b_offsets = b->store()->StoredOffsets();
  b->Stop();
  b.reset();
  const auto left = std::chrono::steady_clock::now();

  // The second engine's log: its partitions, each from offset 0 to where it stopped, once.
  {
    auto store = EventStore::Open(dir_b.path(), StoreOptions{});
    REQUIRE(store.ok());
    const auto offsets = testing::RecordOffsets(**store);
    CHECK_FALSE(offsets.empty());
    for (const auto& [tp, list] : offsets) {
      INFO("second engine, partition " << tp.second);
      CHECK(testing::Contiguous(list, 0, b_offsets.at(tp)));
    }
    CHECK(VerifyStore(**store).ok());
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
             "figures: the second engine ingested {:.1f} s after joining, {} events of {} "
             "partitions; the first took them back and was whole {:.1f} s after it left\n",
             rebalance, appended_b, b_offsets.size(), SecondsSince(left));
}

}  // namespace
}  // namespace throughline::services
