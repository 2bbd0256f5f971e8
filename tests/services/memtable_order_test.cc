#include "services/memtable_order.h"

#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "services/store_keys.h"
#include "tests/services/store_fixture.h"

namespace throughline::services {
namespace {

using testing::StoreFixture;

// Each entry as (family id, "put" or "delete", key, value), in the batch's order.
class Listed : public rocksdb::WriteBatch::Handler {
 public:
  rocksdb::Status PutCF(std::uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    entries.emplace_back(family, "put", key.ToString(), value.ToString());
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(std::uint32_t family, const rocksdb::Slice& key) override {
    entries.emplace_back(family, "delete", key.ToString(), "");
    return rocksdb::Status::OK();
  }
  std::vector<std::tuple<std::uint32_t, std::string, std::string, std::string>> entries;
};

Listed List(const rocksdb::WriteBatch& batch) {
  Listed listed;
  REQUIRE(batch.Iterate(&listed).ok());
  return listed;
}

TEST_CASE("A batch in memtable order: by family and key, one key's entries in their order",
          "[integration]") {
  StoreFixture f;
  auto* views = f.store().family(Family::kViews);
  auto* alerts = f.store().family(Family::kAlerts);
  const std::vector<rocksdb::ColumnFamilyHandle*> families = {views, alerts};
  // Written so that the alerts' family sorts after the views' whatever their ids.
  auto* first = views->GetID() < alerts->GetID() ? views : alerts;
  auto* second = first == views ? alerts : views;

  rocksdb::WriteBatch batch;
  REQUIRE(batch.Put(second, "b", "second-b").ok());
  REQUIRE(batch.Put(first, "k", "k0").ok());
  REQUIRE(batch.Delete(first, "c").ok());
  REQUIRE(batch.Put(first, "c", "c1").ok());  // after its delete, as written
  REQUIRE(batch.Put(second, "a", "second-a").ok());
  REQUIRE(batch.Put(first, "k", "k1").ok());  // the later put of k stays the later
  REQUIRE(batch.Put(first, "a", "a0").ok());
  REQUIRE(batch.Delete(first, "a").ok());  // and a put then a delete stays so

  auto ordered = InMemtableOrder(batch, families);
  REQUIRE(ordered);
  using E = std::tuple<std::uint32_t, std::string, std::string, std::string>;
  const std::uint32_t one = first->GetID(), two = second->GetID();
  CHECK(List(*ordered).entries == std::vector<E>{
                                      {one, "put", "a", "a0"},
                                      {one, "delete", "a", ""},
                                      {one, "delete", "c", ""},
                                      {one, "put", "c", "c1"},
                                      {one, "put", "k", "k0"},
                                      {one, "put", "k", "k1"},
                                      {two, "put", "a", "second-a"},
                                      {two, "put", "b", "second-b"},
                                  });
  CHECK(ordered->Count() == batch.Count());

  SECTION("many entries of one key among others keep their order") {
    rocksdb::WriteBatch many;
    for (int i = 0; i < 200; ++i) {
      REQUIRE(many.Put(first, "same", std::to_string(i)).ok());
      REQUIRE(many.Put(second, fmt::format("other{}", (i * 7919) % 200), "x").ok());
    }
    auto sorted = InMemtableOrder(many, families);
    REQUIRE(sorted);
    std::vector<std::string> values;
    for (const auto& [family, op, key, value] : List(*sorted).entries) {
      if (key == "same")
        values.push_back(value);
    }
    REQUIRE(values.size() == 200);
    for (int i = 0; i < 200; ++i)
      CHECK(values[i] == std::to_string(i));
  }
  SECTION("anything but puts and deletes, or a family it was not given: left as it is") {
    rocksdb::WriteBatch merged = batch;
    REQUIRE(merged.Merge(first, "m", "1").ok());
    CHECK_FALSE(InMemtableOrder(merged, families));
    rocksdb::WriteBatch logged = batch;
    REQUIRE(logged.PutLogData("note").ok());
    CHECK_FALSE(InMemtableOrder(logged, families));
    CHECK_FALSE(InMemtableOrder(batch, {first}));
  }
}

TEST_CASE("The store writes a large batch in memtable order, with the same result",
          "[integration]") {
  StoreFixture f;
  auto* views = f.store().family(Family::kViews);
  auto* cohorts = f.store().family(Family::kCohorts);
  {
    rocksdb::WriteBatch before;
    REQUIRE(before.Put(views, "gone", "old").ok());
    REQUIRE(before.Put(views, "replaced", "old").ok());
    REQUIRE(f.store().Write(&before).ok());
  }
  rocksdb::WriteBatch batch;
  for (std::size_t i = kMemtableOrderMinEntries; i > 0; --i)
    REQUIRE(batch.Put(i % 2 ? views : cohorts, fmt::format("k{:03}", i), std::to_string(i)).ok());
  REQUIRE(batch.Delete(views, "replaced").ok());
  REQUIRE(batch.Put(views, "replaced", "new").ok());
  REQUIRE(batch.Put(views, "added", "new").ok());
  REQUIRE(batch.Delete(views, "added").ok());
  REQUIRE(batch.Delete(views, "gone").ok());
  REQUIRE(batch.Count() > kMemtableOrderMinEntries);
  REQUIRE(f.store().Write(&batch).ok());

  auto get = [&](rocksdb::ColumnFamilyHandle* family, const std::string& key) {
    std::string value;
    rocksdb::Status s = f.store().db()->Get(rocksdb::ReadOptions(), family, key, &value);
    return s.IsNotFound() ? std::string("(none)") : value;
  };
  CHECK(get(views, "replaced") == "new");
  CHECK(get(views, "added") == "(none)");
  CHECK(get(views, "gone") == "(none)");
  CHECK(get(views, "k001") == "1");
  CHECK(get(cohorts, "k064") == "64");
  CHECK(get(views, "k064") == "(none)");
}

}  // namespace
}  // namespace throughline::services
