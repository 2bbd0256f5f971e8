#include "services/sorted_entries.h"

#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/services/store_fixture.h"

namespace throughline::services {
namespace {

using testing::StoreFixture;
using Listed = std::vector<std::tuple<std::uint32_t, bool, std::string, std::string>>;

Listed List(const std::vector<BatchEntry>& entries) {
  Listed listed;
  for (const auto& e : entries)
    listed.emplace_back(e.family, e.remove, e.key.ToString(), e.value.ToString());
  return listed;
}

TEST_CASE("Sorted entries: several batches' puts and deletes by family and key, in written order",
          "[integration]") {
  StoreFixture f;
  auto* views = f.store().family(Family::kViews);
  auto* cohorts = f.store().family(Family::kCohorts);
  auto* first = views->GetID() < cohorts->GetID() ? views : cohorts;
  auto* second = first == views ? cohorts : views;
  const std::uint32_t one = first->GetID(), two = second->GetID();

  std::vector<rocksdb::WriteBatch> batches(2);
  REQUIRE(batches[0].Put(second, "z", "0").ok());
  REQUIRE(batches[0].Put(first, "m", "0").ok());
  REQUIRE(batches[0].Delete(first, "b").ok());
  REQUIRE(batches[1].Put(first, "b", "1").ok());  // after the first batch's delete of b
  REQUIRE(batches[1].Put(first, "m", "1").ok());  // after the first batch's put of m
  REQUIRE(batches[1].Put(second, "a", "1").ok());

  auto entries = SortedEntries(batches);
  REQUIRE(entries);
  CHECK(List(*entries) == Listed{
                              {one, true, "b", ""},
                              {one, false, "b", "1"},
                              {one, false, "m", "0"},
                              {one, false, "m", "1"},
                              {two, false, "a", "1"},
                              {two, false, "z", "0"},
                          });

  SECTION("none from no batches") {
    auto none = SortedEntries({});
    REQUIRE(none);
    CHECK(none->empty());
  }
  SECTION("a batch with anything but puts and deletes gives none") {
    rocksdb::WriteBatch other;
    REQUIRE(other.Put(first, "a", "x").ok());
    SECTION("a merge") { REQUIRE(other.Merge(first, "a", "y").ok()); }
    SECTION("a range delete") { REQUIRE(other.DeleteRange(first, "a", "c").ok()); }
    SECTION("log data") { REQUIRE(other.PutLogData("note").ok()); }
    batches.push_back(std::move(other));
    CHECK_FALSE(SortedEntries(batches));
  }
}

}  // namespace
}  // namespace throughline::services
