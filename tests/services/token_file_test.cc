#include "services/token_file.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "events/calendar.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using namespace std::chrono_literals;

const events::Date kToday{events::DaysFromCivil(2026, 12, 3)};

void Write(const std::string& path, const std::string& text) {
  // As an editor saves: a new file moved over the old one.
  const std::string temp = path + ".new";
  std::ofstream(temp, std::ios::trunc) << text;
  std::filesystem::rename(temp, path);
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app) << text;
}

NewToken Make(const std::string& role, const std::string& agency) {
  auto made = MakeToken(role, agency, std::nullopt);
  REQUIRE(made.ok());
  return *made;
}

TEST_CASE("The tokens file: added and deleted lines count within a check, no restart",
          "[integration]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/tokens";
  const NewToken first = Make("probation", "probation:Gwent");
  const NewToken second = Make("prison", "prison:CFI");
  Write(path, first.line + "\n");

  auto file = TokenFile::Open(path, false, 20ms);
  REQUIRE(file.ok());
  TokenFile& tokens = **file;
  REQUIRE(tokens.Authenticate(first.token, kToday).ok());
  CHECK(tokens.Authenticate(second.token, kToday).status().IsNotFound());

  SECTION("a line appended, as throughline token does, is read by the thread on its own") {
    Append(path, second.line + "\n");
    testing::WaitFor([&] { return tokens.Authenticate(second.token, kToday).ok(); }, 5s,
                     "the new token to be accepted");
    CHECK(tokens.Authenticate(first.token, kToday).ok());
    CHECK(tokens.size() == 2);
  }
  SECTION("a line deleted revokes its token") {
    Write(path, second.line + "\n");
    testing::WaitFor([&] { return tokens.Authenticate(first.token, kToday).status().IsNotFound(); },
                     5s, "the deleted token to be refused");
    CHECK(tokens.Authenticate(second.token, kToday).ok());
  }
  SECTION("a file that no longer parses keeps the tokens read before, until it is mended") {
    Write(path, first.line + "\nthis is not a token line\n");
    tokens.CheckNow();
    std::this_thread::sleep_for(100ms);  // several of the thread's checks
    CHECK(tokens.Authenticate(first.token, kToday).ok());
    Write(path, second.line + "\n");
    tokens.CheckNow();
    CHECK(tokens.Authenticate(first.token, kToday).status().IsNotFound());
    CHECK(tokens.Authenticate(second.token, kToday).ok());
  }
  SECTION("a file removed refuses every token; one put back is read again") {
    std::filesystem::remove(path);
    tokens.CheckNow();
    CHECK(tokens.Authenticate(first.token, kToday).status().IsNotFound());
    CHECK(tokens.size() == 0);
    Write(path, first.line + "\n");
    tokens.CheckNow();
    CHECK(tokens.Authenticate(first.token, kToday).ok());
  }
}

TEST_CASE("The tokens file: opened before it exists, it is read once it does", "[integration]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/tokens";
  auto file = TokenFile::Open(path, false, 20ms);
  REQUIRE(file.ok());
  CHECK((*file)->size() == 0);
  const NewToken token = Make("iom", "police:Gwent");
  Append(path, token.line + "\n");
  testing::WaitFor([&] { return (*file)->Authenticate(token.token, kToday).ok(); }, 5s,
                   "the token to be accepted");
}

TEST_CASE("The tokens file: a required one that is not there is an error saying how to make it",
          "[integration]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/tokens";
  auto file = TokenFile::Open(path, /*required=*/true);
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().IsNotFound());
  CHECK(file.status().message().find("throughline token --tokens " + path) != std::string::npos);
}

TEST_CASE("The tokens file: one that does not parse at the start is an error naming its line",
          "[integration]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/tokens";
  Write(path, "not a token line\n");
  auto file = TokenFile::Open(path);
  REQUIRE_FALSE(file.ok());
  INFO(file.status().message());
  CHECK(file.status().message().find(path + " line 1") != std::string::npos);
}

}  // namespace
}  // namespace throughline::services
