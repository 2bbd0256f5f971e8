#include "services/generation_tables.h"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "tests/services/store_fixture.h"

namespace throughline::services {
namespace {

using testing::StoreFixture;

std::string Get(EventStore& store, rocksdb::ColumnFamilyHandle* family, const std::string& key) {
  std::string value;
  rocksdb::Status s = store.db()->Get(rocksdb::ReadOptions(), family, key, &value);
  return s.ok() ? value : "(" + s.ToString() + ")";
}

// A store with a new projection generation, and the directory its tables go to.
struct GenerationFixture {
  GenerationFixture() {
    auto created = store().CreateProjectionGeneration();
    REQUIRE(created.ok());
    families = *created;
  }
  EventStore& store() { return fixture.store(); }

  StoreFixture fixture;
  ProjectionFamilies families;
  std::string dir = fixture.store().dir() + "/rebuild";
};

TEST_CASE("A generation's tables: views straight to a file, the rest sorted, taken in whole",
          "[integration]") {
  GenerationFixture g;
  std::filesystem::create_directories(g.dir);
  std::ofstream(g.dir + "/left-by-a-crash.sst") << "not a table";
  GenerationTables tables(&g.store(), g.families, g.dir, 2);
  REQUIRE(tables.Prepare().ok());
  CHECK_FALSE(std::filesystem::exists(g.dir + "/left-by-a-crash.sst"));

  // Each writer's views in order, writer 1's interleaving with writer 0's, so their files
  // overlap; writer 0's alerts out of order and one key twice. One batch, cleared and reused,
  // as the rebuild does.
  rocksdb::WriteBatch batch;
  REQUIRE(batch.Put(g.families.views(), "a", "a0").ok());
  REQUIRE(batch.Put(g.families.alerts(), "m", "m0").ok());
  REQUIRE(batch.Put(g.families.alerts(), "k", "k0").ok());
  REQUIRE(tables.Add(0, batch).ok());
  batch.Clear();
  REQUIRE(batch.Put(g.families.views(), "c", "c0").ok());
  REQUIRE(batch.Put(g.families.alerts(), "k", "k1").ok());
  REQUIRE(tables.Add(0, batch).ok());
  batch.Clear();
  REQUIRE(batch.Put(g.families.views(), "b", "b0").ok());
  REQUIRE(batch.Put(g.families.cohorts(), "x", "x0").ok());
  REQUIRE(tables.Add(1, batch).ok());
  REQUIRE(tables.Finish(0).ok());
  REQUIRE(tables.Finish(1).ok());
  REQUIRE(tables.Ingest().ok());

  CHECK(Get(g.store(), g.families.views(), "a") == "a0");
  CHECK(Get(g.store(), g.families.views(), "b") == "b0");
  CHECK(Get(g.store(), g.families.views(), "c") == "c0");
  CHECK(Get(g.store(), g.families.cohorts(), "x") == "x0");
  CHECK(Get(g.store(), g.families.alerts(), "k") == "k1");  // the later put
  CHECK(Get(g.store(), g.families.alerts(), "m") == "m0");
  // Moved, not copied: nothing is left beside the store.
  CHECK(std::filesystem::is_empty(g.dir));
}

TEST_CASE("A generation's tables take puts into the generation only, views in order",
          "[integration]") {
  GenerationFixture g;
  GenerationTables tables(&g.store(), g.families, g.dir, 1);
  REQUIRE(tables.Prepare().ok());
  rocksdb::WriteBatch batch;
  std::string says;
  SECTION("a delete") {
    REQUIRE(batch.Delete(g.families.views(), "a").ok());
    says = "a delete";
  }
  SECTION("a put into the views in use") {
    REQUIRE(batch.Put(g.store().family(Family::kViews), "a", "a0").ok());
    says = "outside the generation";
  }
  SECTION("a view below the writer's last") {
    REQUIRE(batch.Put(g.families.views(), "b", "b0").ok());
    REQUIRE(batch.Put(g.families.views(), "a", "a0").ok());
    says = "ascending key order";
  }
  SECTION("log data, then a put") {
    REQUIRE(batch.PutLogData("a note").ok());
    REQUIRE(batch.Put(g.families.views(), "a", "a0").ok());
    says = "log data";
  }
  SECTION("a merge") {
    REQUIRE(batch.Merge(g.families.cohorts(), "a", "a0").ok());
    says = "more than puts";
  }
  SECTION("a view twice") {
    REQUIRE(batch.Put(g.families.views(), "a", "a0").ok());
    REQUIRE(tables.Add(0, batch).ok());
    batch.Clear();
    REQUIRE(batch.Put(g.families.views(), "a", "a1").ok());
    says = "each key once";
  }
  Status s = tables.Add(0, batch);
  CHECK(s.IsInvalidArgument());
  CHECK_THAT(s.message(), Catch::StartsWith("rebuilding: ") && Catch::Contains(says));
}

// Many views from one writer: more than one file's worth rolls over to a second file.
TEST_CASE("A generation's tables: a writer's views past one file's size go on in the next",
          "[integration]") {
  GenerationFixture g;
  GenerationTables tables(&g.store(), g.families, g.dir, 1);
  REQUIRE(tables.Prepare().ok());
  // Random bytes, so that compression leaves them their size.
  std::string value(64 << 10, '\0');
  std::uint64_t x = 88172645463325252ull;
  for (char& c : value) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  const int views = static_cast<int>(GenerationTables::kBytesPerFile / value.size()) + 8;
  rocksdb::WriteBatch batch, again;
  for (int i = 0; i < views; ++i) {
    const std::string key = fmt::format("{:08}", i);
    REQUIRE(batch.Put(g.families.views(), key, value).ok());
    REQUIRE(tables.Add(0, batch).ok());
    batch.Clear();
    // The same key again is refused after every view, the one that closed a file included:
    // the order holds across the writer's files, not only within one.
    REQUIRE(again.Put(g.families.views(), key, "again").ok());
    CHECK(tables.Add(0, again).IsInvalidArgument());
    again.Clear();
  }
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(g.dir))
    files += entry.path().filename().string().starts_with(g.families.views()->GetName());
  CHECK(files == 2);  // the first finished, the second open
  REQUIRE(tables.Finish(0).ok());
  REQUIRE(tables.Ingest().ok());
  CHECK(Get(g.store(), g.families.views(), "00000000") == value);
  CHECK(Get(g.store(), g.families.views(), fmt::format("{:08}", views - 1)) == value);
}

TEST_CASE("A generation's tables directory goes with them", "[integration]") {
  GenerationFixture g;
  {
    GenerationTables tables(&g.store(), g.families, g.dir, 1);
    REQUIRE(tables.Prepare().ok());
    CHECK(std::filesystem::is_directory(g.dir));
  }
  CHECK_FALSE(std::filesystem::exists(g.dir));
}

}  // namespace
}  // namespace throughline::services
