#include "services/sorted_entries.h"

#include <algorithm>

namespace throughline::services {

namespace {

// Puts and deletes; anything else (merges, ranges, transactions' markers) fails the iteration,
// as the Handler's defaults do for all but log data.
class Collect : public rocksdb::WriteBatch::Handler {
 public:
  explicit Collect(std::vector<BatchEntry>* entries) : entries_(entries) {}

  rocksdb::Status PutCF(std::uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    entries_->push_back({family, false, key, value});
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(std::uint32_t family, const rocksdb::Slice& key) override {
    entries_->push_back({family, true, key, {}});
    return rocksdb::Status::OK();
  }
  void LogData(const rocksdb::Slice&) override { other = true; }

  bool other = false;

 private:
  std::vector<BatchEntry>* entries_;
};

}  // namespace

std::optional<std::vector<BatchEntry>> SortedEntries(std::span<const rocksdb::WriteBatch> batches) {
  std::vector<BatchEntry> entries;
  std::size_t count = 0;
  for (const auto& batch : batches)
    count += batch.Count();
  entries.reserve(count);
  Collect collect(&entries);
  for (const auto& batch : batches) {
    if (!batch.Iterate(&collect).ok() || collect.other)
      return std::nullopt;
  }
  std::stable_sort(entries.begin(), entries.end(), [](const BatchEntry& a, const BatchEntry& b) {
    return a.family != b.family ? a.family < b.family : a.key.compare(b.key) < 0;
  });
  return entries;
}

}  // namespace throughline::services
