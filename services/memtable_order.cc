#include "services/memtable_order.h"

#include <algorithm>
#include <cstdint>

namespace throughline::services {

namespace {

struct Entry {
  std::uint32_t family;
  bool remove;
  rocksdb::Slice key, value;  // into the batch
};

// Puts and deletes; anything else (merges, ranges, log data, transactions' markers) fails the
// iteration, which the Handler's defaults do for all but log data.
class Entries : public rocksdb::WriteBatch::Handler {
 public:
  rocksdb::Status PutCF(std::uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    entries.push_back({family, false, key, value});
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(std::uint32_t family, const rocksdb::Slice& key) override {
    entries.push_back({family, true, key, {}});
    return rocksdb::Status::OK();
  }
  void LogData(const rocksdb::Slice&) override { other = true; }

  std::vector<Entry> entries;
  bool other = false;
};

}  // namespace

std::optional<rocksdb::WriteBatch> InMemtableOrder(
    const rocksdb::WriteBatch& batch, const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  Entries read;
  read.entries.reserve(batch.Count());
  if (!batch.Iterate(&read).ok() || read.other)
    return std::nullopt;
  std::vector<rocksdb::ColumnFamilyHandle*> by_id;
  for (auto* family : families) {
    if (family->GetID() >= by_id.size())
      by_id.resize(family->GetID() + 1, nullptr);
    by_id[family->GetID()] = family;
  }
  for (const Entry& e : read.entries) {
    if (e.family >= by_id.size() || by_id[e.family] == nullptr)
      return std::nullopt;
  }
  std::stable_sort(read.entries.begin(), read.entries.end(), [](const Entry& a, const Entry& b) {
    return a.family != b.family ? a.family < b.family : a.key.compare(b.key) < 0;
  });
  std::optional<rocksdb::WriteBatch> ordered(std::in_place, batch.GetDataSize());
  for (const Entry& e : read.entries) {
    rocksdb::Status s = e.remove ? ordered->Delete(by_id[e.family], e.key)
                                 : ordered->Put(by_id[e.family], e.key, e.value);
    if (!s.ok())
      return std::nullopt;
  }
  return ordered;
}

}  // namespace throughline::services
