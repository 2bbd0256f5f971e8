// A write batch's puts and deletes, sorted by column family and key.
//
// Two writers want a batch's entries in that order: the engine's, because a memtable (a skip
// list) inserts ascending keys nearly free and random ones with a walk from the top
// (memtable_order.h); and the rebuild's, because a table file must hold its keys in order
// (generation_tables.h). The entries are views into the batches' bytes, not copies.

#ifndef THROUGHLINE_SERVICES_SORTED_ENTRIES_H_
#define THROUGHLINE_SERVICES_SORTED_ENTRIES_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <rocksdb/slice.h>
#include <rocksdb/write_batch.h>

namespace throughline::services {

struct BatchEntry {
  std::uint32_t family;  // the column family's id
  bool remove;           // a delete; a put otherwise
  rocksdb::Slice key, value;
};

// The puts and deletes of `batches`, stably sorted by family id and then key, bytewise (every
// family of the store orders its keys so): the entries of one key stay in the order written,
// so a delete then a put of it stays so. Nullopt when a batch holds anything else (merges,
// range deletes, log data).
std::optional<std::vector<BatchEntry>> SortedEntries(std::span<const rocksdb::WriteBatch> batches);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_SORTED_ENTRIES_H_
