// `throughline replay` and `throughline admin` as investigators and operators run them.
//
// The crafted history (tests/data/replay_*.ndjson), imported in two steps:
//   known first (sequences 1-6): an arrest and a charge in March 2019, conviction and an 18-month
//     custodial sentence in April, received at CFI, released in December;
//   learned later (7-9): an arrest of June 2018 reported late, a MAPPA registration, and the
//     retraction of the charge ("recorded against the wrong person").

#include <chrono>
#include <csignal>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/calendar.h"
#include "services/http_client.h"
#include "tests/kafka_topic_reader.h"
#include "tests/test_support.h"

namespace throughline {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::string kBinary = THROUGHLINE_BINARY;
const std::string kPerson = "pnc:2012/0123456Y";

// Imports the history into `data`; the time between the two imports, as RFC 3339.
std::string ImportHistory(const std::string& data) {
  std::string out;
  REQUIRE(testing::Run(fmt::format("{} import --data {} {} 2>&1", kBinary, data,
                                   testing::SourcePath("tests/data/replay_known_first.ndjson")),
                       &out) == 0);
  REQUIRE(out.find("6 appended") != std::string::npos);
  std::this_thread::sleep_for(20ms);
  const auto between = std::chrono::system_clock::now();
  std::this_thread::sleep_for(20ms);
  REQUIRE(testing::Run(fmt::format("{} import --data {} {} 2>&1", kBinary, data,
                                   testing::SourcePath("tests/data/replay_learned_later.ndjson")),
                       &out) == 0);
  REQUIRE(out.find("3 appended") != std::string::npos);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(between.time_since_epoch()).count();
  return events::FormatTimestamp(events::Timestamp{ms});
}

// Runs `throughline replay ARGS` on `data`: its exit status, and stdout (stderr too on failure).
int Replay(const std::string& data, const std::string& args, std::string* out) {
  return testing::Run(
      fmt::format("{} replay --data {} --person {} {} 2>/dev/null", kBinary, data, kPerson, args),
      out);
}

// The text after its first line (the header, which names the knowledge asked for).
std::string Body(const std::string& text) { return text.substr(text.find('\n') + 1); }

std::vector<json::object> AuditRecords(const std::string& data) {
  std::string out;
  REQUIRE(testing::Run(fmt::format("{} audit --data {} 2>/dev/null", kBinary, data), &out) == 0);
  std::vector<json::object> records;
  std::size_t start = 0;
  for (auto end = out.find('\n'); end != std::string::npos; end = out.find('\n', start)) {
    records.push_back(json::parse(out.substr(start, end - start)).as_object());
    start = end + 1;
  }
  return records;
}

TEST_CASE("replay: as of, as known at, and what was learned, in text", "[e2e]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string between = ImportHistory(data);
  std::string out;

  SECTION("as it stood in June 2019, as known before the late news") {
    REQUIRE(Replay(data, "--as-of 2019-06-01 --as-known-at 6 --reason 'SCR 2026/04'", &out) == 0);
    INFO(out);
    CHECK(
        out.starts_with("Person 1: as of 2019-06-01T23:59:59.999Z, as known at log sequence 6 "
                        "(log position 9)\n"));
    CHECK(out.find("Reason       SCR 2026/04\n") != std::string::npos);
    CHECK(out.find("Identifiers  pnc 2012/0123456Y · noms A1234BC\n") != std::string::npos);
    CHECK(out.find("Stage        in_custody (sentenced) at CFI since 2019-04-08 16:20\n") !=
          std::string::npos);
    CHECK(out.find("arrests 1 · charges 1 ·") != std::string::npos);
    CHECK(out.find("convictions 1 · custodial_sentences 1") != std::string::npos);
    CHECK(out.find("Sentence     immediate_custody P18M imposed 2019-04-08, expected release "
                   "2019-12-20\n") != std::string::npos);
    // Nothing known of MAPPA then, the release was months away (not overdue), and the lanes
    // hold the five events up to June.
    CHECK(out.find("MAPPA") == std::string::npos);
    CHECK(out.find("Alerts") == std::string::npos);
    CHECK(out.find("\nPolice (2)\n") != std::string::npos);
    CHECK(out.find("\nCourts (2)\n") != std::string::npos);
    CHECK(out.find("\nCustody (1)\n") != std::string::npos);
    CHECK(out.find("custody.released") == std::string::npos);
    CHECK(out.find("[retracted]") == std::string::npos);

    // Knowledge by time is knowledge by sequence: the moment between the two imports knew 1-6.
    std::string by_time;
    REQUIRE(Replay(data, "--as-of 2019-06-01 --as-known-at " + between + " --reason 'SCR 2026/04'",
                   &by_time) == 0);
    CHECK(by_time.find("as known at " + between) != std::string::npos);
    CHECK(Body(by_time) == Body(out));
  }
  SECTION("as it stands now, as known now") {
    REQUIRE(Replay(data, "--reason 'SCR 2026/04'", &out) == 0);
    INFO(out);
    CHECK(out.starts_with("Person 1: now, as known now (log position 9)\n"));
    CHECK(out.find("Stage        post_sentence\n") != std::string::npos);
    CHECK(out.find("arrests 2 · charges 0 ·") != std::string::npos);
    CHECK(out.find("charge-to-conviction") == std::string::npos);  // no charge left to convert
    CHECK(out.find("MAPPA        category 2, level 2, Dyfed-Powys\n") != std::string::npos);
    CHECK(out.find("mappa_release (mappa:Dyfed-Powys)") != std::string::npos);
    CHECK(out.find("\nPolice (3)\n") != std::string::npos);
    CHECK(std::regex_search(out, std::regex("charge\\.recorded .*#2  \\[retracted\\]\n")));
    CHECK(std::regex_search(out, std::regex("2018-06-01 21:05  arrest\\.recorded .*#7\n")));
  }
  SECTION("--diff: what was learned between sequence 6 and now") {
    REQUIRE(Replay(data, "--as-known-at 6 --diff 9 --reason 'SCR 2026/04'", &out) == 0);
    INFO(out);
    CHECK(
        out.starts_with("Person 1: what was learned between\n  as known at log sequence 6\n"
                        "and\n  as known at log sequence 9\n"));
    CHECK(out.find("Learned (3)\n") != std::string::npos);
    CHECK(std::regex_search(out, std::regex("2018-06-01 21:05  arrest\\.recorded .*#7  \\(appended "
                                            "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\)\n")));
    CHECK(out.find("mappa.registered") != std::string::npos);
    CHECK(out.find("Retracted (1)\n") != std::string::npos);
    CHECK(std::regex_search(out, std::regex("Retracted \\(1\\)\n.*charge\\.recorded .*#2")));
    CHECK(out.find("Changed (4)\n") != std::string::npos);
    CHECK(std::regex_search(out, std::regex("counts\\.arrests +1 -> 2\n")));
    CHECK(std::regex_search(out, std::regex("counts\\.charges +1 -> 0\n")));
    CHECK(std::regex_search(out, std::regex("mappa\\.level +- -> 2\n")));
    CHECK(std::regex_search(out, std::regex("charge_to_conviction_rate +1 -> -\n")));
  }
  SECTION("without a reason, or with --diff alone, nothing is shown and nothing audited") {
    CHECK(testing::Run(fmt::format("{} replay --data {} --person {} 2>&1", kBinary, data, kPerson),
                       &out) == 2);
    CHECK(out.find("--reason: why") != std::string::npos);
    CHECK(testing::Run(fmt::format("{} replay --data {} --person {} --diff 9 --reason x 2>&1",
                                   kBinary, data, kPerson),
                       &out) == 2);
    CHECK(out.find("--diff compares --as-known-at with it") != std::string::npos);
    CHECK(testing::Run(fmt::format("{} replay --data {} --person pnc:2011/0000001Z --reason x 2>&1",
                                   kBinary, data),
                       &out) != 0);
    CHECK(AuditRecords(data).empty());
  }
}

TEST_CASE("replay in JSON, and every replay audited with its reason", "[e2e]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  ImportHistory(data);
  std::string out;

  REQUIRE(Replay(data, "--as-of 2019-06-01 --as-known-at 6 --reason 'SCR 2026/04' --format json",
                 &out) == 0);
  const json::object then = json::parse(out).as_object();
  CHECK(then.at("as_known_at_sequence") == 6);
  CHECK(then.at("log_position") == 9);
  CHECK(then.at("view").at("stage") == "in_custody");
  CHECK(then.at("view").at("custody").at("prison") == "CFI");
  CHECK(then.at("view").at("counts").at("arrests") == 1);
  CHECK(then.at("view").at("counts").at("charges") == 1);
  CHECK(then.at("alerts").as_array().empty());
  CHECK(then.at("timeline").as_array().size() == 5);

  REQUIRE(Replay(data, "--as-known-at 6 --diff 9 --reason 'SCR 2026/04' --format json", &out) == 0);
  const json::object diff = json::parse(out).as_object();
  std::set<std::string> learned;
  for (const auto& e : diff.at("learned").as_array())
    learned.insert(std::string(e.at("event").at("id").as_string()));
  CHECK(learned ==
        std::set<std::string>{"scr-07-late-arrest", "scr-08-mappa", "scr-09-retraction"});
  REQUIRE(diff.at("retracted").as_array().size() == 1);
  CHECK(diff.at("retracted").at(0).at("event").at("id") == "scr-02-charge");
  CHECK(diff.at("changed").at("counts.arrests") == json::array{"1", "2"});
  CHECK(diff.at("changed").at("mappa.level") == json::array{"-", "2"});
  CHECK(diff.at("before").at("as_known_at_sequence") == 6);
  CHECK(diff.at("after").at("as_known_at_sequence") == 9);

  // One audit record per reading of the record: the replay, and the two sides of the diff.
  const auto audit = AuditRecords(data);
  REQUIRE(audit.size() == 3);
  for (const auto& r : audit) {
    INFO(json::serialize(r));
    CHECK(r.at("action") == "replay");
    CHECK(r.at("role") == "command-line");
    CHECK(r.at("person") == 1);
    CHECK(r.at("target") == kPerson.c_str());
    CHECK(r.at("reason") == "SCR 2026/04");
  }
  CHECK(audit[0].at("as_of") == "2019-06-01T23:59:59.999Z");
  CHECK(audit[0].at("as_known_at") == "6");
  CHECK(audit[1].at("as_known_at") == "6");
  CHECK(audit[2].at("as_known_at") == "9");
  std::string chain;
  REQUIRE(testing::Run(fmt::format("{} audit --data {} --verify 2>&1", kBinary, data), &chain) ==
          0);
  CHECK(chain.find("the hash chain is whole") != std::string::npos);
}

TEST_CASE("replay through a running engine's API, audited there, and --to-topic", "[e2e]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  ImportHistory(data);
  std::string offline;
  REQUIRE(Replay(data, "--as-of 2019-06-01 --as-known-at 6 --reason 'SCR 2026/04'", &offline) == 0);
  const std::string investigator = testing::MakeToken(data, "investigator", "ipcc:reviews");
  const std::string housing = testing::MakeToken(data, "housing", "housing:Cardiff");
  const std::string auditor = testing::MakeToken(data, "auditor", "ig:wales");
  testing::ChildProcess engine({kBinary, "serve", "--data", data, "--listen", "127.0.0.1:0"},
                               dir.path() + "/serve.log");
  const std::string address = testing::WaitForEngine(data);
  std::string out;

  // The engine holds the directory: the offline replay says how to go through it instead.
  CHECK(testing::Run(
            fmt::format("{} replay --data {} --person {} --reason x 2>&1", kBinary, data, kPerson),
            &out) == 2);
  CHECK(out.find("replay through it, with --api http://") != std::string::npos);

  const std::string api =
      fmt::format("{} replay --api http://{} --person {} ", kBinary, address, kPerson);
  REQUIRE(testing::Run(api +
                           "--as-of 2019-06-01 --as-known-at 6 --reason 'SCR 2026/04: é & ?' "
                           "--token " +
                           investigator + " 2>&1",
                       &out) == 0);
  CHECK(out.find("Reason       SCR 2026/04: é & ?\n") != std::string::npos);
  CHECK(Body(Body(out)) == Body(Body(offline)));  // past the header and the reason
  // The token from the environment; a role that may not replay is refused, and says so.
  REQUIRE(testing::Run("THROUGHLINE_TOKEN=" + investigator + " " + api +
                           "--as-known-at 6 --diff 9 --reason diff --format json 2>&1",
                       &out) == 0);
  CHECK(json::parse(out).at("learned").as_array().size() == 3);
  CHECK(testing::Run(api + "--as-of 2019-06-01 --reason x --token " + housing + " 2>&1", &out) ==
        2);
  CHECK(out.find("the API answered 403") != std::string::npos);

  // The engine audited each of them, with its reason, under the investigator's token.
  const auto r =
      services::HttpGet(address, "/v1/audit?limit=100", {{"Authorization", "Bearer " + auditor}});
  REQUIRE(r.status == 200);
  const json::array records = json::parse(r.body).at("records").as_array();
  std::vector<std::string> reasons;
  for (const auto& rec : records) {
    if (rec.at("agency") == "ipcc:reviews" && rec.at("action") == "replay")
      reasons.emplace_back(rec.at("reason").as_string());
  }
  CHECK(reasons == std::vector<std::string>{"SCR 2026/04: é & ?", "diff", "diff"});

  // Re-publishing records 2 to 5 of the log, as published, for a downstream system.
  REQUIRE(testing::Run(fmt::format("{} replay --data {} --to-topic downstream.rebuild --from-seq 2 "
                                   "--to-seq 5 --rate 1000 2>&1",
                                   kBinary, data),
                       &out) == 0);
  INFO(out);
  CHECK(out.find("republished records 2 to 5 (4 events) to downstream.rebuild") !=
        std::string::npos);
  const std::string bootstrap = testing::ReadFirstLine(data + "/kafka.bootstrap");
  const auto messages = testing::ReadTopic(bootstrap, "downstream.rebuild", 5, 10s);
  std::set<std::string> ids;
  for (const auto& m : messages)
    ids.insert(std::string(json::parse(m.value).at("id").as_string()));
  CHECK(ids == std::set<std::string>{"scr-02-charge", "scr-03-conviction", "scr-04-sentence",
                                     "scr-05-received"});
  CHECK(testing::Run(fmt::format("{} replay --data {} --to-topic x --from-seq 8 --to-seq 20 2>&1",
                                 kBinary, data),
                     &out) == 0);  // the end is cut to the log's
  CHECK(testing::Run(
            fmt::format("{} replay --data {} --to-topic x --from-seq 10 2>&1", kBinary, data),
            &out) == 2);
  CHECK(out.find("the log holds 1 to 9") != std::string::npos);
  engine.Signal(SIGTERM);
  CHECK(engine.Wait() == 0);
}

TEST_CASE(
    "serve: a token issued while it runs works, and one deleted from the file is refused, "
    "without a restart",
    "[e2e]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string first = testing::MakeToken(data, "probation", "probation:Gwent");
  testing::ChildProcess engine({kBinary, "serve", "--data", data, "--listen", "127.0.0.1:0"},
                               dir.path() + "/serve.log");
  const std::string address = testing::WaitForEngine(data);
  auto me = [&](const std::string& token) {
    return services::HttpGet(address, "/v1/me", {{"Authorization", "Bearer " + token}}).status;
  };
  CHECK(me(first) == 200);

  const std::string second = testing::MakeToken(data, "prison", "prison:CFI");
  testing::WaitFor([&] { return me(second) == 200; }, 5s, "the token issued meanwhile to work");
  CHECK(me(first) == 200);

  // Revoked: its line deleted, as the docs say.
  const std::string id = first.substr(0, first.find('.'));
  std::string kept;
  for (const std::string& line : testing::ReadLines(data + "/tokens")) {
    if (!line.starts_with(id))
      kept += line + "\n";
  }
  REQUIRE(kept.find(id) == std::string::npos);
  std::ofstream(data + "/tokens", std::ios::trunc) << kept;
  testing::WaitFor([&] { return me(first) == 401; }, 5s, "the deleted token to be refused");
  CHECK(me(second) == 200);
  CHECK(testing::ReadFile(dir.path() + "/serve.log").find("tokens.reloaded") != std::string::npos);
  engine.Signal(SIGTERM);
  CHECK(engine.Wait() == 0);
}

TEST_CASE("admin: a backup while ingesting restores to a store that verifies", "[e2e]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string log = dir.path() + "/processes.log";
  INFO("process output: " << log);
  const std::string operator_token = testing::MakeToken(data, "operator", "ops:wales");
  const std::string probation = testing::MakeToken(data, "probation", "probation:Gwent");
  testing::ChildProcess engine({kBinary, "serve", "--data", data, "--listen", "127.0.0.1:0"}, log);
  testing::WaitForEngine(data);
  std::string out;

  // A region arriving through Kafka, and the backup taken while it does.
  testing::ChildProcess gen(
      {kBinary, "gen", "--persons", "2000", "--seed", "5", "--data", data, "--wait"},
      dir.path() + "/gen.log");
  testing::WaitFor(
      [&] {
        testing::Run(fmt::format("{} admin stats --data {} --json 2>/dev/null", kBinary, data),
                     &out);
        return !out.empty() && json::parse(out).at("events").to_number<std::int64_t>() > 5000;
      },
      60s, "ingest to pass 5,000 events");
  const std::string backup = dir.path() + "/backup";
  CHECK(testing::Run(fmt::format("{} admin backup {} --data {} 2>&1", kBinary, backup, data),
                     &out) == 2);
  CHECK(out.find("given --token of an operator") != std::string::npos);
  CHECK(testing::Run(fmt::format("{} admin backup {} --data {} --token {} 2>&1", kBinary, backup,
                                 data, probation),
                     &out) == 2);
  CHECK(out.find("403") != std::string::npos);
  REQUIRE(testing::Run(fmt::format("{} admin backup {} --data {} --token {} 2>&1", kBinary, backup,
                                   data, operator_token),
                       &out) == 0);
  INFO(out);
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex("\"log_position\":(\\d+)")));
  const std::uint64_t position = std::stoull(m[1]);
  CHECK(position > 5000);
  REQUIRE(gen.Wait() == 0);

  // Restored elsewhere: verify passes (chain, indexes, every view a fresh fold), and it holds
  // exactly the log up to the backup's position.
  const std::string restored = dir.path() + "/restored";
  REQUIRE(testing::Run(fmt::format("{} admin restore {} --data {} 2>&1", kBinary, backup, restored),
                       &out) == 0);
  CHECK(out.find("check it with throughline admin verify") != std::string::npos);
  REQUIRE(testing::Run(fmt::format("{} admin verify --data {} 2>&1", kBinary, restored), &out) ==
          0);
  CHECK(out.find("verify: OK") != std::string::npos);
  CHECK(out.find(fmt::format("{} records", position)) != std::string::npos);
  REQUIRE(
      testing::Run(fmt::format("{} admin stats --data {} --json 2>/dev/null", kBinary, restored),
                   &out) == 0);
  CHECK(json::parse(out).at("events").to_number<std::uint64_t>() == position);
  // A restore never overwrites a store.
  CHECK(testing::Run(fmt::format("{} admin restore {} --data {} 2>&1", kBinary, backup, restored),
                     &out) == 2);
  CHECK(out.find("holds a store already") != std::string::npos);

  // The engine's own store: stats and compact while it runs, then verify once it stopped.
  REQUIRE(testing::Run(fmt::format("{} admin stats --data {} 2>&1", kBinary, data), &out) == 0);
  CHECK(std::regex_search(out, std::regex("persons +[0-9,]+ ")));
  CHECK(std::regex_search(out, std::regex("consumer lag +0\n")));
  CHECK(out.find("worth a look    id:") != std::string::npos);
  REQUIRE(testing::Run(fmt::format("{} admin compact --data {} --token {} 2>&1", kBinary, data,
                                   operator_token),
                       &out) == 0);
  CHECK(out.find("\"compacted\":true") != std::string::npos);
  engine.Signal(SIGTERM);
  REQUIRE(engine.Wait() == 0);
  REQUIRE(testing::Run(fmt::format("{} admin verify --data {} 2>&1", kBinary, data), &out) == 0);
  CHECK(out.find("verify: OK") != std::string::npos);
  // Offline, the command makes the backup itself.
  REQUIRE(testing::Run(
              fmt::format("{} admin backup {}/offline --data {} 2>&1", kBinary, dir.path(), data),
              &out) == 0);
  CHECK(out.find("backed up") != std::string::npos);
  // Ingest went on past the backup: the copy was taken while it ran.
  REQUIRE(testing::Run(fmt::format("{} admin stats --data {} --json 2>/dev/null", kBinary, data),
                       &out) == 0);
  CHECK(json::parse(out).at("events").to_number<std::uint64_t>() > position);
  // And the restored directory kept the tokens: an engine on it lets the same people in.
  CHECK(testing::ReadFile(restored + "/tokens") == testing::ReadFile(data + "/tokens"));
}

}  // namespace
}  // namespace throughline
