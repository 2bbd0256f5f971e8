#include "services/generation_tables.h"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "tests/services/store_fixture.h"

namespace throughline::services {
namespace {

using testing::StoreFixture;

std::string Get(EventStore& store, rocksdb::ColumnFamilyHandle* family, const std::string& key) {
  std::string value;
  rocksdb::Status s = store.db()->Get(rocksdb::ReadOptions(), family, key, &value);
  return s.ok() ? value : "(" + s.ToString() + ")";
}

TEST_CASE("A generation's tables: written out sorted by each writer, taken in whole",
          "[integration]") {
  StoreFixture f;
  auto generation = f.store().CreateProjectionGeneration();
  REQUIRE(generation.ok());
  const std::string dir = f.store().dir() + "/rebuild";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/left-by-a-crash.sst") << "not a table";
  GenerationTables tables(&f.store(), *generation, dir, 2);
  REQUIRE(tables.Prepare().ok());
  CHECK_FALSE(std::filesystem::exists(dir + "/left-by-a-crash.sst"));

  // Writer 0 puts out of order and one key twice; writer 1's keys interleave with writer 0's,
  // so their files overlap.
  rocksdb::WriteBatch first, second, other;
  REQUIRE(first.Put(generation->views(), "c", "c0").ok());
  REQUIRE(first.Put(generation->views(), "a", "a0").ok());
  REQUIRE(first.Put(generation->alerts(), "k", "k0").ok());
  REQUIRE(second.Put(generation->views(), "a", "a1").ok());
  REQUIRE(other.Put(generation->views(), "b", "b0").ok());
  REQUIRE(other.Put(generation->cohorts(), "x", "x0").ok());
  REQUIRE(tables.Add(0, std::move(first)).ok());
  REQUIRE(tables.Add(0, std::move(second)).ok());
  REQUIRE(tables.Add(1, std::move(other)).ok());
  REQUIRE(tables.Finish(0).ok());
  REQUIRE(tables.Finish(1).ok());
  REQUIRE(tables.Ingest().ok());

  CHECK(Get(f.store(), generation->views(), "a") == "a1");  // the later put
  CHECK(Get(f.store(), generation->views(), "b") == "b0");
  CHECK(Get(f.store(), generation->views(), "c") == "c0");
  CHECK(Get(f.store(), generation->cohorts(), "x") == "x0");
  CHECK(Get(f.store(), generation->alerts(), "k") == "k0");
  // Moved, not copied: nothing is left beside the store.
  CHECK(std::filesystem::is_empty(dir));
}

TEST_CASE("A generation's tables take puts into the generation only", "[integration]") {
  StoreFixture f;
  auto generation = f.store().CreateProjectionGeneration();
  REQUIRE(generation.ok());
  GenerationTables tables(&f.store(), *generation, f.store().dir() + "/rebuild", 1);
  REQUIRE(tables.Prepare().ok());
  rocksdb::WriteBatch batch;
  SECTION("a delete") { REQUIRE(batch.Delete(generation->views(), "a").ok()); }
  SECTION("a put into the views in use") {
    REQUIRE(batch.Put(f.store().family(Family::kViews), "a", "a0").ok());
  }
  REQUIRE(tables.Add(0, std::move(batch)).ok());  // held until written out
  Status s = tables.Finish(0);
  CHECK(s.IsInvalidArgument());
  CHECK_THAT(s.message(), Catch::StartsWith("rebuilding: "));
}

TEST_CASE("A generation's tables directory goes with them", "[integration]") {
  StoreFixture f;
  auto generation = f.store().CreateProjectionGeneration();
  REQUIRE(generation.ok());
  const std::string dir = f.store().dir() + "/rebuild";
  {
    GenerationTables tables(&f.store(), *generation, dir, 1);
    REQUIRE(tables.Prepare().ok());
    CHECK(std::filesystem::is_directory(dir));
  }
  CHECK_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace throughline::services
