// The store's background work on a real RocksDB: compactions give way to the engine's own
// threads, flushes do not.

#include "services/event_store.h"

#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rocksdb/db.h>

#include "tests/test_support.h"

namespace throughline::services {
namespace {

// The nice value of each of this process's threads whose name starts with `prefix`.
std::map<std::string, int> NiceOfThreads(const std::string& prefix) {
  std::map<std::string, int> nice;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::string name = testing::ReadFile(task.path().string() + "/comm");
    name = name.substr(0, name.find('\n'));
    if (!name.starts_with(prefix))
      continue;
    // Fields after the name's closing parenthesis: the 17th of them (stat's 19th) is nice.
    const std::string stat = testing::ReadFile(task.path().string() + "/stat");
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    for (int i = 0; i < 17; ++i)
      fields >> field;
    nice[fmt::format("{} ({})", name, task.path().filename().string())] = std::stoi(field);
  }
  return nice;
}

TEST_CASE("Compactions run at a low CPU priority, flushes at the engine's own", "[integration]") {
  testing::TempDir dir;
  auto store = EventStore::Open(dir.path(), StoreOptions{});
  REQUIRE(store.ok());
  rocksdb::DB* db = (*store)->db();
  auto* log = (*store)->family(Family::kLog);
  // Two table files of overlapping keys, then a compaction of them: a flush and a compaction
  // job, each run by a thread of its pool (which takes its priority with its first job).
  for (int file = 0; file < 2; ++file) {
    for (int key = 0; key < 100; ++key)
      REQUIRE(db->Put(rocksdb::WriteOptions(), log, fmt::format("k{:03}", key), "v").ok());
    REQUIRE((*store)->Flush().ok());
  }
  REQUIRE(db->CompactRange(rocksdb::CompactRangeOptions(), log, nullptr, nullptr).ok());

  const auto compactions = NiceOfThreads("rocksdb:low");
  const auto flushes = NiceOfThreads("rocksdb:high");
  INFO(fmt::format("compactions {}, flushes {}", compactions, flushes));
  REQUIRE_FALSE(compactions.empty());
  REQUIRE_FALSE(flushes.empty());
  for (const auto& [thread, nice] : compactions)
    CHECK(nice == 19);
  for (const auto& [thread, nice] : flushes)
    CHECK(nice == 0);
}

}  // namespace
}  // namespace throughline::services
