// BatchOverlay: a write batch on its way to the store, readable before it lands.
//
// The engine prepares its next batch while the last one is written (log_writer.h): every read
// of that preparation must see the store as it will be once the batch in flight has landed.
// The overlay answers for each key that batch writes (the last write of the key: a put's value
// or a delete) and leaves the rest to the store; StoreView (store_view.h) puts the two together.
// Once the batch has landed the overlay and the store agree, so a read that races the write
// gives the same answer either way.

#ifndef THROUGHLINE_SERVICES_BATCH_OVERLAY_H_
#define THROUGHLINE_SERVICES_BATCH_OVERLAY_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <rocksdb/slice.h>
#include <rocksdb/write_batch.h>

#include "services/sorted_entries.h"

namespace throughline::services {

class BatchOverlay {
 public:
  // The overlay of `batch`, which must outlive it unchanged; nullopt when the batch holds
  // anything but puts and deletes (SortedEntries).
  static std::optional<BatchOverlay> Of(const rocksdb::WriteBatch& batch);

  enum class Found { kAbsent, kPut, kDeleted };
  // The batch's last write of `key` in the family with id `family`; `value` is set for a put.
  Found Get(std::uint32_t family, const rocksdb::Slice& key, rocksdb::Slice* value) const;

  // The family's entries whose keys start with `prefix`, by key; several writes of one key stay
  // in the order written (the last one counts).
  std::span<const BatchEntry> WithPrefix(std::uint32_t family, const rocksdb::Slice& prefix) const;

  // Every entry, by family id and key: what the memtables take fastest (memtable_order.h).
  const std::vector<BatchEntry>& entries() const { return entries_; }

 private:
  explicit BatchOverlay(std::vector<BatchEntry> entries) : entries_(std::move(entries)) {}
  std::vector<BatchEntry> entries_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_BATCH_OVERLAY_H_
