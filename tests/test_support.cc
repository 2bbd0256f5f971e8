#include "tests/test_support.h"

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <spawn.h>
#include <sstream>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

// Boost.JSON in header-only mode, compiled once here for every test.
#include <boost/json/src.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/envelope_parser.h"

namespace throughline::testing {

std::string Hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes)
    out += fmt::format("{:02x}", c);
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string SourcePath(const std::string& relative) {
  return std::string(THROUGHLINE_SOURCE_DIR) + "/" + relative;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string MakeToken(const std::string& data, const std::string& role, const std::string& agency) {
  std::string out;
  REQUIRE(Run(fmt::format("{} token --data {} --role {} --agency '{}' 2>/dev/null",
                          THROUGHLINE_BINARY, data, role, agency),
              &out) == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  REQUIRE(out.find('.') != std::string::npos);
  return out;
}

std::string WaitForEngine(const std::string& data) {
  std::string address;
  WaitFor(
      [&] {
        address = ReadFirstLine(data + "/http.address");
        return !address.empty() && !ReadFirstLine(data + "/kafka.bootstrap").empty();
      },
      std::chrono::seconds(60), "the engine to write http.address and kafka.bootstrap");
  return address;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty())
      lines.push_back(line);
  }
  return lines;
}

const std::vector<std::string>& ValidSamples() {
  static const std::vector<std::string> samples =
      ReadLines(SourcePath("tests/data/valid_events.ndjson"));
  return samples;
}

std::string SampleFor(const events::TypeInfo& info) {
  events::EnvelopeParser parser;
  for (const auto& line : ValidSamples()) {
    auto result = parser.Parse(line);
    if (result.ok() && &result.event.info() == &info)
      return line;
  }
  FAIL("no valid sample of " << info.name << " dataversion " << info.version
                             << " in tests/data/valid_events.ndjson");
  return {};
}

events::Event ParseValid(const std::string& json) {
  events::EnvelopeParser parser;
  auto result = parser.Parse(json);
  INFO(json);
  INFO(events::JoinErrors(result.errors));
  REQUIRE(result.ok());
  return result.event;
}

namespace {

boost::json::object& Parent(boost::json::value& root, const std::vector<std::string>& path) {
  boost::json::value* v = &root;
  for (std::size_t i = 0; i + 1 < path.size(); ++i)
    v = &v->as_object()[path[i]];
  return v->as_object();
}

}  // namespace

std::string WithMember(const std::string& json, const std::vector<std::string>& path,
                       const boost::json::value& value) {
  boost::json::value root = boost::json::parse(json);
  Parent(root, path)[path.back()] = value;
  return boost::json::serialize(root);
}

std::string WithoutMember(const std::string& json, const std::vector<std::string>& path) {
  boost::json::value root = boost::json::parse(json);
  Parent(root, path).erase(path.back());
  return boost::json::serialize(root);
}

int Run(const std::string& command, std::string* output) {
  // popen, but the child gets none of the test's sockets (Asio opens them without
  // close-on-exec): a child holding a copy of a subscriber's connection could read from it.
  int out[2];
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, "/bin/sh", &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  REQUIRE(rc == 0);
  output->clear();
  char buffer[4096];
  ssize_t n;
  while ((n = read(out[0], buffer, sizeof(buffer))) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0)
      output->append(buffer, static_cast<std::size_t>(n));
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TempDir::TempDir() {
  std::string path = (std::filesystem::temp_directory_path() / "throughline-test-XXXXXX");
  REQUIRE(mkdtemp(path.data()) != nullptr);
  path_ = path;
}

TempDir::~TempDir() {
  if (std::getenv("THROUGHLINE_KEEP_TEST_DIRS") != nullptr) {
    fmt::print(stderr, "kept {}\n", path_);
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

events::Person SyntheticPerson(std::size_t i) {
  events::Person p;
  const int year = 1990 + static_cast<int>(i % 30);
  const std::uint64_t serial = 1 + i;
  const std::uint64_t n = static_cast<std::uint64_t>(year % 100) * 10'000'000 + serial;
  p.pnc = fmt::format("{:04}/{:07}{}", year, serial, events::CheckLetter(n));
  p.noms = fmt::format("{}{:04}{}{}", static_cast<char>('A' + i % 26), i % 10000,
                       static_cast<char>('A' + (i / 10000) % 26),
                       static_cast<char>('A' + (i / 260000) % 26));
  p.crn = fmt::format("{}{:06}", static_cast<char>('A' + (i / 1000000) % 26), i % 1000000);
  return p;
}

std::vector<std::string> SyntheticEvents(std::size_t count, std::size_t persons,
                                         std::size_t sources, unsigned seed) {
  std::mt19937_64 rng(seed);
  static constexpr const char* kPrisons[] = {"CFI", "SWI", "UKI", "PRI", "BWI", "UPI"};
  static constexpr const char* kForces[] = {"dyfed-powys", "gwent", "north-wales", "south-wales"};
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t n = 0; n < count; ++n) {
    const std::size_t i = rng() % persons;
    const events::Person p = SyntheticPerson(i);
    const std::size_t source = n % sources;
    // Which identifiers the publisher holds varies, as in life.
    std::string person;
    switch (rng() % 4) {
      case 0:
        person = fmt::format(R"({{"pnc":"{}"}})", *p.pnc);
        break;
      case 1:
        person = fmt::format(R"({{"pnc":"{}","noms":"{}"}})", *p.pnc, *p.noms);
        break;
      case 2:
        person = fmt::format(R"({{"pnc":"{}","crn":"{}"}})", *p.pnc, *p.crn);
        break;
      default:
        person = fmt::format(R"({{"pnc":"{}","noms":"{}","crn":"{}"}})", *p.pnc, *p.noms, *p.crn);
    }
    const std::int64_t ms = 1'300'000'000'000 + static_cast<std::int64_t>(rng() % 400'000'000'000);
    const std::string time = events::FormatTimestamp(events::Timestamp{ms});
    std::string type, data;
    switch (rng() % 5) {
      case 0:
        type = "arrest.recorded";
        data = fmt::format(R"("mode":"arrest","force":"{}","offences":[{{"code":"TH68001"}}])",
                           kForces[rng() % 4]);
        break;
      case 1:
        type = "custody.received";
        data = fmt::format(R"("prison":"{}","basis":"remand")", kPrisons[rng() % 6]);
        break;
      case 2:
        type = "court.hearing";
        data =
            fmt::format(R"("case_id":"C-{}","court":"Cardiff Crown Court","outcome":"adjourned")",
                        rng() % 100000);
        break;
      case 3:
        type = "licence.started";
        data = R"("end_date":"2030-01-01","area":"Cardiff and Vale")";
        break;
      default:
        type = "risk.assessed";
        data =
            fmt::format(R"("rosh":"medium","ogrs_2yr":{},"ogrs_band":"medium")", 50 + rng() % 25);
    }
    out.push_back(fmt::format(
        R"({{"specversion":"1.0","id":"e-{}-{}","source":"synthetic/source-{}","type":"{}",)"
        R"("time":"{}","dataversion":{},"data":{{"person":{},{}}}}})",
        seed, n, source, type, time, type == "custody.received" ? 2 : 1, person, data));
  }
  return out;
}

}  // namespace throughline::testing
