// The API as a function (services/api_router.h): each endpoint, need to know for each kind of
// role, refusals that reveal nothing, and the audit record of every request. On a real store;
// the transport is tested in http_server_test.cc.

#include "services/api_router.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "services/audit_log.h"
#include "tests/services/server_fixture.h"

namespace throughline::services {
namespace {

namespace json = boost::json;
using testing::Envelope;

const char kPnc[] = R"({"pnc":"2015/0100001Z","noms":"A1234BC"})";

// A person in HMP Cardiff, under MAPPA, linked to an OCG, with a safeguarding concern, an open
// mental health referral and an open accommodation one; and the tokens of several roles.
class ApiFixture {
 public:
  ApiFixture() {
    store_.Append({
        Envelope("a1", "arrest.recorded", "2022-03-04T10:00:00Z",
                 R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])", kPnc),
        Envelope("c1", "charge.recorded", "2022-03-04T18:00:00Z",
                 R"("charge_id":"GW-1-1","case_id":"GW-1","offence":{"code":"TH68001"})", kPnc),
        Envelope("o1", "intelligence.ocg_linked", "2022-03-05T12:00:00Z",
                 R"("ocg_ref":"GW-OCG-7","role":"Runner")", kPnc),
        Envelope("s1", "safeguarding.concern_raised", "2022-03-06T12:00:00Z",
                 R"("kind":"county_lines","raised_by":"Newport City Council")", kPnc),
        Envelope("m1", "mappa.registered", "2022-03-07T12:00:00Z",
                 R"("category":2,"level":2,"area":"Gwent")", kPnc),
        Envelope("i1", "intervention.referred", "2022-03-08T12:00:00Z",
                 R"("referral_id":"MH-1","kind":"mental_health")", kPnc),
        Envelope("i2", "intervention.referred", "2022-03-08T13:00:00Z",
                 R"("referral_id":"AC-1","kind":"accommodation")", kPnc),
        Envelope("r1", "custody.received", "2022-03-09T16:00:00Z",
                 R"("prison":"CFI","basis":"remand")", kPnc),
    });
    audit_ = std::make_unique<AuditLog>(&store_.store());
    tokens_ = testing::MakeTestTokens({"probation", "housing", "health", "auditor", "police"},
                                      events::DateOf(store_.clock().Now()));
    models_.store = &store_.store();
    models_.tokens = &tokens_.registry;
    models_.audit = audit_.get();
    models_.clock = &store_.clock();
  }

  HttpResponse Get(const std::string& target, const std::string& role = "",
                   const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    HttpRequest request;
    request.target = target;
    if (!role.empty())
      request.headers["authorization"] = "Bearer " + tokens_.tokens.at(role);
    for (const auto& [name, value] : headers)
      request.headers[name] = value;
    return Route(request, models_);
  }

  json::value Body(const HttpResponse& r) {
    INFO(r.body);
    json::value v;
    REQUIRE_NOTHROW(v = json::parse(r.body));
    return v;
  }

  std::vector<AuditRecord> Audited() { return audit_->Read(1, 1000); }
  testing::StoreFixture& store() { return store_; }
  ReadModels& models() { return models_; }

 private:
  testing::StoreFixture store_;
  std::unique_ptr<AuditLog> audit_;
  testing::TestTokens tokens_;
  ReadModels models_;
};

bool Has(const json::value& v, std::initializer_list<std::string_view> path) {
  const json::value* at = &v;
  for (std::string_view key : path) {
    if (!at->is_object() || !at->as_object().contains(key))
      return false;
    at = &at->as_object().at(key);
  }
  return true;
}

TEST_CASE("No token, a wrong one or an expired one: 401, audited, nothing revealed",
          "[integration]") {
  ApiFixture f;
  const std::string target = GENERATE(as<std::string>{}, "/v1/persons/pnc:2015%2F0100001Z",
                                      "/v1/persons/pnc:2015%2F0100009H", "/v1/cohorts/iom");
  for (const auto& [role, why] : std::vector<std::pair<std::string, std::string>>{
           {"", "a bearer token is required"}, {"expired", "expired"}}) {
    auto r = f.Get(target, role);
    CHECK(r.status == 401);
    CHECK(f.Body(r).at("error").at("code") == "unauthenticated");
    CHECK(r.body.find(why) != std::string::npos);
    CHECK(r.body.find("2015") == std::string::npos);
  }
  HttpRequest wrong;
  wrong.target = target;
  wrong.headers["authorization"] = "Bearer 00000000.0000";
  auto r = Route(wrong, f.models());
  CHECK(r.status == 401);
  CHECK(std::any_of(r.headers.begin(), r.headers.end(),
                    [](const auto& h) { return h.first == "WWW-Authenticate"; }));
  // Whether the person exists or not, the answer is the same.
  wrong.target = "/v1/persons/pnc:2015%2F0100009H";
  CHECK(Route(wrong, f.models()).body == r.body);
  const auto audited = f.Audited();
  REQUIRE(audited.size() == 4);
  for (const auto& a : audited) {
    CHECK(a.status == 401);
    CHECK(a.token_id.empty());
  }
}

TEST_CASE("Each role sees its classes of a person's view and nothing else", "[integration]") {
  ApiFixture f;
  const std::string person = "/v1/persons/noms:A1234BC";

  SECTION("probation: everything") {
    auto v = f.Body(f.Get(person, "probation"));
    CHECK(v.at("view").at("counts").at("arrests") == 1);
    CHECK(v.at("view").at("flags").at("ocg_linked") == true);
    CHECK(v.at("view").at("flags").at("safeguarding").as_array().size() == 1);
    CHECK(v.at("view").at("mappa").at("level") == 2);
    CHECK(v.at("view").at("interventions").as_array().size() == 2);
    CHECK(v.at("view").at("custody").at("prison") == "CFI");
    CHECK(v.at("alerts").as_array().size() == 1);  // a MAPPA, OCG-linked person received
  }
  SECTION("housing: status, location and open interventions; no offences") {
    auto v = f.Body(f.Get(person, "housing"));
    CHECK(v.at("view").at("custody").at("prison") == "CFI");
    CHECK(v.at("view").at("stage") == "in_custody");
    CHECK_FALSE(Has(v, {"view", "counts"}));
    CHECK_FALSE(Has(v, {"view", "charge_to_conviction_rate"}));
    CHECK_FALSE(Has(v, {"view", "open_charges"}));
    // Who manages the person, and how, is general (the catalogue's class of MAPPA events).
    CHECK(v.at("view").at("mappa").at("level") == 2);
    CHECK_FALSE(Has(v, {"view", "flags", "ocg_linked"}));
    CHECK_FALSE(Has(v, {"view", "flags", "safeguarding"}));
    // How many events there are, and when the last was, would tell of the hidden ones.
    CHECK_FALSE(Has(v, {"view", "events"}));
    CHECK_FALSE(Has(v, {"view", "last_event"}));
    const auto& interventions = v.at("view").at("interventions").as_array();
    REQUIRE(interventions.size() == 1);
    CHECK(interventions[0].at("kind") == "accommodation");
    CHECK(v.at("alerts").as_array().empty());
  }
  SECTION("health: the mental health referral, no offences, no intelligence") {
    auto v = f.Body(f.Get(person, "health"));
    CHECK(v.at("view").at("interventions").as_array().size() == 2);
    CHECK_FALSE(Has(v, {"view", "counts"}));
    CHECK_FALSE(Has(v, {"view", "flags", "ocg_linked"}));
  }
  SECTION("police: intelligence and offences, no health") {
    auto v = f.Body(f.Get(person + "/timeline", "police"));
    CHECK(v.at("view").at("flags").at("ocg_linked") == true);
    CHECK(v.at("view").at("interventions").as_array().size() == 1);
    std::vector<std::string> types;
    for (const auto& e : v.at("timeline").as_array())
      types.emplace_back(e.at("event").at("type").as_string());
    CHECK(std::count(types.begin(), types.end(), "intervention.referred") == 1);
    CHECK(std::count(types.begin(), types.end(), "intelligence.ocg_linked") == 1);
    CHECK(types.size() == 7);
  }
  SECTION("the auditor: no records at all") {
    auto r = f.Get(person, "auditor");
    CHECK(r.status == 403);
    CHECK(f.Body(r).at("error").at("code") == "forbidden");
  }
}

TEST_CASE("A replay needs a role that may replay and a reason, both audited", "[integration]") {
  ApiFixture f;
  const std::string target = "/v1/persons/id:1/timeline?as_of=2022-03-05&as_known_at=3";
  CHECK(f.Get(target, "housing").status == 403);
  auto missing = f.Get(target, "probation");
  CHECK(missing.status == 400);
  CHECK(f.Body(missing).at("error").at("path") == "X-Reason");
  auto r = f.Get(target, "probation", {{"x-reason", "SCR%202026%2F04"}});  // as a browser sends
  REQUIRE(r.status == 200);
  auto v = f.Body(r);
  CHECK(v.at("as_of") == "2022-03-05T23:59:59.999Z");
  CHECK(v.at("as_known_at_sequence") == 3);
  CHECK(v.at("view").at("counts").at("arrests") == 1);
  CHECK(v.at("view").at("counts").at("charges") == 1);
  CHECK(v.at("timeline").as_array().size() == 3);  // a1, c1, o1: known by 3, happened by the 5th
  CHECK(f.Get("/v1/persons/id:1/timeline?as_of=04%2F03%2F2019", "probation", {{"x-reason", "x"}})
            .status == 400);

  const auto audited = f.Audited();
  REQUIRE(audited.size() == 4);
  CHECK(audited[0].status == 403);
  CHECK(audited[0].role == "housing");
  CHECK(audited[1].status == 400);
  CHECK(audited[2].action == "replay");
  CHECK(audited[2].reason == "SCR 2026/04");
  CHECK(audited[2].person == 1);
  CHECK(audited[2].as_known_at == "3");
  REQUIRE(audited[2].as_of);
  CHECK(events::FormatTimestamp(*audited[2].as_of) == "2022-03-05T23:59:59.999Z");
}

TEST_CASE("/v1/me says what the token may see and do", "[integration]") {
  ApiFixture f;
  auto housing = f.Body(f.Get("/v1/me", "housing"));
  CHECK(housing.at("role") == "housing");
  CHECK(housing.at("agency") == "housing:test");
  CHECK(housing.at("classes").as_array().size() == 1);
  CHECK(housing.at("replay") == false);
  auto probation = f.Body(f.Get("/v1/me", "probation"));
  CHECK(probation.at("classes").as_array().size() == std::size(kDataClasses));
  CHECK(probation.at("replay") == true);
  CHECK(f.Get("/v1/me").status == 401);
}

TEST_CASE("Persons that are not there, and requests that are not right", "[integration]") {
  ApiFixture f;
  auto unknown = f.Get("/v1/persons/pnc:2015%2F0100009H", "probation");
  CHECK(unknown.status == 404);
  auto bad = f.Get("/v1/persons/pnc:1234", "probation");
  CHECK(bad.status == 400);
  CHECK(f.Body(bad).at("error").at("path") == "person");
  CHECK(f.Get("/v1/persons/../../etc/passwd", "probation").status == 400);
  CHECK(f.Get("/v1/persons/id%00:1", "probation").status == 400);
  CHECK(f.Get("/v1/nothing", "probation").status == 404);
  CHECK(f.Get("/v1/alerts?limit=0", "probation").status == 400);
  CHECK(f.Get("/v1/alerts?limit=1&limit=2", "probation").status == 400);
  HttpRequest post;
  post.method = "POST";
  post.target = "/v1/alerts";
  CHECK(Route(post, f.models()).status == 405);
}

TEST_CASE("Cohorts, alerts and the log, to each as far as they may see", "[integration]") {
  ApiFixture f;
  auto roll = f.Body(f.Get("/v1/cohorts/prisons/cfi", "probation"));
  REQUIRE(roll.at("persons").as_array().size() == 1);
  CHECK(roll.at("persons").at(0).at("mappa").at("level") == 2);
  CHECK(roll.at("persons").at(0).at("flags").at("ocg_linked") == true);
  auto housing_roll = f.Body(f.Get("/v1/cohorts/prisons/CFI", "housing"));
  REQUIRE(housing_roll.at("persons").as_array().size() == 1);
  CHECK_FALSE(housing_roll.at("persons").at(0).at("flags").as_object().contains("ocg_linked"));
  CHECK(f.Get("/v1/cohorts/mappa", "housing").status == 200);
  CHECK(f.Get("/v1/cohorts/mappa", "auditor").status == 403);
  CHECK(f.Body(f.Get("/v1/cohorts/mappa?level=2", "probation")).at("persons").as_array().size() ==
        1);
  CHECK(f.Get("/v1/cohorts/mappa?level=7", "probation").status == 400);
  CHECK(f.Get("/v1/cohorts/prisons/C1", "probation").status == 400);

  auto alerts = f.Body(f.Get("/v1/alerts?agency=prison:CFI", "probation"));
  REQUIRE(alerts.at("alerts").as_array().size() == 1);
  CHECK(alerts.at("alerts").at(0).at("rule") == "flagged_person_received");
  // A second alert, later: newest first, and before a time.
  f.store().Append({Envelope("rel", "custody.released", "2022-06-01T10:00:00Z",
                             R"("prison":"CFI","reason":"licence")", kPnc)});
  auto newest = f.Body(f.Get("/v1/alerts?order=newest&limit=1", "probation"));
  REQUIRE(newest.at("alerts").as_array().size() == 1);
  CHECK(newest.at("alerts").at(0).at("event_time") == "2022-06-01T10:00:00Z");
  auto before = f.Body(f.Get("/v1/alerts?order=newest&before=2022-06-01", "probation"));
  REQUIRE(before.at("alerts").as_array().size() == 1);
  CHECK(before.at("alerts").at(0).at("rule") == "flagged_person_received");
  CHECK(f.Get("/v1/alerts?order=sideways", "probation").status == 400);
  // Housing sees the release (a MAPPA release, no licence yet), not why the person was
  // flagged when received (an OCG link among the reasons).
  auto housing = f.Body(f.Get("/v1/alerts", "housing"));
  std::set<std::string> rules;
  for (const auto& a : housing.at("alerts").as_array())
    rules.insert(std::string(a.at("rule").as_string()));
  CHECK(rules == std::set<std::string>{"mappa_release", "no_licence_after_release"});

  auto log = f.Body(f.Get("/v1/events?from_seq=2&limit=4", "housing"));
  const auto& entries = log.at("events").as_array();
  REQUIRE(entries.size() == 4);
  CHECK(log.at("next_seq") == 6);
  CHECK(entries[0].at("sequence") == 2);
  CHECK(entries[0].at("redacted") == true);                        // a charge
  CHECK(entries[1].at("redacted") == true);                        // an OCG link
  CHECK(entries[2].at("redacted") == true);                        // a safeguarding concern
  CHECK(entries[3].at("event").at("type") == "mappa.registered");  // general
  auto later = f.Body(f.Get("/v1/events?from_seq=7", "housing"));
  CHECK(later.at("events").at(0).at("event").at("type") == "intervention.referred");
}

TEST_CASE("min_seq defers a read until the views reach it", "[integration]") {
  ApiFixture f;
  auto now = f.Get("/v1/alerts?min_seq=8", "probation");
  CHECK(now.status == 200);
  CHECK_FALSE(now.wait_for_sequence);
  auto later = f.Get("/v1/alerts?min_seq=9", "probation");
  REQUIRE(later.wait_for_sequence);
  CHECK(*later.wait_for_sequence == 9);
}

TEST_CASE("Health, readiness, metrics and the dashboard need no token", "[integration]") {
  ApiFixture f;
  CHECK(f.Get("/healthz").status == 200);
  f.models().readiness = [] { return Readiness{false, {"catching up"}}; };
  auto ready = f.Get("/readyz");
  CHECK(ready.status == 503);
  CHECK(f.Body(ready).at("reasons").at(0) == "catching up");
  f.models().metrics = [] { return std::string("throughline_x 1\n"); };
  CHECK(f.Get("/metrics").body == "throughline_x 1\n");
  auto page = f.Get("/");
  CHECK(page.status == 200);
  CHECK(page.content_type.starts_with("text/html"));
  CHECK(f.Get("/static/app.js").content_type.starts_with("text/javascript"));
  CHECK(f.Get("/static/nothing.js").status == 404);
  CHECK(f.Audited().empty());
}

TEST_CASE("The audit log is a hash chain, read by auditors", "[integration]") {
  ApiFixture f;
  f.Get("/v1/persons/id:1", "probation");
  f.Get("/v1/persons/id:1", "housing");
  auto trail = f.Body(f.Get("/v1/audit?person=1", "auditor"));
  const auto& records = trail.at("records").as_array();
  REQUIRE(records.size() == 2);
  CHECK(records[0].at("role") == "probation");
  CHECK(records[1].at("agency") == "housing:test");
  CHECK(records[1].at("action") == "view");
  CHECK(f.Get("/v1/audit", "probation").status == 403);
  std::uint64_t read = 0;
  CHECK_FALSE(VerifyAuditChain(f.store().store(), &read));
  CHECK(read == 4);  // two views, the auditor's read, the refused one
}

}  // namespace
}  // namespace throughline::services
