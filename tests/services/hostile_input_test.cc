// Hostile input (issue 10, item 7): the real HTTP and WebSocket server over loopback on a real
// RocksDB, and the engine on the embedded Kafka, fed what an attacker or a broken client sends:
// no token or a bad one, another role's token, odd person ids, huge headers and bodies, slow
// clients, too many connections, malformed WebSocket frames, too many subscriptions, and a flood
// of invalid Kafka messages. Every refusal is a 4xx with a JSON error and is audited; nothing is
// a 500; the server serves a normal client throughout and after, with its memory in bounds.
// The figures are in docs/reliability.md ("Hostile input").

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <random>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/envelope_parser.h"
#include "services/audit_log.h"
#include "services/embedded_kafka.h"
#include "services/engine.h"
#include "services/event_publisher.h"
#include "services/http_client.h"
#include "services/http_server.h"
#include "services/log_verifier.h"
#include "tests/kafka_topic_reader.h"
#include "tests/services/server_fixture.h"

namespace throughline::services {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::WaitFor;
using Clock = std::chrono::steady_clock;

// Every role (docs/access.md) and what it may do.
const std::vector<std::string> kRoles = {
    "police", "prison",       "probation", "iom",       "mappa",   "analyst", "investigator",
    "health", "safeguarding", "housing",   "jobcentre", "auditor", "operator"};
const std::set<std::string> kReaders = {"police",       "prison",  "probation",    "iom",
                                        "mappa",        "analyst", "investigator", "health",
                                        "safeguarding", "housing", "jobcentre"};
const std::set<std::string> kReplayers = {"police", "probation", "mappa", "investigator"};

std::string Pnc(int i) { return testing::TestPnc(i); }

// Resident memory of this process (the server runs in it), in KiB.
long RssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:"))
      return std::stol(line.substr(6));
  }
  return 0;
}

// The server with a token for every role and an expired one, and a few people in the store.
class HostileServer : public testing::ServerFixture {
 public:
  explicit HostileServer(HttpServerOptions options = {}) : ServerFixture(options, kRoles) {
    Publish(0, 30);
    rss_at_start_ = RssKib();
  }

  // After all of it: the server answers a normal request at once, never answered a 5xx, and its
  // memory has not blown up.
  void ServesOn() {
    const auto start = Clock::now();
    CHECK(HttpGet(address(), "/v1/me", Auth("probation")).status == 200);
    CHECK(HttpGet(address(), "/v1/persons/id:1", Auth("probation")).status == 200);
    CHECK(Clock::now() - start < 2s);
    CHECK(server().metrics().responses_5xx == 0);
    const long grown = RssKib() - rss_at_start_;
    WARN("resident memory grew by " << grown / 1024 << " MiB; audit log holds " << audit().size()
                                    << " records");
    CHECK(grown < 256 * 1024);
  }

 private:
  long rss_at_start_ = 0;
};

json::value Parse(const std::string& text) {
  INFO(text);
  json::value v;
  REQUIRE_NOTHROW(v = json::parse(text));  // also refuses invalid UTF-8
  return v;
}

// A JSON error body with the status answered and a message that says something.
void CheckJsonError(const ClientResponse& r) {
  INFO("status " << r.status << ": " << r.body);
  auto v = Parse(r.body);
  REQUIRE(v.is_object());
  const auto& error = v.at("error");
  CHECK(error.at("status").as_int64() == r.status);
  CHECK_FALSE(error.at("code").as_string().empty());
  CHECK(error.at("message").as_string().size() > 10);
}

// A bare TCP client, for what no well-behaved client library sends.
class RawClient {
 public:
  explicit RawClient(const std::string& address) {
    const auto colon = address.rfind(':');
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
    ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &a.sin_addr);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  // False once the peer has closed or reset the connection.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // What arrives within `timeout`, stopping early once `until` has arrived or the peer closed.
  std::string Receive(std::chrono::milliseconds timeout, std::string_view until = {}) {
    std::string out;
    const auto deadline = Clock::now() + timeout;
    while (!closed_) {
      if (!until.empty() && out.find(until) != std::string::npos)
        break;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0)
        break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0)
        continue;
      char buffer[65536];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }
  // Whether the peer closes within `timeout` (what it sent meanwhile is dropped).
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    Receive(timeout);
    return closed_;
  }
  bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
};

// The status of the HTTP answer at the start of `response` ("HTTP/1.1 400 ..."), 0 when none.
int StatusOf(const std::string& response) {
  if (!response.starts_with("HTTP/") || response.size() < 12 || response[8] != ' ')
    return 0;
  return std::atoi(response.substr(9, 3).c_str());
}

// ---------------------------------------------------------------------------------------------

struct Endpoint {
  std::string method;
  std::string target;
  std::set<std::string> allowed;  // the roles that may use it
};

std::vector<Endpoint> Endpoints(const std::string& backup_dir) {
  std::set<std::string> everyone(kRoles.begin(), kRoles.end());
  return {
      {"GET", "/v1/persons/id:1", kReaders},
      {"GET", "/v1/persons/pnc:" + Pnc(1).replace(4, 1, "%2F"), kReaders},
      {"GET", "/v1/persons/id:1/timeline", kReaders},
      {"GET", "/v1/persons/id:1/timeline?as_of=2022-01-01&as_known_at=5", kReplayers},
      {"GET", "/v1/cohorts/prisons/CFI?limit=5", kReaders},
      {"GET", "/v1/cohorts/iom", kReaders},
      {"GET", "/v1/cohorts/mappa?level=2", kReaders},
      {"GET", "/v1/cohorts/releases?within_days=28", kReaders},
      {"GET", "/v1/cohorts/licence?area=Gwent", kReaders},
      {"GET", "/v1/alerts?order=newest", kReaders},
      {"GET", "/v1/events?from_seq=1&limit=5", kReaders},
      {"GET", "/v1/audit?from=1&limit=5", {"auditor"}},
      {"GET", "/v1/me", everyone},
      {"GET", "/v1/admin/stats", {"operator"}},
      {"POST", "/v1/admin/compact", {"operator"}},
      {"POST", "/v1/admin/backup?to=" + backup_dir, {"operator"}},
      {"GET", "/v1/subscribe", kReaders},  // a WebSocket upgrade
  };
}

// One call, as the endpoint is called: a WebSocket upgrade for /v1/subscribe.
ClientResponse Call(const HostileServer& f, const Endpoint& e, Headers headers) {
  headers.emplace_back("X-Reason", "hostile input test");
  if (e.target == "/v1/subscribe") {
    WebSocketClient ws;
    ClientResponse r;
    r.status = ws.Connect(f.address(), e.target, headers);
    return r;
  }
  return HttpCall(e.method, f.address(), e.target, "", headers);
}

TEST_CASE(
    "Hostile: every endpoint refuses a missing, bad or expired token and another role's, "
    "and audits each refusal",
    "[integration]") {
  HostileServer f;
  testing::TempDir backups;
  const std::string good = f.token("probation");
  const std::string id = good.substr(0, good.find('.'));
  std::string wrong_secret = good;
  wrong_secret.back() = wrong_secret.back() == '0' ? '1' : '0';
  const std::vector<std::pair<std::string, Headers>> unauthenticated = {
      {"no token", {}},
      {"an empty bearer", {{"Authorization", "Bearer "}}},
      {"Basic", {{"Authorization", "Basic dXNlcjpwYXNzd29yZA=="}}},
      {"a bare token", {{"Authorization", good}}},
      {"not a token", {{"Authorization", "Bearer not-a-token"}}},
      {"no secret", {{"Authorization", "Bearer " + id}}},
      {"no secret, with a dot", {{"Authorization", "Bearer " + id + "."}}},
      {"a wrong secret", {{"Authorization", "Bearer " + wrong_secret}}},
      {"a longer secret", {{"Authorization", "Bearer " + good + "0"}}},
      {"a cut secret", {{"Authorization", "Bearer " + good.substr(0, good.size() - 1)}}},
      {"another case", {{"Authorization", "BEARER " + good}}},
      {"a 6 KiB token", {{"Authorization", "Bearer " + id + "." + std::string(6000, 'f')}}},
      {"SQL", {{"Authorization", "Bearer ' OR '1'='1"}}},
      {"a token with spaces", {{"Authorization", "Bearer " + good + " " + good}}},
      {"expired", {{"Authorization", "Bearer " + f.token("expired")}}},
  };
  std::size_t refusals = 0, answered = 0;
  for (const Endpoint& e : Endpoints(backups.path() + "/backup")) {
    for (const auto& [what, headers] : unauthenticated) {
      INFO(e.method << " " << e.target << " with " << what);
      const std::uint64_t before = f.audit().size();
      auto r = Call(f, e, headers);
      CHECK(r.status == 401);
      if (e.target != "/v1/subscribe") {
        CheckJsonError(r);
        CHECK(r.headers["www-authenticate"].starts_with("Bearer"));
        if (what == "expired")
          CHECK(r.body.find("expired") != std::string::npos);
        // It says nothing of whether the person exists, or of the token's role.
        CHECK(r.body.find("probation") == std::string::npos);
      }
      auto audited = f.AuditedSince(before);
      REQUIRE(audited.size() == 1);
      CHECK(audited[0].status == 401);
      CHECK(audited[0].token_id.empty());
      ++refusals;
    }
    // A token given in the query is for WebSocket upgrades only (browsers cannot set headers).
    if (e.target != "/v1/subscribe" && e.method == "GET") {
      const std::string sep = e.target.find('?') == std::string::npos ? "?" : "&";
      const std::uint64_t before = f.audit().size();
      auto r = HttpGet(f.address(), e.target + sep + "access_token=" + good);
      CHECK(r.status == 401);
      CHECK(f.AuditedSince(before).size() == 1);
      ++refusals;
    }
    for (const std::string& role : kRoles) {
      INFO(e.method << " " << e.target << " as " << role);
      const std::uint64_t before = f.audit().size();
      auto r = Call(f, e, f.Auth(role));
      auto audited = f.AuditedSince(before);
      if (e.allowed.contains(role)) {
        CHECK(r.status != 401);
        CHECK(r.status != 403);
        CHECK(r.status < 500);
        ++answered;
        continue;
      }
      CHECK(r.status == 403);
      if (e.target != "/v1/subscribe") {
        CheckJsonError(r);
        CHECK(Parse(r.body).at("error").at("code") == "forbidden");
      }
      REQUIRE(audited.size() == 1);
      CHECK(audited[0].status == 403);
      CHECK(audited[0].role == role);
      CHECK(audited[0].token_id == f.token(role).substr(0, f.token(role).find('.')));
      ++refusals;
    }
  }

  // Methods not served, unknown endpoints and cohorts, and a bad min_seq: refused, audited, and
  // with the caller when the token is good.
  for (const auto& [method, target, status] :
       std::vector<std::tuple<std::string, std::string, int>>{
           {"PUT", "/v1/persons/id:1", 405},
           {"DELETE", "/v1/persons/id:1", 405},
           {"PATCH", "/v1/alerts", 405},
           {"POST", "/v1/persons/id:1", 405},
           {"OPTIONS", "/v1/me", 405},
           {"TRACE", "/v1/audit", 405},
           {"PURGE", "/v1/admin/stats", 405},
           {"GET", "/v1/nothing", 404},
           {"GET", "/v1", 404},
           {"GET", "/v1/cohorts/everyone", 404},
           {"GET", "/v1/cohorts/prisons/CFI/all", 404},
           {"GET", "/v1/persons/id:1/secrets", 404},
           {"GET", "/v1/alerts?min_seq=-1", 400},
           {"GET", "/v1/alerts?limit=0", 400},
           {"GET", "/v1/events?from_seq=99999999999999999999999", 400},
           {"GET", "/v1/alerts?order=random", 400},
           {"GET", "/v1/alerts?since=yesterday", 400},
           {"GET", "/v1/alerts?a=1&a=2", 400},
       }) {
    for (const std::string role : {"probation", "operator", "auditor"}) {
      INFO(method << " " << target << " as " << role);
      const std::uint64_t before = f.audit().size();
      auto r = HttpCall(method, f.address(), target, "", f.Auth(role));
      if (status == 400 && role != "probation") {
        // Refused for the role first.
        CHECK((r.status == 403 || r.status == 400));
      } else {
        CHECK(r.status == status);
      }
      if (method != "HEAD")
        CheckJsonError(r);
      auto audited = f.AuditedSince(before);
      REQUIRE(audited.size() == 1);
      CHECK(audited[0].status == r.status);
      CHECK(audited[0].role == role);
      ++refusals;
    }
  }
  WARN(refusals << " refusals, each audited once; " << answered << " allowed calls answered");
  f.ServesOn();
}

TEST_CASE("Hostile: odd person ids are 400 or 404 with a JSON error, never a 500",
          "[integration]") {
  HostileServer f;
  const std::vector<std::string> ids = {
      "..%2F..%2Fetc",
      "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
      "%2E%2E",
      "%2e",
      "id:..%2F..%2F1",
      "id%3A1",  // an encoded colon is still a colon: id:1 exists, so 200 (checked below)
      "%00",
      "id:1%00",
      "id:%001",
      "pnc:2015%2F0100001%00",
      "id:1%0D%0AX-Injected:%20yes",
      "%C0%AE%C0%AE%2F%C0%AE%C0%AE",
      "id:%C0%B1",
      "pnc:%C0%AF%C0%AF",
      "%FF%FE%FD",
      "%ED%A0%80",  // a UTF-16 surrogate in UTF-8
      "%F4%90%80%80",
      "%E2%80%AE1:di",  // right-to-left override
      "id:%EF%BC%91",   // a full-width digit one
      "id:abc",
      "id:-1",
      "id:0",
      "id:+1",
      "id:1.5",
      "id:0x10",
      "id:1e3",
      "id:%201",
      "id:1%20",
      "id:",
      "id",
      ":",
      "::::",
      ":1",
      "id:99999999999999999999999999",
      "id:18446744073709551615",
      "id:18446744073709551616",
      "id:%2531",  // double-encoded "1"
      "pnc:2015%252F0100001A",
      "%2569%2564%253A1",  // "id:1" double-encoded
      "pnc:",
      "pnc:%2F",
      "pnc:2015/0100001A",  // a slash unencoded makes another segment: 404, no such endpoint
      "noms:" + std::string(3000, 'A'),
      "crn:" + std::string(666, 'x'),
      "cro:123456%2F11M",
      "unknown:1",
      "PNC:2015%2F0100001A",
      "id:1;DROP%20TABLE%20persons",
      "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
      "id:%7B%22a%22:1%7D",
      "%",
      "%4",
      "%G1",
      "id:1%",
      std::string(3900, 'a'),
      std::string(5000, 'a'),
  };
  std::size_t refused = 0;
  for (const std::string& ref : ids) {
    for (const std::string suffix : {"", "/timeline", "/timeline?as_of=2022-01-01"}) {
      const std::string target = "/v1/persons/" + ref + suffix;
      INFO(target.substr(0, 200) << " (" << target.size() << " bytes)");
      const std::uint64_t before = f.audit().size();
      Headers auth = f.Auth("probation");
      auth.emplace_back("X-Reason", "hostile input test");
      auto r = HttpGet(f.address(), target, auth);
      if (ref == "id%3A1") {
        CHECK(r.status == 200);
        continue;
      }
      CHECK((r.status == 400 || r.status == 404));
      CheckJsonError(r);
      auto audited = f.AuditedSince(before);
      REQUIRE(audited.size() == 1);
      CHECK(audited[0].status == r.status);
      CHECK(audited[0].role == "probation");
      ++refused;
    }
  }
  // What a client library would not send: raw bytes in the request line. The server cannot
  // read these as HTTP: 400 and closed, audited, nothing else.
  for (const std::string& raw : std::vector<std::string>{
           std::string("GET /v1/persons/id:1\0 HTTP/1.1\r\n\r\n", 34),
           "GET /v1/persons/id:1\x01 HTTP/1.1\r\n\r\n",
           "GET /v1/persons/\xc0\xae\xc0\xae/etc HTTP/1.1\r\nHost: x\r\n\r\n",
           "GET /v1/persons/id:1 HTTP/1.1\r\nAuthorization: Bearer \x7f\r\n\r\n",
           "GET /v1/persons/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
           "GET ../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
           "GET http://evil.example/v1/me HTTP/1.1\r\nHost: x\r\n\r\n",
           "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
           "GET /v1/me HTTP/9.9\r\nHost: x\r\n\r\n",
           "GET /v1/me\r\n\r\n",
           std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + " a TLS hello\r\n\r\n",
       }) {
    INFO(testing::Hex(raw.substr(0, 60)));
    RawClient c(f.address());
    REQUIRE(c.connected());
    c.Send(raw);
    const std::string answer = c.Receive(3s, "\r\n\r\n");
    const int status = StatusOf(answer);
    CHECK((status == 400 || status == 401));
    CHECK(HttpGet(f.address(), "/healthz").status == 200);
    ++refused;
  }
  WARN(refused << " odd ids and request lines refused with a 4xx");
  f.ServesOn();
}

TEST_CASE("Hostile: huge headers and bodies are refused and the server serves on",
          "[integration]") {
  HostileServer f;
  std::size_t refused = 0;
  // `status` as the client saw it: 0 when cut off mid-send before it could read the answer.
  auto refusal_audited = [&](std::uint64_t before, int status) {
    // The server audits before it answers.
    WaitFor([&] { return f.audit().size() > before; }, 5s, "the refusal to be audited");
    auto audited = f.AuditedSince(before);
    REQUIRE(audited.size() == 1);
    if (status != 0)
      CHECK(audited[0].status == status);
    CHECK(audited[0].status >= 400);
    ++refused;
  };
  SECTION("a 1 MiB header, many headers, a 1 MiB target") {
    // By hand: a client library will not send a field over 64 KiB.
    std::string many;
    for (int i = 0; i < 2000; ++i)
      many += fmt::format("X-H{}: v\r\n", i);
    for (const std::string& request : {
             "GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(1 << 20, 'x') +
                 "\r\n\r\n",
             "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                 std::string(1 << 20, 'a') + "\r\n\r\n",
             "GET /v1/me HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(9000, 'c') + "\r\n\r\n",
             "GET /v1/me HTTP/1.1\r\nHost: x\r\n" + many + "\r\n",
             "GET /v1/persons/" + std::string(1 << 20, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
         }) {
      INFO(request.substr(0, 60) << "... (" << request.size() << " bytes)");
      RawClient c(f.address());
      REQUIRE(c.connected());
      const std::uint64_t before = f.audit().size();
      c.Send(request);  // may be cut off part way
      const std::string answer = c.Receive(5s, "\r\n\r\n");
      const int status = StatusOf(answer);
      CHECK((status == 431 || (status == 0 && c.closed())));
      CHECK(c.ClosedWithin(5s));
      refusal_audited(before, 431);
      CHECK(HttpGet(f.address(), "/healthz").status == 200);
    }
  }
  SECTION("bodies over 64 KiB on the POST endpoints, sent or only announced") {
    for (const std::string target : {"/v1/admin/compact", "/v1/admin/backup?to=/tmp/x"}) {
      for (const std::string& role : {std::string("operator"), std::string("housing")}) {
        const std::uint64_t before = f.audit().size();
        auto r = HttpCall("POST", f.address(), target, std::string(1 << 20, '{'), f.Auth(role));
        INFO(target << " as " << role << ": " << r.status << " " << r.error);
        CHECK((r.status == 413 || r.status == 0));
        refusal_audited(before, 413);
        // The header was read: the refusal says who sent it.
        CHECK(f.AuditedSince(before)[0].role == role);
      }
    }
    for (const std::string& header : {
             std::string("Content-Length: 100000000000\r\n"),
             std::string("Content-Length: 18446744073709551616\r\n"),
             std::string("Content-Length: -1\r\n"),
             std::string("Content-Length: 10\r\nContent-Length: 20\r\n"),
             std::string("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
             std::string("Transfer-Encoding: chunked\r\n"),
         }) {
      INFO(header);
      RawClient c(f.address());
      REQUIRE(c.connected());
      const std::uint64_t before = f.audit().size();
      c.Send("POST /v1/admin/compact HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
             f.token("operator") + "\r\n" + header + "\r\n");
      if (header.starts_with("Transfer")) {
        // 20 chunks of 16 KiB: over the limit part way.
        for (int i = 0; i < 20 && !c.closed(); ++i) {
          if (!c.Send(fmt::format("4000\r\n{}\r\n", std::string(0x4000, 'x'))))
            break;
        }
      }
      const std::string answer = c.Receive(5s, "\r\n\r\n");
      const int status = StatusOf(answer);
      CHECK((status == 413 || status == 400 || (status == 0 && c.closed())));
      CHECK(c.ClosedWithin(5s));
      refusal_audited(before, status);
    }
  }
  WARN(refused << " huge headers or bodies refused and audited");
  f.ServesOn();
}

TEST_CASE(
    "Hostile: slow clients time out, the connection caps hold, and a normal client is "
    "served throughout",
    "[integration]") {
  HttpServerOptions options;
  options.read_timeout = 2s;
  options.max_connections = 400;
  HostileServer f(options);

  SECTION("slowloris: 300 connections sending a header byte a second") {
    constexpr int kSlow = 300;
    std::vector<std::unique_ptr<RawClient>> slow;
    for (int i = 0; i < kSlow; ++i) {
      slow.push_back(std::make_unique<RawClient>(f.address()));
      REQUIRE(slow.back()->connected());
      REQUIRE(slow.back()->Send("GET /v1/alerts HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    }
    const auto opened = Clock::now();
    std::atomic<bool> done{false};
    std::atomic<int> bytes_sent{0};
    std::thread dripper([&] {
      while (!done) {
        for (auto& c : slow) {
          if (c->Send("a"))
            ++bytes_sent;
        }
        for (int i = 0; i < 10 && !done; ++i)
          std::this_thread::sleep_for(100ms);
      }
    });
    // Meanwhile a normal client, on fresh connections and on one kept alive.
    std::vector<double> latencies;
    HttpConnection kept;
    REQUIRE(kept.Connect(f.address()));
    while (Clock::now() - opened < 3500ms) {
      const auto start = Clock::now();
      auto r = HttpGet(f.address(), "/v1/persons/id:1", f.Auth("probation"));
      CHECK(r.status == 200);
      CHECK(kept.Get("/v1/me", f.Auth("housing")).status == 200);
      latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      std::this_thread::sleep_for(20ms);
    }
    // Every slow one closed by the server, at about the read timeout.
    int closed = 0;
    for (auto& c : slow) {
      if (c->ClosedWithin(1500ms))
        ++closed;
    }
    const double after = std::chrono::duration<double>(Clock::now() - opened).count();
    done = true;
    dripper.join();
    CHECK(closed == kSlow);
    CHECK(f.server().metrics().timeouts >= kSlow);
    std::sort(latencies.begin(), latencies.end());
    const double p50 = latencies[latencies.size() / 2], max = latencies.back();
    WARN(kSlow << " slow connections (" << bytes_sent << " bytes dripped) all closed within "
               << after << " s; a normal client's " << latencies.size()
               << " request pairs meanwhile: p50 " << p50 << " ms, max " << max << " ms");
    CHECK(max < 1500);
    WaitFor([&] { return f.server().metrics().connections <= 1; }, 5s, "the slow ones to go");
  }

  SECTION("beyond the connection cap: the connection waiting longest is closed for a new one") {
    std::vector<std::unique_ptr<RawClient>> idle;
    for (std::size_t i = 0; i < options.max_connections; ++i) {
      idle.push_back(std::make_unique<RawClient>(f.address()));
      REQUIRE(idle.back()->connected());
    }
    WaitFor([&] { return f.server().metrics().connections >= options.max_connections; }, 5s,
            "the server to hold every connection");
    // The first idle one has waited longest: the honest client's connection takes its place,
    // at once, not after the read timeout (2 s here).
    const auto full = Clock::now();
    CHECK(HttpGet(f.address(), "/v1/me", f.Auth("probation")).status == 200);
    const double seconds = std::chrono::duration<double>(Clock::now() - full).count();
    CHECK(seconds < 1);
    CHECK(idle.front()->ClosedWithin(1s));
    CHECK(f.server().metrics().connections_evicted >= 1);
    CHECK(f.server().metrics().connections_refused == 0);
    // One a new connection at a time: the newest idle ones are still held.
    CHECK_FALSE(idle.back()->ClosedWithin(200ms));
    // At the cap again; a slow sender is waiting for its request too: it goes next.
    WaitFor([&] { return f.server().metrics().connections < options.max_connections; }, 5s,
            "the honest client's connection to close");
    idle.push_back(std::make_unique<RawClient>(f.address()));
    WaitFor([&] { return f.server().metrics().connections >= options.max_connections; }, 5s,
            "the server to hold every connection again");
    REQUIRE(idle[1]->Send("GET /v1/alerts HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    CHECK(HttpGet(f.address(), "/v1/me", f.Auth("housing")).status == 200);
    CHECK(idle[1]->ClosedWithin(1s));
    WARN(options.max_connections << " idle connections held the cap; an honest request was "
                                 << "served in " << seconds << " s, "
                                 << f.server().metrics().connections_evicted
                                 << " connections closed for new ones");
  }

  SECTION("one token's cap of 256 connections") {
    std::vector<std::unique_ptr<HttpConnection>> held;
    for (int i = 0; i < 256; ++i) {
      held.push_back(std::make_unique<HttpConnection>());
      REQUIRE(held.back()->Connect(f.address()));
      REQUIRE(held.back()->Get("/v1/me", f.Auth("probation")).status == 200);
    }
    for (int i = 0; i < 5; ++i) {
      HttpConnection more;
      REQUIRE(more.Connect(f.address()));
      const std::uint64_t before = f.audit().size();
      auto r = more.Get("/v1/me", f.Auth("probation"));
      CHECK(r.status == 429);
      CheckJsonError(r);
      auto audited = f.AuditedSince(before);
      REQUIRE(audited.size() == 1);
      CHECK(audited[0].status == 429);
      CHECK(audited[0].role == "probation");
    }
    // Another token is served; and closing one of the 256 makes room.
    CHECK(HttpGet(f.address(), "/v1/me", f.Auth("housing")).status == 200);
    held.pop_back();
    WaitFor([&] { return HttpGet(f.address(), "/v1/me", f.Auth("probation")).status == 200; }, 5s,
            "a freed connection to be counted");
  }
  f.ServesOn();
}

// ---------------------------------------------------------------------------------------------
// WebSocket frames, by hand.

// A frame: `first` is FIN, RSV and opcode; the payload masked with a fixed key unless `masked` is
// false; `length` is what the header announces (the payload may be shorter).
std::string Frame(std::uint8_t first, std::string_view payload, bool masked = true,
                  std::optional<std::uint64_t> length = std::nullopt) {
  const std::uint64_t n = length.value_or(payload.size());
  std::string out;
  out += static_cast<char>(first);
  const char mask_bit = masked ? '\x80' : '\0';
  if (n < 126) {
    out += static_cast<char>(mask_bit | static_cast<char>(n));
  } else if (n <= 0xffff) {
    out += static_cast<char>(mask_bit | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out += static_cast<char>((n >> shift) & 0xff);
  }
  static constexpr char kMask[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked)
    out.append(kMask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out += masked ? static_cast<char>(payload[i] ^ kMask[i % 4]) : payload[i];
  return out;
}

// A raw connection upgraded to a WebSocket on /v1/subscribe.
std::unique_ptr<RawClient> RawSubscriber(const HostileServer& f, const std::string& role) {
  auto c = std::make_unique<RawClient>(f.address());
  REQUIRE(c->connected());
  REQUIRE(
      c->Send("GET /v1/subscribe HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
              "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " +
              f.token(role) + "\r\n\r\n"));
  const std::string answer = c->Receive(5s, "\r\n\r\n");
  REQUIRE(StatusOf(answer) == 101);
  return c;
}

TEST_CASE(
    "Hostile: at the connection cap with none waiting for a request, a new connection is "
    "refused at accept until one closes",
    "[integration]") {
  HttpServerOptions options;
  options.max_connections = 3;
  HostileServer f(options);
  // Subscriptions are not waiting for a request: none of them is closed for a new connection.
  std::vector<std::unique_ptr<WebSocketClient>> held;
  for (std::size_t i = 0; i < options.max_connections; ++i) {
    held.push_back(std::make_unique<WebSocketClient>());
    REQUIRE(held.back()->Connect(f.address(), "/v1/subscribe?from=1", f.Auth("probation")) == 101);
  }
  WaitFor([&] { return f.server().metrics().subscribers == options.max_connections; }, 5s,
          "the subscriptions to open");
  RawClient beyond(f.address());
  CHECK(beyond.ClosedWithin(1s));
  CHECK(f.server().metrics().connections_refused >= 1);
  CHECK(f.server().metrics().connections_evicted == 0);
  for (auto& ws : held)
    CHECK_FALSE(ws->closed());
  // One closes: a new connection is served.
  held.back()->Close();
  WaitFor([&] { return HttpGet(f.address(), "/v1/me", f.Auth("probation")).status == 200; }, 5s,
          "a request to be served once a subscription closed");
}

TEST_CASE("Hostile: oversized and malformed WebSocket frames, and too many subscriptions",
          "[integration]") {
  HostileServer f;
  const std::string big(80 * 1024, 'x');
  std::string fragments = Frame(0x01, std::string(4096, 'x'));  // text, not final
  for (int i = 0; i < 19; ++i)
    fragments += Frame(0x00, std::string(4096, 'x'));  // continuations: 80 KiB in all
  fragments += Frame(0x80, "x");
  std::mt19937 rng(5);
  std::string garbage(4096, '\0');
  for (char& c : garbage)
    c = static_cast<char>(rng());
  const std::vector<std::pair<std::string, std::string>> hostile = {
      {"an 80 KiB message", Frame(0x81, big)},
      {"a frame announcing 1 MiB", Frame(0x81, std::string(1000, 'x'), true, 1 << 20)},
      {"a frame announcing 2^63 bytes", Frame(0x82, "x", true, 0x7fffffffffffffffULL)},
      {"80 KiB in fragments", fragments},
      {"an unmasked frame", Frame(0x81, "hello", false)},
      {"a reserved opcode", Frame(0x83, "hello")},
      {"RSV1 with no extension agreed", Frame(0xC1, "hello")},
      {"a 200-byte ping", Frame(0x89, std::string(200, 'p'))},
      {"a fragmented ping", Frame(0x09, "ping")},
      {"a continuation with nothing to continue", Frame(0x80, "x")},
      {"text that is not UTF-8", Frame(0x81, "\xc0\xae\xff\xfe")},
      {"a close with a reserved code", Frame(0x88, std::string("\x03\xec", 2))},
      {"a close frame of one byte", Frame(0x88, "x")},
      {"4 KiB of random bytes", garbage},
  };
  for (const auto& [what, bytes] : hostile) {
    INFO(what);
    auto c = RawSubscriber(f, "probation");
    c->Send(bytes);
    const std::string rest = c->Receive(5s);
    CHECK(c->closed());
    // Beast answers a protocol error with a close frame (opcode 8) before closing.
    if (!rest.empty())
      CHECK(rest.find('\x88') != std::string::npos);
  }
  // 10,000 pings in one go, and a subscriber that never reads: answered or cut off, nothing
  // else.
  {
    auto c = RawSubscriber(f, "housing");
    std::string pings;
    for (int i = 0; i < 10'000; ++i)
      pings += Frame(0x89, "ping");
    c->Send(pings);
    c->Receive(1s);
  }
  // None of them holds a subscription now: the token's 8 are all free.
  WaitFor([&] { return f.server().metrics().subscribers == 0; }, 10s,
          "the hostile subscribers to be gone");

  // Too many subscriptions for one token: 429, audited; others are not held up.
  std::vector<std::unique_ptr<WebSocketClient>> open;
  for (int i = 0; i < 8; ++i) {
    open.push_back(std::make_unique<WebSocketClient>());
    REQUIRE(open.back()->Connect(f.address(), "/v1/subscribe?from=1", f.Auth("probation")) == 101);
  }
  int refused = 0, over_cap = 0;
  for (int i = 0; i < 20; ++i) {
    const std::uint64_t before = f.audit().size();
    WebSocketClient more;
    CHECK(more.Connect(f.address(), "/v1/subscribe", f.Auth("probation")) == 429);
    // The token in the query counts the same.
    WebSocketClient query;
    CHECK(query.Connect(f.address(), "/v1/subscribe?access_token=" + f.token("probation")) == 429);
    auto audited = f.AuditedSince(before);
    REQUIRE(audited.size() == 2);
    CHECK(audited[0].status == 429);
    CHECK(audited[1].status == 429);
    refused += 2;
    over_cap += 2;
  }
  // Upgrades elsewhere, or with a target that does not parse: refused and audited.
  for (const std::string target :
       {"/v1/persons/id:1", "/v1/subscribe/..%2F", "/v1/subscribe?x=%00"}) {
    const std::uint64_t before = f.audit().size();
    WebSocketClient elsewhere;
    const int status = elsewhere.Connect(f.address(), target, f.Auth("housing"));
    CHECK((status == 400 || status == 404));
    CHECK(f.AuditedSince(before).size() == 1);
    ++refused;
  }
  WebSocketClient other;
  REQUIRE(other.Connect(f.address(), "/v1/subscribe", f.Auth("housing")) == 101);
  // The 8 are served: each gets the 30 changes, then the live ones.
  f.Publish(30, 40);
  for (auto& ws : open) {
    int changes = 0;
    while (changes < 40) {
      auto m = ws->Read(5s);
      if (!m)
        break;
      if (Parse(*m).at("type") == "change")
        ++changes;
    }
    CHECK(changes == 40);
  }
  // Closing one makes room for one.
  open.back()->Close();
  open.pop_back();
  WaitFor(
      [&] {
        WebSocketClient again;
        return again.Connect(f.address(), "/v1/subscribe", f.Auth("probation")) == 101;
      },
      5s, "a closed subscription to free its place");
  WARN(hostile.size() << " hostile frame kinds (and 10,000 pings) each closed the connection or "
                         "were answered; "
                      << over_cap << " subscriptions over the cap and " << refused - over_cap
                      << " bad upgrades refused, each audited");
  f.ServesOn();
}

// ---------------------------------------------------------------------------------------------
// Kafka.

TEST_CASE(
    "Hostile: 20,000 invalid Kafka messages among 2,000 valid ones: every invalid one on "
    "the DLQ, every valid one in the log once",
    "[integration]") {
  auto kafka = EmbeddedKafka::Start();
  REQUIRE(kafka.ok());
  REQUIRE((*kafka)->CreateTopic("justice.events", 12).ok());
  REQUIRE((*kafka)->CreateTopic("justice.events.dlq", 12).ok());
  testing::TempDir dir;
  SystemClock clock;
  EngineOptions options;
  options.data_dir = dir.path();
  options.kafka.bootstrap = (*kafka)->bootstrap();
  options.hmpps_topics.clear();
  options.change_topic = "";
  auto engine = Engine::Start(options, &clock);
  REQUIRE(engine.ok());

  const auto valid = testing::SyntheticEvents(2'000, 300, 20, 23);
  std::mt19937 rng(17);
  auto random_bytes = [&](std::size_t n) {
    std::string s(n, '\0');
    for (char& c : s)
      c = static_cast<char>(rng());
    return s;
  };
  auto some_valid = [&] { return valid[rng() % valid.size()]; };
  auto replace = [](std::string s, std::string_view what, std::string_view with) {
    const auto at = s.find(what);
    REQUIRE(at != std::string::npos);
    return s.replace(at, what.size(), with);
  };
  std::vector<std::string> invalid;
  for (int i = 0; i < 20'000; ++i) {
    switch (i % 20) {
      case 0:
        invalid.push_back(random_bytes(1 + rng() % 512));
        break;
      case 1:
        invalid.push_back(i % 1000 == 1 ? std::string() : std::string(1 + rng() % 64, ' '));
        break;
      case 2: {
        const std::string v = some_valid();
        invalid.push_back(v.substr(0, 1 + rng() % (v.size() - 2)));  // cut short
        break;
      }
      case 3:
        invalid.push_back(i % 200 == 3 ? std::string(2000, '[') + std::string(2000, ']')
                                       : std::string(70, '{'));
        break;
      case 4:
        invalid.push_back(testing::WithMember(some_valid(), {"type"}, "arest.recorded"));
        break;
      case 5:
        invalid.push_back(testing::WithMember(some_valid(), {"data", "person"},
                                              json::object{{"pnc", "2015/0100001Q"}}));
        break;
      case 6:
        invalid.push_back(replace(some_valid(), R"("id":")", "\"id\":\"\xc0\xae\xff"));
        break;
      case 7:
        invalid.push_back(replace(some_valid(), R"("id":")", std::string("\"id\":\"\0", 7)));
        break;
      case 8: {
        static const char* kScalars[] = {"null",    "[]",   "{}",   "42",
                                         "\"1.0\"", "true", "[{}]", "1e999"};
        invalid.push_back(kScalars[rng() % 8]);
        break;
      }
      case 9:
        invalid.push_back(testing::WithMember(some_valid(), {"time"}, "2019-02-30T00:00:00Z"));
        break;
      case 10:
        invalid.push_back(testing::WithMember(some_valid(), {"specversion"}, "2.0"));
        break;
      case 11:
        invalid.push_back(testing::WithMember(some_valid(), {"dataversion"}, 99));
        break;
      case 12:
        invalid.push_back(testing::WithoutMember(some_valid(), {"id"}));
        break;
      case 13:
        invalid.push_back(testing::WithoutMember(some_valid(), {"data"}));
        break;
      case 14:
        invalid.push_back(testing::WithMember(some_valid(), {"data"}, "a string"));
        break;
      case 15:
        invalid.push_back(testing::WithMember(some_valid(), {"source"}, json::string(5000, 's')));
        break;
      case 16:
        invalid.push_back(some_valid() + "garbage after the object");
        break;
      case 17:
        invalid.push_back(testing::WithMember(some_valid(), {"time"}, -1));
        break;
      case 18:
        invalid.push_back(i % 400 == 18 ? testing::WithMember(some_valid(), {"data", "padding"},
                                                              json::string(64 * 1024, 'p'))
                                        : testing::WithMember(some_valid(), {"id"}, ""));
        break;
      default:
        invalid.push_back(replace(some_valid(), "{", "{\"type\":\"x\","));  // a name twice
    }
  }
  // Each of them is refused by the parser the engine uses, so the count below is exact.
  events::EnvelopeParser parser;
  std::size_t accepted = 0;
  for (const auto& m : invalid)
    accepted += parser.Parse(m).ok() ? 1 : 0;
  REQUIRE(accepted == 0);

  struct Delivery {
    const std::string* value;
    bool hostile_key;
  };
  std::vector<Delivery> deliveries;
  for (const auto& v : valid)
    deliveries.push_back({&v, false});
  for (std::size_t i = 0; i < invalid.size(); ++i)
    deliveries.push_back({&invalid[i], i % 3 == 0});
  std::shuffle(deliveries.begin(), deliveries.end(), rng);

  PublishOptions publish;
  publish.connection.bootstrap = (*kafka)->bootstrap();
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  const auto start = Clock::now();
  for (const Delivery& d : deliveries) {
    if (d.hostile_key) {
      // A key of raw bytes, and headers that try to pass as the engine's own.
      const std::string key = random_bytes(1 + rng() % 300);
      REQUIRE((*publisher)
                  ->Publish(std::string_view(key), *d.value,
                            {{"throughline.error.rule", "forged"},
                             {"throughline.source.offset", "-1"},
                             {std::string(300, 'h'), random_bytes(100)}})
                  .ok());
    } else {
      REQUIRE((*publisher)->Publish(*d.value).ok());
    }
  }
  REQUIRE((*publisher)->Flush().ok());

  const IngestMetrics& m = (*engine)->metrics();
  WaitFor([&] { return m.appended + m.duplicates + m.dead_letters >= deliveries.size(); }, 120s,
          "the engine to take all 22,000 messages");
  WaitFor([&] { return m.dead_letters_published >= invalid.size(); }, 60s,
          "dead letters to reach the DLQ topic");
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  CHECK(m.appended == valid.size());
  CHECK(m.duplicates == 0);
  CHECK(m.dead_letters == invalid.size());
  (*engine)->Stop();

  auto store = EventStore::Open(dir.path(), StoreOptions{});
  REQUIRE(store.ok());
  CHECK((*store)->state().next_sequence == valid.size() + 1);
  auto report = VerifyStore(**store);
  INFO(fmt::format("{}", fmt::join(report.problems, "\n")));
  CHECK(report.ok());
  CHECK(report.records == valid.size());
  std::set<std::uint64_t> sequences;
  for (const auto& v : valid) {
    auto parsed = parser.Parse(v);
    REQUIRE(parsed.ok());
    auto seq = (*store)->FindIdempotent(parsed.event.source, parsed.event.id);
    REQUIRE(seq);
    sequences.insert(*seq);
  }
  CHECK(sequences.size() == valid.size());

  // The DLQ holds every invalid message, byte for byte, with the engine's own reason: the
  // forged headers are passed on as original.throughline.*, never as the engine's.
  auto dlq = testing::ReadTopic((*kafka)->bootstrap(), "justice.events.dlq", invalid.size(), 60s);
  REQUIRE(dlq.size() == invalid.size());
  std::multiset<std::string> expected(invalid.begin(), invalid.end());
  std::size_t matched = 0, forged = 0;
  for (auto& d : dlq) {
    auto it = expected.find(d.value);
    if (it != expected.end()) {
      expected.erase(it);
      ++matched;
    }
    int rules = 0;
    for (const auto& [name, value] : d.header_list) {
      rules += name == "throughline.error.rule" ? 1 : 0;
      forged += name.starts_with("throughline.") && (value == "forged" || value == "-1") ? 1 : 0;
    }
    CHECK(rules == 1);
    CHECK(d.headers["throughline.source.topic"] == "justice.events");
  }
  CHECK(matched == invalid.size());
  CHECK(forged == 0);
  WARN(deliveries.size() << " messages (" << invalid.size() << " invalid) taken in " << seconds
                         << " s: " << m.appended << " appended, " << dlq.size()
                         << " on the DLQ, read back whole");
}

}  // namespace
}  // namespace throughline::services
