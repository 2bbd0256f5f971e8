// A write batch's entries in the order the memtables take them fastest.
//
// RocksDB inserts a batch's entries into each column family's memtable (a skip list) in the
// order the batch holds them, each insert starting from where the last one in that memtable
// ended: nearly free for ascending keys, a walk down from the top of the list for keys in random
// order. The writer puts each event's idempotency key, person-index entry and view in event
// order, random within each family, and those inserts were a fifth of an import's CPU. A batch
// is applied whole or not at all, and its entries of different keys commute, so they can go in
// by family and key; the entries of one key keep their order (a delete then a put stays so).

#ifndef THROUGHLINE_SERVICES_MEMTABLE_ORDER_H_
#define THROUGHLINE_SERVICES_MEMTABLE_ORDER_H_

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "services/sorted_entries.h"

namespace throughline::services {

// Below this many entries a batch's keys are few and far apart in each memtable, whatever their
// order, and the copy would be all cost.
inline constexpr std::size_t kMemtableOrderMinEntries = 64;

// `batch`'s entries sorted by (family, key), stably. nullopt when it holds anything but puts
// and deletes, or a family not among `families`: write it as it is.
std::optional<rocksdb::WriteBatch> InMemtableOrder(
    const rocksdb::WriteBatch& batch, const std::vector<rocksdb::ColumnFamilyHandle*>& families);
// The same from a batch's entries sorted already (SortedEntries, as a BatchOverlay holds them),
// which hold about `bytes`.
std::optional<rocksdb::WriteBatch> InMemtableOrder(
    std::span<const BatchEntry> sorted, std::size_t bytes,
    const std::vector<rocksdb::ColumnFamilyHandle*>& families);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_MEMTABLE_ORDER_H_
