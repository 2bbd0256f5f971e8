// StoreStats: what is in a data directory, for operators (`throughline admin stats`): events by
// type, persons, identifiers, sizes, dead letters, gaps, offsets, audit records, views and
// alerts, and a few people worth a look (the most prolific, someone recalled, a MAPPA level 3
// nominal). Reads everything once; thread-safe (RocksDB reads).

#ifndef THROUGHLINE_SERVICES_STORE_STATS_H_
#define THROUGHLINE_SERVICES_STORE_STATS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "events/json_writer.h"
#include "services/event_store.h"

namespace throughline::services {

struct StoreStats {
  std::uint64_t events = 0;
  std::map<std::string, std::uint64_t> events_by_type;
  std::uint64_t persons = 0;         // current (not merged into another)
  std::uint64_t persons_merged = 0;  // records merged into another
  std::uint64_t identifiers = 0;
  std::uint64_t views = 0;
  std::uint64_t alerts_raised = 0;
  std::uint64_t alerts_pending = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t dead_letters_published = 0;
  std::uint64_t gaps = 0;  // offset ranges lost before they were read
  std::uint64_t audit_records = 0;
  std::uint64_t disk_bytes = 0;  // the store's directory: table files, write-ahead log, manifest
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> offsets;
  // People worth a look: (person, why).
  std::vector<std::pair<std::uint64_t, std::string>> examples;
};

// `progress(done, total)` every so often while the log is read.
StoreStats CollectStoreStats(const EventStore& store,
                             const std::function<void(std::uint64_t, std::uint64_t)>& progress);

void WriteStoreStatsJson(const StoreStats& stats, events::JsonWriter* w);

// What the store holds in memory now, each bounded by its StoreOptions: RocksDB's memtables of
// every family (write_buffer_bytes) and its shared block cache (block_cache_bytes), and the
// record cache (record_cache_bytes). The engine's own memory is its RSS less these.
struct StoreMemory {
  std::uint64_t memtables = 0;
  std::uint64_t block_cache = 0;
  std::uint64_t record_cache = 0;
};
StoreMemory StoreMemoryUse(const EventStore& store);

// How long RocksDB has held the store's writes back since it opened: writers slowed or stopped
// while flushes or compactions caught up (its "Cumulative stall", to the millisecond). RocksDB
// 7.8 has no number property for it, and its listener is told of a stall that a write began
// only once that write is through, so the DB stats' text is read.
double WriteStallSeconds(const EventStore& store);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_STORE_STATS_H_
