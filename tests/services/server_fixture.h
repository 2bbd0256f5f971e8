// ServerFixture: the HTTP server (services/http_server.h) on loopback over a real store in a
// temporary directory (store_fixture.h), with an audit log and a token for each of a few roles;
// and TestTokens, those tokens alone, for tests of the router without a socket.

#ifndef THROUGHLINE_TESTS_SERVICES_SERVER_FIXTURE_H_
#define THROUGHLINE_TESTS_SERVICES_SERVER_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "services/access.h"
#include "services/audit_log.h"
#include "services/http_client.h"
#include "services/http_server.h"
#include "tests/services/store_fixture.h"

namespace throughline::testing {

// A token for each role (agency "<role>:test"), and one more for probation that ran out a year
// before `today`, under "expired"; and the registry that knows them all.
struct TestTokens {
  std::map<std::string, std::string> tokens;
  services::TokenRegistry registry;
};
inline TestTokens MakeTestTokens(const std::vector<std::string>& roles, events::Date today) {
  TestTokens out;
  std::string lines;
  for (const std::string& role : roles) {
    auto t = services::MakeToken(role, role + ":test", std::nullopt);
    REQUIRE(t.ok());
    out.tokens[role] = t->token;
    lines += t->line + "\n";
  }
  auto expired = services::MakeToken("probation", "probation:old", events::Date{today.days - 365});
  REQUIRE(expired.ok());
  out.tokens["expired"] = expired->token;
  lines += expired->line + "\n";
  auto registry = services::TokenRegistry::Parse(lines, "test");
  REQUIRE(registry.ok());
  out.registry = std::move(*registry);
  return out;
}

// The n-th arrest, of the person with TestPnc(person).
inline std::string TestArrest(int n, int person) {
  return Envelope(fmt::format("a{}", n), "arrest.recorded",
                  fmt::format("2022-01-01T{:02}:{:02}:{:02}Z", n / 3600, n / 60 % 60, n % 60),
                  R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])",
                  fmt::format(R"({{"pnc":"{}"}})", TestPnc(person)));
}

class ServerFixture {
 public:
  explicit ServerFixture(services::HttpServerOptions options = {},
                         const std::vector<std::string>& roles = {"probation", "housing",
                                                                  "auditor"}) {
    audit_ = std::make_unique<services::AuditLog>(&store_.store());
    tokens_ = MakeTestTokens(roles, events::DateOf(store_.clock().Now()));
    services::ReadModels models;
    models.store = &store_.store();
    models.tokens = &tokens_.registry;
    models.audit = audit_.get();
    models.clock = &store_.clock();
    models.metrics = [this] {
      std::string out;
      server_->WritePrometheus(&out);
      return out;
    };
    options.listen = "127.0.0.1:0";
    auto server = services::HttpServer::Start(options, models);
    REQUIRE(server.ok());
    server_ = std::move(*server);
  }

  // Appends arrests numbered [from, to) for persons n % persons, one batch, and tells the
  // server.
  void Publish(int from, int to, int persons = 3) {
    std::vector<std::string> batch;
    for (int n = from; n < to; ++n)
      batch.push_back(TestArrest(n, n % persons + 1));
    auto result = store_.Append(batch);
    REQUIRE(result.appended == static_cast<std::size_t>(to - from));
    server_->Committed(result.last_sequence);
  }

  services::Headers Auth(const std::string& role) const {
    return {{"Authorization", "Bearer " + tokens_.tokens.at(role)}};
  }
  const std::string& token(const std::string& role) const { return tokens_.tokens.at(role); }
  std::string address() const { return server_->address(); }
  services::HttpServer& server() { return *server_; }
  services::AuditLog& audit() { return *audit_; }
  // The audit records appended since it held `before` records.
  std::vector<services::AuditRecord> AuditedSince(std::uint64_t before) const {
    return audit_->Read(before + 1, 10'000);
  }

 private:
  StoreFixture store_;
  std::unique_ptr<services::AuditLog> audit_;
  TestTokens tokens_;
  std::unique_ptr<services::HttpServer> server_;
};

}  // namespace throughline::testing

#endif  // THROUGHLINE_TESTS_SERVICES_SERVER_FIXTURE_H_
