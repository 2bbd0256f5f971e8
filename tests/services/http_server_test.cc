// The HTTP server over a real loopback socket, with a real HTTP and WebSocket client: every
// endpoint, limits, read-your-own-write, and subscriptions from a sequence, live, resumed with
// no gap or duplicate, and a slow subscriber cut off while ingest goes on.

#include "services/http_server.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sched.h>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "services/audit_log.h"
#include "services/http_client.h"
#include "services/thread_priority.h"
#include "tests/services/server_fixture.h"

namespace throughline::services {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

using testing::ServerFixture;

std::string Pnc(int i) { return testing::TestPnc(i); }

json::value Parse(const std::string& text) {
  INFO(text);
  json::value v;
  REQUIRE_NOTHROW(v = json::parse(text));
  return v;
}

TEST_CASE("Every endpoint answers over a real socket", "[integration]") {
  ServerFixture f;
  f.Publish(0, 10);
  const auto auth = f.Auth("probation");
  struct Case {
    std::string target;
    std::string content_type;
  };
  for (const Case& c : std::vector<Case>{
           {"/v1/persons/id:1", "application/json"},
           {"/v1/persons/pnc:" + Pnc(1).replace(4, 1, "%2F") + "/timeline", "application/json"},
           {"/v1/cohorts/iom", "application/json"},
           {"/v1/cohorts/prisons/CFI?limit=5", "application/json"},
           {"/v1/cohorts/releases?within_days=30", "application/json"},
           {"/v1/cohorts/licence", "application/json"},
           {"/v1/alerts", "application/json"},
           {"/v1/events?from_seq=1&limit=5", "application/json"},
           {"/healthz", "application/json"},
           {"/metrics", "text/plain"},
           {"/", "text/html"},
       }) {
    auto r = services::HttpGet(f.address(), c.target, auth);
    INFO(c.target << ": " << r.error << r.body);
    CHECK(r.status == 200);
    CHECK(r.headers["content-type"].starts_with(c.content_type));
  }
  auto person = Parse(services::HttpGet(f.address(), "/v1/persons/id:1", auth).body);
  CHECK(person.at("view").at("counts").at("arrests") == 4);  // 1, 4, 7, 10th arrests
  CHECK(person.at("log_position") == 10);
  auto events = Parse(services::HttpGet(f.address(), "/v1/events?from_seq=9", auth).body);
  CHECK(events.at("events").as_array().size() == 2);
  CHECK(events.at("next_seq") == 11);
  // Paging: each page from the last one's next_seq, every record once.
  std::vector<std::int64_t> paged;
  for (std::int64_t from = 1; from <= 10;) {
    auto page = Parse(
        services::HttpGet(f.address(), fmt::format("/v1/events?from_seq={}&limit=4", from), auth)
            .body);
    for (const auto& e : page.at("events").as_array())
      paged.push_back(e.at("sequence").as_int64());
    from = page.at("next_seq").as_int64();
  }
  std::vector<std::int64_t> all(10);
  std::iota(all.begin(), all.end(), 1);
  CHECK(paged == all);
  CHECK(services::HttpGet(f.address(), "/v1/audit", f.Auth("auditor")).status == 200);
  CHECK(services::HttpGet(f.address(), "/v1/persons/id:1").status == 401);
  auto metrics = services::HttpGet(f.address(), "/metrics").body;
  CHECK(metrics.find("throughline_http_request_seconds_count") != std::string::npos);
}

TEST_CASE("HTTPS with a certificate, and nothing in the clear", "[integration]") {
  testing::TempDir dir;
  const std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
  std::string out;
  REQUIRE(testing::Run(fmt::format("openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
                                   "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 "
                                   "-keyout {} -out {} 2>&1",
                                   key, cert),
                       &out) == 0);
  HttpServerOptions options;
  options.tls_certificate = cert;
  options.tls_private_key = key;
  ServerFixture f(options);
  CHECK(f.server().tls());
  REQUIRE(testing::Run(fmt::format("curl -sS --cacert {} https://{}/healthz", cert, f.address()),
                       &out) == 0);
  CHECK(out == R"({"status":"ok"})");
  REQUIRE(testing::Run(fmt::format("curl -sS --cacert {} -H 'Authorization: Bearer {}' "
                                   "https://{}/v1/alerts",
                                   cert, f.token("probation"), f.address()),
                       &out) == 0);
  CHECK(out.find(R"("alerts":[])") != std::string::npos);
  // Plain HTTP to the TLS port gets no answer.
  CHECK(services::HttpGet(f.address(), "/healthz").status == 0);

  SECTION("a key that does not load is refused at start, saying which") {
    HttpServerOptions bad = options;
    bad.tls_private_key = dir.path() + "/missing.pem";
    auto server = HttpServer::Start(bad, ReadModels{});
    REQUIRE_FALSE(server.ok());
    CHECK(server.status().message().find("missing.pem") != std::string::npos);
  }
}

// The scheduling class of each of this process's threads named `prefix`..., by thread id.
std::map<int, int> PoliciesOfThreads(const std::string& prefix) {
  std::map<int, int> policies;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (!name.starts_with(prefix))
      continue;
    const int tid = std::stoi(task.path().filename().string());
    policies[tid] = sched_getscheduler(tid);
  }
  return policies;
}

// Whether this process may make a thread real-time (root, or CAP_SYS_NICE, or RLIMIT_RTPRIO).
bool RealtimeAllowed() {
  bool allowed = false;
  std::thread([&] { allowed = RaiseToRealtimePriority(); }).join();
  return allowed;
}

TEST_CASE("Request and subscriber threads run real-time when asked, and serve either way",
          "[integration]") {
  const bool allowed = RealtimeAllowed();
  for (const bool realtime : {false, true}) {
    INFO("realtime_threads " << realtime << ", allowed here " << allowed);
    HttpServerOptions options;
    options.realtime_threads = realtime;
    ServerFixture f(options);
    f.Publish(0, 3);
    auto r = services::HttpGet(f.address(), "/v1/persons/id:1", f.Auth("probation"));
    CHECK(r.status == 200);
    const int expected = realtime && allowed ? SCHED_RR : SCHED_OTHER;
    // Each thread sets its class as it starts: give the last to start a moment.
    std::map<int, int> http, subscribers;
    for (int i = 0; i < 200; ++i) {
      http = PoliciesOfThreads("tl-http-");
      subscribers = PoliciesOfThreads("tl-subscribers");
      const auto all_expected = [&](const std::map<int, int>& p) {
        return std::all_of(p.begin(), p.end(), [&](const auto& t) { return t.second == expected; });
      };
      if (http.size() == 2 && subscribers.size() == 1 && all_expected(http) &&
          all_expected(subscribers)) {
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    REQUIRE(http.size() == 2);
    REQUIRE(subscribers.size() == 1);
    for (const auto& [tid, policy] : http)
      CHECK(policy == expected);
    CHECK(subscribers.begin()->second == expected);
  }
}

TEST_CASE("A thread raised to real-time gets back the class it had", "[unit]") {
  const bool allowed = RealtimeAllowed();
  std::vector<SchedulingClass> classes = {{SCHED_OTHER, 0}};
  if (allowed)
    classes.push_back({SCHED_RR, 5});  // real-time already, above what a raise asks for
  for (const SchedulingClass& had : classes) {
    SchedulingClass after;
    bool raised = false;
    std::thread([&] {
      SetSchedulingClass(had);
      const SchedulingClass before = CurrentSchedulingClass();
      raised = RaiseToRealtimePriority();
      SetSchedulingClass(before);
      after = CurrentSchedulingClass();
    }).join();
    INFO("policy " << had.policy << " priority " << had.priority);
    CHECK(raised == allowed);
    CHECK(after.policy == had.policy);
    CHECK(after.priority == had.priority);
  }
}

TEST_CASE("Limits: header size, methods, garbage", "[integration]") {
  ServerFixture f;
  auto huge = services::HttpGet(f.address(), "/healthz", {{"X-Padding", std::string(10000, 'x')}});
  CHECK(huge.status == 431);
  CHECK(services::HttpCall("POST", f.address(), "/v1/alerts", "{}", f.Auth("probation")).status ==
        405);
  auto long_target =
      services::HttpGet(f.address(), "/v1/persons/" + std::string(5000, 'a'), f.Auth("probation"));
  CHECK((long_target.status == 400 || long_target.status == 431));
}

TEST_CASE("A token holds at most its cap of connections", "[integration]") {
  HttpServerOptions options;
  options.max_connections_per_token = 2;
  ServerFixture f(options);
  services::HttpConnection a, b, c, other;
  for (auto* conn : {&a, &b, &c, &other})
    REQUIRE(conn->Connect(f.address()));
  CHECK(a.Get("/v1/alerts", f.Auth("probation")).status == 200);
  CHECK(b.Get("/v1/alerts", f.Auth("probation")).status == 200);
  auto third = c.Get("/v1/alerts", f.Auth("probation"));
  CHECK(third.status == 429);
  CHECK(third.body.find("too_many_connections") != std::string::npos);
  CHECK(a.Get("/v1/alerts", f.Auth("probation")).status == 200);  // the open ones go on
  CHECK(other.Get("/v1/alerts", f.Auth("housing")).status == 200);
}

TEST_CASE("min_seq: a writer reads its own write", "[integration]") {
  HttpServerOptions options;
  options.min_seq_wait = 2s;
  ServerFixture f(options);
  f.Publish(0, 5);
  std::thread later([&] {
    std::this_thread::sleep_for(300ms);
    f.Publish(5, 6);
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = services::HttpGet(f.address(), "/v1/events?from_seq=6&min_seq=6", f.Auth("probation"));
  later.join();
  CHECK(std::chrono::steady_clock::now() - start >= 250ms);
  REQUIRE(r.status == 200);
  CHECK(Parse(r.body).at("events").as_array().size() == 1);
  auto never = services::HttpGet(f.address(), "/v1/alerts?min_seq=100", f.Auth("probation"));
  CHECK(never.status == 503);
  CHECK(never.headers["retry-after"] == "1");
  CHECK(Parse(never.body).at("error").at("code") == "not_caught_up");
}

// Reads messages until `count` change messages or a timeout; returns their sequences.
std::vector<std::int64_t> Changes(services::WebSocketClient& ws, std::size_t count,
                                  std::vector<std::string>* types = nullptr) {
  std::vector<std::int64_t> sequences;
  while (sequences.size() < count) {
    auto m = ws.Read(5s);
    if (!m)
      break;
    auto v = Parse(*m);
    if (types)
      types->emplace_back(v.at("type").as_string());
    if (v.at("type") == "change")
      sequences.push_back(v.at("sequence").as_int64());
  }
  return sequences;
}

TEST_CASE("Subscriptions: from a sequence, caught up, live, resumed with no gap or duplicate",
          "[integration]") {
  ServerFixture f;
  f.Publish(0, 20);
  services::WebSocketClient ws;
  REQUIRE(ws.Connect(f.address(), "/v1/subscribe?from=1", f.Auth("probation")) == 101);
  std::vector<std::string> types;
  auto first = Changes(ws, 20, &types);
  std::vector<std::int64_t> expected(20);
  std::iota(expected.begin(), expected.end(), 1);
  CHECK(first == expected);
  auto caught_up = ws.Read(5s);
  REQUIRE(caught_up);
  CHECK(Parse(*caught_up).at("type") == "caught_up");
  CHECK(Parse(*caught_up).at("sequence") == 20);

  f.Publish(20, 25);
  CHECK(Changes(ws, 5) == std::vector<std::int64_t>{21, 22, 23, 24, 25});
  ws.Close();

  // Gone after 23; while away, more happened. Back from 24: nothing missed, nothing twice.
  f.Publish(25, 28);
  services::WebSocketClient again;
  REQUIRE(again.Connect(f.address(), "/v1/subscribe?from=24", f.Auth("probation")) == 101);
  CHECK(Changes(again, 5) == std::vector<std::int64_t>{24, 25, 26, 27, 28});

  SECTION("filters: one person, and a browser's token in the query") {
    services::WebSocketClient one;
    REQUIRE(one.Connect(f.address(), "/v1/subscribe?from=1&persons=id:2&access_token=" +
                                         f.token("probation")) == 101);
    auto mine = Changes(one, 9);
    CHECK(mine == std::vector<std::int64_t>{2, 5, 8, 11, 14, 17, 20, 23, 26});
  }
  SECTION("need to know: housing sees no arrests") {
    services::WebSocketClient housing;
    REQUIRE(housing.Connect(f.address(), "/v1/subscribe?from=1", f.Auth("housing")) == 101);
    auto m = housing.Read(5s);
    REQUIRE(m);
    CHECK(Parse(*m).at("type") == "caught_up");
  }
  SECTION("refusals") {
    services::WebSocketClient nobody;
    CHECK(nobody.Connect(f.address(), "/v1/subscribe?from=1") == 401);
    services::WebSocketClient auditor;
    CHECK(auditor.Connect(f.address(), "/v1/subscribe", f.Auth("auditor")) == 403);
    services::WebSocketClient bad;
    CHECK(bad.Connect(f.address(), "/v1/subscribe?types=arest.recorded", f.Auth("probation")) ==
          400);
  }
  SECTION("at most 8 subscriptions per token") {
    std::vector<std::unique_ptr<services::WebSocketClient>> open;
    for (int i = 0; i < 7; ++i) {  // `again` holds one already
      open.push_back(std::make_unique<services::WebSocketClient>());
      REQUIRE(open.back()->Connect(f.address(), "/v1/subscribe", f.Auth("probation")) == 101);
    }
    services::WebSocketClient ninth;
    CHECK(ninth.Connect(f.address(), "/v1/subscribe", f.Auth("probation")) == 429);
  }
  auto audited =
      f.audit().Read(1, 1000, [](const AuditRecord& r) { return r.action == "subscribe"; });
  CHECK(audited.size() >= 2);
}

TEST_CASE("Stopping with subscribers and requests in flight leaves nothing behind",
          "[integration]") {
  // Sessions still held by the io_context when it is destroyed release their counts into the
  // server's state: that state must outlive them. Repeated, as a wrong order crashes only
  // sometimes.
  for (int round = 0; round < 10; ++round) {
    auto f = std::make_unique<ServerFixture>();
    f->Publish(0, 3);
    std::vector<std::unique_ptr<services::WebSocketClient>> subscribers;
    for (int i = 0; i < 3; ++i) {
      subscribers.push_back(std::make_unique<services::WebSocketClient>());
      REQUIRE(subscribers.back()->Connect(f->address(), "/v1/subscribe?from=1",
                                          f->Auth("probation")) == 101);
    }
    services::HttpConnection open;
    REQUIRE(open.Connect(f->address()));
    CHECK(open.Get("/v1/alerts", f->Auth("probation")).status == 200);
    std::thread reader([&] {
      for (int i = 0; i < 20; ++i)
        services::HttpGet(f->address(), "/v1/alerts", f->Auth("probation"));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(round * 3));
    f->server().Stop();
    reader.join();
    f.reset();
  }
}

TEST_CASE("A slow subscriber is cut off with its last sequence, and ingest never waits",
          "[integration]") {
  HttpServerOptions options;
  options.max_subscriber_lag = 50;
  options.subscriber_send_buffer = 32 * 1024;
  ServerFixture f(options);
  f.Publish(0, 1);
  services::WebSocketClient slow;
  REQUIRE(slow.Connect(f.address(), "/v1/subscribe", f.Auth("probation"), 32 * 1024) == 101);
  REQUIRE(slow.Read(5s));  // caught up: live from here

  // 3,000 events while the subscriber reads nothing: ingest is not held up by it.
  const auto start = std::chrono::steady_clock::now();
  for (int batch = 0; batch < 100; ++batch)
    f.Publish(1 + batch * 30, 31 + batch * 30);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("3000 events appended in " << seconds << " s with a stalled subscriber");
  CHECK(seconds < 10);

  // It reads again, slowly: what was in flight arrives, then the close with the reason.
  std::int64_t last = 0;
  int received = 0;
  while (auto m = slow.Read(10s)) {
    auto v = Parse(*m);
    if (v.at("type") == "change") {
      CHECK(v.at("sequence").as_int64() > last);
      last = v.at("sequence").as_int64();
      ++received;
    }
  }
  INFO("received " << received << ", the last " << last);
  REQUIRE(slow.closed());
  INFO("close reason: " << slow.close_reason());
  CHECK(slow.close_reason().find("too slow") != std::string::npos);
  CHECK(slow.close_reason().find(fmt::format("last delivered sequence {}", last)) !=
        std::string::npos);
  CHECK(received < 3000);
  CHECK(f.server().metrics().subscribers_cut_off >= 1);

  // Anyone else is served as before, and the cut-off one can resume where it was.
  services::WebSocketClient resumed;
  REQUIRE(resumed.Connect(f.address(), fmt::format("/v1/subscribe?from={}", last + 1),
                          f.Auth("probation")) == 101);
  const auto rest = Changes(resumed, static_cast<std::size_t>(3001 - last));
  REQUIRE_FALSE(rest.empty());
  CHECK(rest.front() == last + 1);
  CHECK(rest.back() == 3001);
}

}  // namespace
}  // namespace throughline::services
