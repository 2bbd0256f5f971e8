#include "services/memtable_order.h"

#include "services/sorted_entries.h"

namespace throughline::services {

std::optional<rocksdb::WriteBatch> InMemtableOrder(
    const rocksdb::WriteBatch& batch, const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  auto entries = SortedEntries({&batch, 1});
  if (!entries)
    return std::nullopt;
  return InMemtableOrder(*entries, batch.GetDataSize(), families);
}

std::optional<rocksdb::WriteBatch> InMemtableOrder(
    std::span<const BatchEntry> sorted, std::size_t bytes,
    const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  std::vector<rocksdb::ColumnFamilyHandle*> by_id;
  for (auto* family : families) {
    if (family->GetID() >= by_id.size())
      by_id.resize(family->GetID() + 1, nullptr);
    by_id[family->GetID()] = family;
  }
  for (const BatchEntry& e : sorted) {
    if (e.family >= by_id.size() || by_id[e.family] == nullptr)
      return std::nullopt;
  }
  std::optional<rocksdb::WriteBatch> ordered(std::in_place, bytes);
  for (const BatchEntry& e : sorted) {
    rocksdb::Status s = e.remove ? ordered->Delete(by_id[e.family], e.key)
                                 : ordered->Put(by_id[e.family], e.key, e.value);
    if (!s.ok())
      return std::nullopt;
  }
  return ordered;
}

}  // namespace throughline::services
