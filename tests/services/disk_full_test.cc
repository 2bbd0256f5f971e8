// The data directory's disk fills up while the engine ingests (a small tmpfs the test mounts,
// filled by a file): the engine stops consuming, says why on /readyz, goes on serving reads,
// never commits an offset past what is durable, and once the space is back resumes with
// nothing lost or doubled. Needs root to mount; says so and does nothing without it.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <thread>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "services/access.h"
#include "services/audit_log.h"
#include "services/embedded_kafka.h"
#include "services/engine.h"
#include "services/event_publisher.h"
#include "services/http_client.h"
#include "services/http_server.h"
#include "tests/kafka_topic_reader.h"
#include "tests/services/exactly_once.h"
#include "tests/small_disk.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using namespace std::chrono_literals;
using testing::SmallDisk;
using testing::WaitFor;

boost::json::value GetJson(const std::string& address, const std::string& target,
                           const Headers& headers, int* status) {
  const ClientResponse r = HttpGet(address, target, headers);
  *status = r.status;
  INFO(target << " answered " << r.status << " " << r.body << r.error);
  boost::json::value v;
  REQUIRE_NOTHROW(v = boost::json::parse(r.body));
  return v;
}

int HttpStatus(const std::string& address, const std::string& target) {
  return HttpGet(address, target).status;
}

std::string Reasons(const boost::json::value& ready) {
  std::string out;
  for (const auto& reason : ready.at("reasons").as_array())
    out += std::string(reason.as_string()) + "\n";
  return out;
}

std::int64_t Sum(const std::vector<std::int64_t>& offsets) {
  return std::accumulate(
      offsets.begin(), offsets.end(), std::int64_t{0},
      [](std::int64_t a, std::int64_t b) { return a + std::max<std::int64_t>(b, 0); });
}

TEST_CASE("Disk full while ingesting: not ready with the reason, reads served, nothing lost",
          "[integration]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  std::string why_not;
  auto disk = SmallDisk::Mount(data, 64, &why_not);
  if (!disk) {
    WARN("skipped: " << why_not);
    return;
  }

  auto kafka = EmbeddedKafka::Start();
  REQUIRE(kafka.ok());
  REQUIRE((*kafka)->CreateTopic("justice.events", 6).ok());
  REQUIRE((*kafka)->CreateTopic("justice.events.dlq", 3).ok());
  REQUIRE((*kafka)->CreateTopic("throughline.changes", 3).ok());
  const std::string bootstrap = (*kafka)->bootstrap();

  SystemClock clock;
  EngineOptions options;
  options.data_dir = data;
  options.kafka.bootstrap = bootstrap;
  options.hmpps_topics.clear();
  options.ingest.assign_all = true;  // reading at once; the group still gets the commits
  std::atomic<bool> store_failed{false};
  options.on_store_failed = [&store_failed](const std::string&) { store_failed = true; };
  std::atomic<HttpServer*> server{nullptr};
  options.on_committed = [&server](std::uint64_t last, std::vector<LogChange>) {
    if (auto* s = server.load())
      s->Committed(last);
  };
  auto engine = Engine::Start(options, &clock);
  REQUIRE(engine.ok());
  Engine& e = **engine;

  auto token = MakeToken("probation", "probation:Wales", std::nullopt);
  REQUIRE(token.ok());
  auto tokens = TokenRegistry::Parse(token->line + "\n", "test");
  REQUIRE(tokens.ok());
  AuditLog audit(e.store());
  ReadModels models;
  models.store = e.store();
  models.tokens = &*tokens;
  models.audit = &audit;
  models.clock = &clock;
  models.readiness = [&e] { return e.Ready(); };
  HttpServerOptions http;
  http.listen = "127.0.0.1:0";
  auto started = HttpServer::Start(http, models);
  REQUIRE(started.ok());
  std::unique_ptr<HttpServer> api = std::move(*started);
  server = api.get();
  const std::string address = api->address();
  const Headers auth = {{"Authorization", "Bearer " + token->token}};

  // Events ingested while there is room.
  const auto events = testing::SyntheticEvents(40'000, 2'000, 20, 23);
  constexpr std::size_t kBefore = 3'000, kChunk = 1'000;
  PublishOptions publish;
  publish.connection.bootstrap = bootstrap;
  publish.max_lag = 0;
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  std::size_t published = 0;
  auto publish_chunk = [&](std::size_t n) {
    for (const std::size_t end = std::min(events.size(), published + n); published < end;
         ++published) {
      REQUIRE((*publisher)->Publish(events[published]).ok());
    }
    REQUIRE((*publisher)->Flush().ok());
  };
  publish_chunk(kBefore);
  WaitFor([&] { return e.metrics().appended >= kBefore; }, 60s, "the first events to be ingested");
  WaitFor([&] { return HttpStatus(address, "/readyz") == 200; }, 30s, "the engine to be ready");
  std::string pnc(boost::json::parse(events[0]).at("data").at("person").at("pnc").as_string());
  pnc.replace(pnc.find('/'), 1, "%2F");
  const std::string person = "/v1/persons/pnc:" + pnc;
  int status = 0;
  const auto view_before = GetJson(address, person, auth, &status);
  REQUIRE(status == 200);

  // The disk fills up, and events go on arriving until the engine cannot write them (the
  // write-ahead log may have some space set aside already).
  const std::uint64_t filler = disk->Fill();
  const auto filled = std::chrono::steady_clock::now();
  boost::json::value ready;
  const auto full = [&] {
    ready = GetJson(address, "/readyz", {}, &status);
    return status == 503 && Reasons(ready).find("disk full") != std::string::npos;
  };
  while (published < events.size() && !full()) {
    publish_chunk(kChunk);
    const std::uint64_t target = published;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (e.metrics().appended < target && !full() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(50ms);
  }
  REQUIRE(full());
  const double noticed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - filled).count();
  publish_chunk(kChunk);  // and more arrive while it is full
  INFO(Reasons(ready));
  CHECK(Reasons(ready).find("No space left on device") != std::string::npos);
  CHECK(e.metrics().write_errors > 0);

  // Consuming has stopped, and nothing is committed to Kafka past what the store holds.
  WaitFor([&] { return e.metrics().pauses > 0; }, 10s, "the consumer to pause");
  const std::uint64_t consumed = e.metrics().consumed;
  const std::uint64_t log_size = e.store()->state().next_sequence - 1;
  // Reads go on, from the store that cannot be written.
  const auto view_full = GetJson(address, person, auth, &status);
  CHECK(status == 200);
  CHECK(view_full.at("log_position").to_number<std::uint64_t>() == log_size);
  CHECK(view_full.at("view").at("events").to_number<std::int64_t>() >=
        view_before.at("view").at("events").to_number<std::int64_t>());
  std::this_thread::sleep_for(2s);  // a window in which nothing may move
  CHECK(e.metrics().consumed == consumed);
  CHECK(e.store()->state().next_sequence - 1 == log_size);
  CHECK(log_size < published);
  std::int64_t stored = 0;
  for (const auto& [tp, offset] : e.store()->StoredOffsets())
    stored += offset;
  CHECK(stored == static_cast<std::int64_t>(log_size));  // every message valid and unique
  CHECK(Sum(testing::CommittedOffsets(bootstrap, "throughline", "justice.events")) <= stored);

  // Space comes back: ingest resumes by itself and takes the rest.
  disk->Free();
  const auto freed = std::chrono::steady_clock::now();
  WaitFor([&] { return HttpStatus(address, "/readyz") == 200 || store_failed; }, 60s,
          "the engine to be ready again");
  if (store_failed) {
    // Now and then (once in four runs under ASan) the full tmpfs failed a flush's new table file
    // with "No such file or directory", which RocksDB marks fatal: then, as serve's supervisor
    // would, a new engine on the same data takes the rest (store_failure_test.cc).
    WARN("the store failed for good while the disk was full: "
         << Reasons(GetJson(address, "/readyz", {}, &status))
         << "restarting the engine, as a supervisor would");
    server = nullptr;
    api->Stop();
    e.Stop();
    engine->reset();
    options.on_store_failed = nullptr;
    auto again = Engine::Start(options, &clock);
    REQUIRE(again.ok());
    WaitFor([&] { return (*again)->store()->state().next_sequence - 1 == published; }, 60s,
            "the rest to be ingested by the new engine");
    (*again)->Stop();
  } else {
    const double ready_again =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - freed).count();
    WaitFor([&] { return e.metrics().appended >= published; }, 60s, "the rest to be ingested");
    const double caught_up =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - freed).count();
    CHECK(e.metrics().appended == published);
    fmt::print(stderr,
               "figures: {} events, {} before the disk filled ({} MiB of filler); not ready {:.1f} "
               "s after it filled, at {} events; ready {:.1f} s after the space came back, all "
               "ingested {:.1f} s after\n",
               published, kBefore, filler >> 20, noticed, log_size, ready_again, caught_up);
    server = nullptr;
    api->Stop();
    e.Stop();
    engine->reset();
  }
  auto store = EventStore::Open(data, StoreOptions{});
  REQUIRE(store.ok());
  testing::ExpectEachOnce(**store,
                          std::vector<std::string>(events.begin(), events.begin() + published));
}

}  // namespace
}  // namespace throughline::services
