// The throughline binary as a user runs it.

#include <chrono>
#include <filesystem>
#include <memory>
#include <numeric>
#include <regex>
#include <set>
#include <signal.h>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "services/event_store.h"
#include "services/store_keys.h"
#include "tests/small_disk.h"
#include "tests/test_support.h"

namespace throughline {
namespace {

std::string Binary() { return THROUGHLINE_BINARY; }

// For an import on a full disk: a 64 MiB disk mounted at DIR/disk for the data, and the events
// of 1,500 generated people beside it (not on it). `disk` is null, with a warning, when this
// process may not mount.
struct SmallDiskImport {
  SmallDiskImport() {
    std::string why_not;
    disk = testing::SmallDisk::Mount(dir.path() + "/disk", 64, &why_not);
    if (!disk) {
      WARN("skipped: " << why_not);
      return;
    }
    std::string out;
    REQUIRE(testing::Run(Binary() + " gen --persons 1500 --duplicates 0 --out " + events + " 2>&1",
                         &out) == 0);
  }
  testing::TempDir dir;
  const std::string data = dir.path() + "/disk/data";
  const std::string events = dir.path() + "/events.ndjson";
  std::unique_ptr<testing::SmallDisk> disk;
};

TEST_CASE("validate: the valid samples are all valid, exit 0", "[e2e]") {
  std::string out;
  int status = testing::Run(
      Binary() + " validate " + testing::SourcePath("tests/data/valid_events.ndjson"), &out);
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find(std::to_string(testing::ValidSamples().size()) +
                 " valid (0 flagged), 0 invalid") != std::string::npos);
}

TEST_CASE("validate: each bad message is reported on its line with path and rule, exit 1",
          "[e2e]") {
  std::string out;
  int status = testing::Run(
      Binary() + " validate " + testing::SourcePath("tests/data/invalid_events.ndjson"), &out);
  INFO(out);
  CHECK(status == 1);
  const auto lines = testing::ReadLines(testing::SourcePath("tests/data/invalid_events.ndjson"));
  CHECK(out.find("0 valid (0 flagged), " + std::to_string(lines.size()) + " invalid") !=
        std::string::npos);
  for (const char* expected : {
           "line 1: not JSON",
           "line 2: message is 1048826 bytes, over the limit of 1048576 bytes [too_large]",
           "line 3: nested deeper than 32 levels [too_deep]",
           "line 4: not valid UTF-8 [invalid_utf8]",
           "line 6 id \"missing-person\": data.person: required",
           "line 7 id \"no-identifier\": data.person: no identifier",
           "line 13 id \"check-letter\": data.person.pnc: check letter is K, expected X "
           "[check_letter]",
           "line 16 id \"time-format\": time: not RFC 3339: \"04/03/2019\"",
           "line 18 id \"unknown-type\": type: unknown event type \"arest.recorded\" (did you mean "
           "\"arrest.recorded\"?) [unknown_type]",
       }) {
    CHECK(out.find(expected) != std::string::npos);
  }
}

TEST_CASE("validate reads standard input and prints normalised, upcast events", "[e2e]") {
  std::string out;
  int status = testing::Run("head -n 6 " + testing::SourcePath("tests/data/valid_events.ndjson") +
                                " | " + Binary() + " validate --print - 2>/dev/null",
                            &out);
  CHECK(status == 0);
  CHECK(std::count(out.begin(), out.end(), '\n') == 6);
  // Line 6 is a custody.received of dataversion 1: printed as dataversion 2.
  CHECK(out.find(R"("type":"custody.received","time":"2019-03-18T16:20:00Z","dataversion":2)") !=
        std::string::npos);
  CHECK(out.find(R"("prison":"CFI")") != std::string::npos);
  CHECK(out.find("establishment") == std::string::npos);
}

TEST_CASE("validate: a missing file is an error that says what to do", "[e2e]") {
  std::string out;
  int status = testing::Run(Binary() + " validate /no/such/file.ndjson 2>&1", &out);
  CHECK(status == 2);
  CHECK(out.find("cannot open /no/such/file.ndjson") != std::string::npos);
}

TEST_CASE("catalogue prints docs/events.md", "[e2e]") {
  std::string out;
  REQUIRE(testing::Run(Binary() + " catalogue", &out) == 0);
  CHECK(out == testing::ReadFile(testing::SourcePath("docs/events.md")));
}

TEST_CASE("import from standard input in small batches keeps the input's order", "[e2e]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string valid = testing::SourcePath("tests/data/valid_events.ndjson");
  const std::size_t samples = testing::ValidSamples().size();
  REQUIRE(samples > 6);
  std::string out;
  // Batches of 2: the lines are parsed on one thread and written on another, several batches
  // queued between them.
  REQUIRE(testing::Run(
              "cat " + valid + " | " + Binary() + " import --data " + data + " --batch 2 - 2>&1",
              &out) == 0);
  CHECK(out.find(fmt::format("{} lines in", samples)) != std::string::npos);
  CHECK(out.find(fmt::format("{} appended, 0 duplicates, 0 dead letters", samples)) !=
        std::string::npos);
  REQUIRE(testing::Run(Binary() + " log --data " + data, &out) == 0);
  std::vector<std::size_t> lines;
  for (std::size_t at = out.find(R"("import_line":)"); at != std::string::npos;
       at = out.find(R"("import_line":)", at + 1)) {
    lines.push_back(std::stoul(out.substr(at + std::string(R"("import_line":)").size())));
  }
  std::vector<std::size_t> expected(samples);
  std::iota(expected.begin(), expected.end(), 1);
  CHECK(lines == expected);
}

TEST_CASE(
    "import on a full disk says how many lines are stored: with room again the same import "
    "adds the rest with nothing lost or doubled",
    "[e2e]") {
  const SmallDiskImport small;
  if (!small.disk)
    return;
  std::string out;
  const std::size_t lines = testing::ReadLines(small.events).size();
  REQUIRE(lines > 20000);

  // Room for a few batches of 1,000 events, not for all of them.
  small.disk->Fill(6 << 20);
  const std::string import =
      Binary() + " import --data " + small.data + " --batch 1000 " + small.events;
  REQUIRE(testing::Run(import + " 2>&1", &out) == 1);
  INFO(out);
  std::smatch stored;
  REQUIRE(std::regex_search(out, stored,
                            std::regex(R"(the first (\d+) lines are stored and none after them)")));
  CHECK(out.find("run the import again") != std::string::npos);
  const std::size_t first = std::stoul(stored[1]);
  CHECK(first > 0);
  CHECK(first < lines);
  CHECK(first % 1000 == 0);

  small.disk->Free();
  REQUIRE(testing::Run(import + " 2>&1", &out) == 0);
  CHECK(out.find(fmt::format("{} appended, {} duplicates, 0 dead letters", lines - first, first)) !=
        std::string::npos);
  REQUIRE(testing::Run(Binary() + " admin verify --data " + small.data + " 2>&1", &out) == 0);
  REQUIRE(testing::Run(Binary() + " admin stats --data " + small.data + " 2>&1", &out) == 0);
  std::smatch count;
  REQUIRE(std::regex_search(out, count, std::regex(R"(events +([\d,]+))")));
  std::string digits = count[1];
  std::erase(digits, ',');
  CHECK(std::stoul(digits) == lines);
}

TEST_CASE(
    "import from standard input on a full disk ends at the failed write, not at the end of its "
    "input",
    "[e2e]") {
  const SmallDiskImport small;
  if (!small.disk)
    return;
  std::string out;
  // Room for less than a batch of 1,000 events. The feed gives two batches, so that the
  // reader has taken all of it and waits for more when the write fails, and then stays open
  // for two minutes, as a feed that is still running would: the import has to end on its own.
  small.disk->Fill(256 << 10);
  const std::string script = "exec 3< <(head -n 2000 " + small.events +
                             "; exec sleep 120); start=$(date +%s%N); " + Binary() +
                             " import --data " + small.data + " --batch 1000 - <&3 2>&1; " +
                             "rc=$?; took=$(( ($(date +%s%N) - start) / 1000000 )); kill $!; " +
                             "echo \"rc=$rc ms=$took\"";
  REQUIRE(testing::Run("bash -c '" + script + "'", &out) == 0);
  INFO(out);
  CHECK(out.find("the first ") != std::string::npos);
  CHECK(out.find("lines are stored and none after them") != std::string::npos);
  std::smatch ended;
  REQUIRE(std::regex_search(out, ended, std::regex(R"(rc=(\d+) ms=(\d+))")));
  CHECK(ended[1] == "1");
  CHECK(std::stoul(ended[2]) < 60'000);
}

TEST_CASE("import, log and verify on a data directory", "[e2e]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string valid = testing::SourcePath("tests/data/valid_events.ndjson");
  const std::string invalid = testing::SourcePath("tests/data/invalid_events.ndjson");
  std::string out;
  REQUIRE(testing::Run(Binary() + " import --data " + data + " " + valid + " 2>&1", &out) == 0);
  const std::size_t samples = testing::ValidSamples().size();
  CHECK(out.find(fmt::format("{} appended, 0 duplicates, 0 dead letters", samples)) !=
        std::string::npos);
  std::smatch views;
  REQUIRE(std::regex_search(out, views,
                            std::regex(R"(views: (\d+) updated in place, (\d+) folded afresh)")));
  CHECK(std::stoul(views[1]) + std::stoul(views[2]) > 0);
  // Again: every line is a duplicate, nothing is added and no view changes.
  REQUIRE(testing::Run(Binary() + " import --data " + data + " " + valid + " 2>&1", &out) == 0);
  CHECK(out.find(fmt::format("0 appended, {} duplicates", samples)) != std::string::npos);
  CHECK(out.find("views: 0 updated in place, 0 folded afresh") != std::string::npos);
  REQUIRE(testing::Run(Binary() + " import --data " + data + " " + invalid + " 2>/dev/null",
                       &out) == 0);

  SECTION("log prints every record, in sequence order") {
    REQUIRE(testing::Run(Binary() + " log --data " + data, &out) == 0);
    CHECK(std::count(out.begin(), out.end(), '\n') == static_cast<std::ptrdiff_t>(samples));
    CHECK(out.starts_with(R"({"sequence":1,)"));
    CHECK(out.find(R"("origin":{"import_line":1})") != std::string::npos);
  }
  SECTION("log --person follows a person's identifiers, in event time order") {
    REQUIRE(testing::Run(Binary() + " log --data " + data + " --person pnc:12/123456Y", &out) == 0);
    const auto first = out.find("out_of_court.disposal");  // 2018: the earliest
    const auto later = out.find("arrest.recorded");        // 2019
    CHECK(first != std::string::npos);
    CHECK(first < later);
    CHECK(testing::Run(Binary() + " log --data " + data + " --person pnc:2012/0123478X 2>&1",
                       &out) == 1);
    CHECK(out.find("no person has pnc:2012/0123478X") != std::string::npos);
    CHECK(testing::Run(Binary() + " log --data " + data + " --person pnc:nonsense 2>&1", &out) ==
          2);
  }
  SECTION("verify reports a whole chain") {
    REQUIRE(testing::Run(Binary() + " verify --data " + data + " 2>/dev/null", &out) == 0);
    CHECK(out.find(fmt::format("{} records", samples)) != std::string::npos);
    CHECK(out.find("27 dead letters") != std::string::npos);
    CHECK(out.find("verify: OK") != std::string::npos);
  }
  SECTION("rebuild in passes of a few events, on 3 threads: every view verifies as a fresh fold") {
    REQUIRE(
        testing::Run(Binary() + " rebuild --data " + data + " --threads 3 --events-per-pass 5 2>&1",
                     &out) == 0);
    CHECK(out.find("rebuilt the views of") != std::string::npos);
    REQUIRE(testing::Run(Binary() + " admin verify --data " + data + " 2>/dev/null", &out) == 0);
    CHECK(out.find("verify: OK") != std::string::npos);
    CHECK(testing::Run(Binary() + " rebuild --data " + data + " --events-per-pass 0 2>&1", &out) !=
          0);
    // A spacing of progress lines that is not a number is named, and the work goes on.
    REQUIRE(testing::Run("THROUGHLINE_PROGRESS_SECONDS=soon " + Binary() + " rebuild --data " +
                             data + " 2>&1",
                         &out) == 0);
    CHECK(out.find("THROUGHLINE_PROGRESS_SECONDS: 'soon' is not a number of seconds") !=
          std::string::npos);
    CHECK(out.find("rebuilt the views of") != std::string::npos);
  }
  SECTION("admin verify names a record with a flipped byte") {
    {
      auto store = services::EventStore::Open(data, services::StoreOptions{});
      REQUIRE(store.ok());
      auto* db = (*store)->db();
      auto* log = (*store)->family(services::Family::kLog);
      std::string value;
      REQUIRE(db->Get(rocksdb::ReadOptions(), log, services::U64Key(5), &value).ok());
      value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x01);
      REQUIRE(db->Put(rocksdb::WriteOptions(), log, services::U64Key(5), value).ok());
    }
    CHECK(testing::Run(Binary() + " admin verify --data " + data + " 2>/dev/null", &out) == 1);
    INFO(out);
    CHECK(out.find("verify: the hash chain breaks at record") != std::string::npos);
    CHECK(out.find("record 5") != std::string::npos);
    CHECK(out.find("verify: FAILED") != std::string::npos);
  }
  SECTION("a second writer on the same directory is refused, clearly") {
    testing::ChildProcess engine({Binary(), "serve", "--data", data, "--listen", "127.0.0.1:0"},
                                 dir.path() + "/serve.log");
    // It writes its address once it holds the lock and listens.
    testing::WaitFor([&] { return std::filesystem::exists(data + "/http.address"); },
                     std::chrono::seconds(30), "the engine to write http.address");
    CHECK(testing::Run(Binary() + " import --data " + data + " " + valid + " 2>&1", &out) == 2);
    CHECK(out.find("in use by another engine") != std::string::npos);
    // Readers are welcome beside it.
    CHECK(testing::Run(Binary() + " verify --data " + data + " 2>/dev/null", &out) == 0);
    engine.Signal(SIGTERM);
    CHECK(engine.Wait() == 0);
  }
  SECTION("no data directory") {
    CHECK(testing::Run(Binary() + " verify --data " + dir.path() + "/nothing 2>&1", &out) == 2);
    CHECK(out.find("no Throughline data") != std::string::npos);
  }
}

TEST_CASE("serve names its threads, for top -H and perf", "[e2e]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  testing::ChildProcess engine({Binary(), "serve", "--data", data, "--listen", "127.0.0.1:0"},
                               dir.path() + "/serve.log");
  testing::WaitForEngine(data);
  std::set<std::string> names;
  for (const auto& task :
       std::filesystem::directory_iterator(fmt::format("/proc/{}/task", engine.pid()))) {
    std::string name = testing::ReadFile(task.path().string() + "/comm");
    names.insert(name.substr(0, name.find('\n')));
  }
  INFO(fmt::format("{}", fmt::join(names, ", ")));
  for (const char* expected : {"tl-writer", "tl-ingest", "tl-http-0", "tl-http-1", "tl-subscribers",
                               "tl-changewindow", "tl-dead_letters", "tl-changes"}) {
    CHECK(names.count(expected) == 1);
  }
  engine.Signal(SIGTERM);
  CHECK(engine.Wait() == 0);
}

}  // namespace
}  // namespace throughline
