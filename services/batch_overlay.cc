#include "services/batch_overlay.h"

#include <algorithm>

namespace throughline::services {

namespace {

// Orders entries and (family, key) probes alike: family id, then key bytewise.
struct ByFamilyKey {
  bool operator()(const BatchEntry& e, std::pair<std::uint32_t, rocksdb::Slice> k) const {
    return e.family != k.first ? e.family < k.first : e.key.compare(k.second) < 0;
  }
  bool operator()(std::pair<std::uint32_t, rocksdb::Slice> k, const BatchEntry& e) const {
    return k.first != e.family ? k.first < e.family : k.second.compare(e.key) < 0;
  }
};

}  // namespace

std::optional<BatchOverlay> BatchOverlay::Of(const rocksdb::WriteBatch& batch) {
  auto entries = SortedEntries({&batch, 1});
  if (!entries)
    return std::nullopt;
  return BatchOverlay(std::move(*entries));
}

BatchOverlay::Found BatchOverlay::Get(std::uint32_t family, const rocksdb::Slice& key,
                                      rocksdb::Slice* value) const {
  const auto [first, last] =
      std::equal_range(entries_.begin(), entries_.end(), std::pair(family, key), ByFamilyKey{});
  if (first == last)
    return Found::kAbsent;
  const BatchEntry& latest = *(last - 1);  // a stable sort keeps one key's writes in order
  if (latest.remove)
    return Found::kDeleted;
  *value = latest.value;
  return Found::kPut;
}

std::span<const BatchEntry> BatchOverlay::WithPrefix(std::uint32_t family,
                                                     const rocksdb::Slice& prefix) const {
  auto first =
      std::lower_bound(entries_.begin(), entries_.end(), std::pair(family, prefix), ByFamilyKey{});
  auto last = first;
  while (last != entries_.end() && last->family == family && last->key.starts_with(prefix))
    ++last;
  return {first, last};
}

}  // namespace throughline::services
