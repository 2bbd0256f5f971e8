// Ingest end to end on the embedded Kafka cluster (the real protocol, on loopback) and a real
// RocksDB in a temporary directory.

#include <chrono>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/envelope_parser.h"
#include "services/embedded_kafka.h"
#include "services/engine.h"
#include "services/event_publisher.h"
#include "services/log_verifier.h"
#include "tests/kafka_topic_reader.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using namespace std::chrono_literals;

using testing::WaitFor;

TEST_CASE("10,000 events with duplicates and invalid messages: exactly the valid unique events",
          "[integration]") {
  auto kafka = EmbeddedKafka::Start();
  REQUIRE(kafka.ok());
  REQUIRE((*kafka)->CreateTopic("justice.events", 6).ok());
  REQUIRE((*kafka)->CreateTopic("justice.events.dlq", 6).ok());
  testing::TempDir dir;
  SystemClock clock;

  EngineOptions options;
  options.data_dir = dir.path();
  options.kafka.bootstrap = (*kafka)->bootstrap();
  auto engine = Engine::Start(options, &clock);
  REQUIRE(engine.ok());

  // 10,000 deliveries: unique events, 5% redelivered, 2% invalid.
  const auto unique = testing::SyntheticEvents(9'300, 1'500, 40, 7);
  std::vector<std::string> deliveries(unique.begin(), unique.end());
  std::vector<std::string> invalid;
  std::mt19937 rng(11);
  for (int i = 0; i < 500; ++i)
    deliveries.push_back(unique[rng() % unique.size()]);
  for (int i = 0; i < 200; ++i) {
    switch (i % 4) {
      case 0:
        invalid.push_back("not json " + std::to_string(i));
        break;
      case 1:
        invalid.push_back(
            testing::WithMember(unique[static_cast<std::size_t>(i)], {"type"}, "arest.recorded"));
        break;
      case 2:
        invalid.push_back(testing::WithMember(unique[static_cast<std::size_t>(i)],
                                              {"data", "person"}, boost::json::object{}));
        break;
      default:
        invalid.push_back(
            testing::WithMember(unique[static_cast<std::size_t>(i)], {"time"}, "04/03/2019"));
    }
    deliveries.push_back(invalid.back());
  }
  std::shuffle(deliveries.begin(), deliveries.end(), rng);
  REQUIRE(deliveries.size() == 10'000);

  PublishOptions publish;
  publish.connection.bootstrap = (*kafka)->bootstrap();
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  for (const auto& d : deliveries)
    REQUIRE((*publisher)->Publish(d).ok());
  REQUIRE((*publisher)->Flush().ok());

  const IngestMetrics& m = (*engine)->metrics();
  WaitFor([&] { return m.appended + m.duplicates + m.dead_letters >= 10'000; }, 120s,
          "the engine to take all 10,000 messages");
  CHECK(m.appended == unique.size());
  CHECK(m.duplicates == 500);
  CHECK(m.dead_letters == invalid.size());
  WaitFor([&] { return m.dead_letters_published >= invalid.size(); }, 30s,
          "dead letters to reach the DLQ topic");
  (*engine)->Stop();
  // Every batch written was timed, and every one came from Kafka, so has an age too: at least
  // its write, and consumed before it was written. (After Stop: the writer has finished.)
  CHECK(m.batches > 0);
  CHECK(m.batch_write.count() == m.batches);
  CHECK(m.batch_age.count() == m.batches);
  CHECK(m.batch_age.Quantile(0.5) >= m.batch_write.Quantile(0.5));
  // Every message consumed carried a Kafka timestamp (the producer's create time).
  CHECK(m.kafka_delay.count() == m.consumed);

  auto store = EventStore::Open(dir.path(), StoreOptions{});
  REQUIRE(store.ok());
  CHECK((*store)->state().next_sequence == unique.size() + 1);
  auto report = VerifyStore(**store);
  INFO(fmt::format("{}", fmt::join(report.problems, "\n")));
  CHECK(report.ok());
  CHECK(report.records == unique.size());
  CHECK(report.person_index_entries == unique.size());
  // Every unique event is in the log once, under its (source, id).
  events::EnvelopeParser parser;
  std::set<std::uint64_t> sequences;
  for (const auto& u : unique) {
    auto parsed = parser.Parse(u);
    REQUIRE(parsed.ok());
    auto seq = (*store)->FindIdempotent(parsed.event.source, parsed.event.id);
    REQUIRE(seq);
    sequences.insert(*seq);
  }
  CHECK(sequences.size() == unique.size());
  // Offsets stored for every partition, at the end of what was published.
  std::int64_t stored_total = 0;
  for (const auto& [tp, offset] : (*store)->StoredOffsets())
    stored_total += offset;
  CHECK(stored_total == 10'000);

  // The DLQ topic holds every invalid message, byte for byte, with its reason.
  auto dlq = testing::ReadTopic((*kafka)->bootstrap(), "justice.events.dlq", invalid.size(), 30s);
  REQUIRE(dlq.size() == invalid.size());
  std::multiset<std::string> expected(invalid.begin(), invalid.end());
  for (auto& d : dlq) {
    auto it = expected.find(d.value);
    CHECK(it != expected.end());
    if (it != expected.end())
      expected.erase(it);
    CHECK_FALSE(d.headers["throughline.error.rule"].empty());
    CHECK(d.headers["throughline.source.topic"] == "justice.events");
    CHECK_FALSE(d.headers["throughline.source.offset"].empty());
  }
  CHECK(expected.empty());
}

TEST_CASE("Every change reaches throughline.changes, keyed by person, in log order",
          "[integration]") {
  testing::TempDir dir;
  SystemClock clock;
  EngineOptions options;  // the embedded cluster, which the engine creates the topic on
  options.data_dir = dir.path();
  auto engine = Engine::Start(options, &clock);
  REQUIRE(engine.ok());
  const auto samples = testing::ValidSamples();
  PublishOptions publish;
  publish.connection.bootstrap = (*engine)->bootstrap();
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  for (const auto& sample : samples)
    REQUIRE((*publisher)->Publish(sample).ok());
  REQUIRE((*publisher)->Flush().ok());
  WaitFor([&] { return (*engine)->metrics().appended >= samples.size(); }, 60s,
          "the engine to take the samples");

  auto changes =
      testing::ReadTopic((*engine)->bootstrap(), "throughline.changes", samples.size(), 30s);
  REQUIRE(changes.size() == samples.size());
  std::set<std::int64_t> sequences;
  std::map<std::string, std::int64_t> last_of_person;
  for (const auto& c : changes) {
    auto v = boost::json::parse(c.value);
    const std::int64_t sequence = v.at("sequence").as_int64();
    sequences.insert(sequence);
    CHECK(c.headers.at("throughline.sequence") == std::to_string(sequence));
    CHECK(c.key == std::to_string(v.at("person").as_int64()));
    CHECK(v.as_object().contains("view"));
    // One person's changes keep their order on their partition.
    CHECK(sequence > last_of_person[c.key]);
    last_of_person[c.key] = sequence;
  }
  CHECK(sequences.size() == samples.size());
  CHECK(*sequences.begin() == 1);
  CHECK(*sequences.rbegin() == static_cast<std::int64_t>(samples.size()));
}

TEST_CASE(
    "Every partition assigned without a group (--assign-all), resumed where the store left off",
    "[integration]") {
  testing::TempDir dir;
  SystemClock clock;
  auto kafka = EmbeddedKafka::Start();
  REQUIRE(kafka.ok());
  REQUIRE((*kafka)->CreateTopic("justice.events", 6).ok());
  REQUIRE((*kafka)->CreateTopic("justice.events.dlq", 3).ok());
  EngineOptions options;
  options.data_dir = dir.path();
  options.kafka.bootstrap = (*kafka)->bootstrap();
  options.hmpps_topics.clear();
  options.change_topic = "";
  options.ingest.assign_all = true;

  SECTION("the first half, a restart, the second half: each event once") {
    const auto samples = testing::ValidSamples();
    const std::size_t half = samples.size() / 2;
    PublishOptions publish;
    publish.connection.bootstrap = (*kafka)->bootstrap();
    publish.max_lag = 0;
    auto publisher = EventPublisher::Open(publish);
    REQUIRE(publisher.ok());
    for (std::size_t i = 0; i < half; ++i)
      REQUIRE((*publisher)->Publish(samples[i]).ok());
    REQUIRE((*publisher)->Flush().ok());
    {
      auto engine = Engine::Start(options, &clock);
      REQUIRE(engine.ok());
      WaitFor([&] { return (*engine)->metrics().appended >= half; }, 60s, "the first half");
    }
    for (std::size_t i = half; i < samples.size(); ++i)
      REQUIRE((*publisher)->Publish(samples[i]).ok());
    REQUIRE((*publisher)->Flush().ok());
    auto engine = Engine::Start(options, &clock);
    REQUIRE(engine.ok());
    WaitFor([&] { return (*engine)->metrics().appended >= samples.size() - half; }, 60s,
            "the second half");
    std::this_thread::sleep_for(500ms);  // anything read twice would show by now
    CHECK((*engine)->metrics().appended == samples.size() - half);
    CHECK((*engine)->metrics().duplicates == 0);
    CHECK((*engine)->store()->state().next_sequence == samples.size() + 1);
  }
}

TEST_CASE("kcat can publish into the embedded cluster and the engine ingests it", "[integration]") {
  testing::TempDir dir;
  SystemClock clock;
  EngineOptions options;
  options.data_dir = dir.path();
  auto engine = Engine::Start(options, &clock);
  REQUIRE(engine.ok());
  const std::string samples = testing::SourcePath("tests/data/valid_events.ndjson");
  std::string out;
  REQUIRE(testing::Run(fmt::format("kcat -b {} -t justice.events -P -l {} 2>&1",
                                   (*engine)->bootstrap(), samples),
                       &out) == 0);
  const auto expected = testing::ValidSamples().size();
  WaitFor([&] { return (*engine)->metrics().appended >= expected; }, 60s,
          "the engine to ingest what kcat published");
  CHECK((*engine)->metrics().dead_letters == 0);
  CHECK((*engine)->store()->state().next_sequence == expected + 1);
}

TEST_CASE("A message goes to an idle writer at once, not after the batch's wait", "[integration]") {
  auto kafka = EmbeddedKafka::Start();
  REQUIRE(kafka.ok());
  REQUIRE((*kafka)->CreateTopic("justice.events", 6).ok());
  testing::TempDir dir;
  SystemClock clock;
  EngineOptions options;
  options.data_dir = dir.path();
  options.kafka.bootstrap = (*kafka)->bootstrap();
  options.ingest.assign_all = true;
  // A batch that is neither full nor old for ten minutes: only the writer being idle sends it.
  options.ingest.batch_wait_ms = 600'000;
  options.ingest.batch_messages = 1'000;
  auto engine = Engine::Start(options, &clock);
  REQUIRE(engine.ok());

  PublishOptions publish;
  publish.connection.bootstrap = (*kafka)->bootstrap();
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  const auto events = testing::SyntheticEvents(3, 3, 40, 7);
  for (std::size_t i = 0; i < events.size(); ++i) {
    REQUIRE((*publisher)->Publish(events[i]).ok());
    REQUIRE((*publisher)->Flush().ok());
    WaitFor([&] { return (*engine)->metrics().appended >= i + 1; }, 30s,
            fmt::format("event {} to be written while the writer is idle", i + 1));
  }
  CHECK((*engine)->store()->state().next_sequence == events.size() + 1);
}

// A writer slower than the consumer: each batch waits `delay_ms` before it is written.
class SlowWriter final : public BatchHook {
 public:
  explicit SlowWriter(int delay_ms) : delay_ms_(delay_ms) {}
  Status OnBatch(const std::vector<AppendedEvent>&, const std::set<std::uint64_t>&, BatchReader&,
                 rocksdb::WriteBatch*, WhenLanded*) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    return Status::OK();
  }

 private:
  int delay_ms_;
};

TEST_CASE(
    "A writer behind the consumer holds it back without a pause, one still behind after "
    "writer_catch_up has the partitions paused, and nothing is lost either way",
    "[integration]") {
  auto kafka = EmbeddedKafka::Start();
  REQUIRE(kafka.ok());
  REQUIRE((*kafka)->CreateTopic("justice.events", 6).ok());
  const auto events = testing::SyntheticEvents(800, 200, 40, 7);
  PublishOptions publish;
  publish.connection.bootstrap = (*kafka)->bootstrap();
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  for (const auto& event : events)
    REQUIRE((*publisher)->Publish(event).ok());
  REQUIRE((*publisher)->Flush().ok());

  // The queue holds a few dozen messages, far fewer than are waiting in Kafka: the consumer is
  // held back at once, and for as long as the 800 take to write.
  auto run = [&](int writer_delay_ms, std::chrono::milliseconds writer_catch_up) {
    testing::TempDir dir;
    SystemClock clock;
    SlowWriter slow(writer_delay_ms);
    EngineOptions options;
    options.data_dir = dir.path();
    options.kafka.bootstrap = (*kafka)->bootstrap();
    options.ingest.assign_all = true;
    options.ingest.batch_messages = 50;
    options.ingest.max_queued_bytes = 64 << 10;
    options.ingest.writer_catch_up = writer_catch_up;
    options.write_batch_messages = 100;
    options.hooks = {&slow};
    auto engine = Engine::Start(options, &clock);
    REQUIRE(engine.ok());
    WaitFor([&] { return (*engine)->metrics().appended >= events.size(); }, 120s,
            "every event to be written");
    const std::uint64_t pauses = (*engine)->metrics().pauses;
    CHECK((*engine)->store()->state().next_sequence == events.size() + 1);
    const VerifyReport report = VerifyStore(*(*engine)->store());
    INFO(fmt::format("{}", fmt::join(report.problems, "\n")));
    CHECK(report.ok());
    CHECK(report.records == events.size());
    return pauses;
  };
  SECTION("a batch written well within writer_catch_up: never paused") {
    CHECK(run(10, std::chrono::milliseconds(10'000)) == 0);
  }
  SECTION("each batch slower than writer_catch_up: paused, resumed, and every event written") {
    CHECK(run(300, std::chrono::milliseconds(50)) > 0);
  }
}

}  // namespace
}  // namespace throughline::services
