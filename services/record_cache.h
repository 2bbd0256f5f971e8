// RecordCache: log records by sequence, as stored, for the reads that come back to them.
//
// A refold reads every record of the person: a late event changes their fold from its own time
// on, and most of their events come after it (docs/performance.md, stop 35). Those persons are
// in the middle of a burst of events, so the same records, most of them recent, are read again
// minutes later, and each read through RocksDB costs an index seek, a block cache lookup and a
// search of the block, for one record of about 225 bytes. A log record never changes once
// written, so a copy of it is never stale. The cache holds only records that have landed (read
// back from RocksDB, or handed over by the writer once its batch is written), never those of a
// batch still in flight, which a failed write would drop and append again under the same
// sequences.
//
// Direct-mapped: record s lives in slot s mod the number of slots, so the slots hold the most
// recent records of the log, one each, with those read back from further off in between; an
// insert is one slot's copy. An LRU list and hash map cost more to keep up, one cache miss
// after another for each of the 5,000 records a batch lands, than they saved (stop 35).
// Thread-safe: the writer's thread and the projector's helper read at once, on striped locks.

#ifndef THROUGHLINE_SERVICES_RECORD_CACHE_H_
#define THROUGHLINE_SERVICES_RECORD_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace throughline::services {

class RecordCache {
 public:
  // Holds at most `capacity_bytes` of records and slots; below one slot's worth, nothing.
  explicit RecordCache(std::size_t capacity_bytes);
  RecordCache(const RecordCache&) = delete;
  RecordCache& operator=(const RecordCache&) = delete;

  // The stored bytes of record `sequence` into `value` (its buffer reused); false when not held.
  bool Lookup(std::uint64_t sequence, std::string* value);
  // Holds a copy of the stored bytes of a record that has landed, in place of the slot's last.
  // Not held when it would take the cache past its capacity (the slot keeps its last).
  void Insert(std::uint64_t sequence, std::string_view value);

  std::size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

  // The budget a slot is made for: an average record (about 225 bytes in event format 2), its
  // allocation and the slot itself.
  static constexpr std::size_t kBytesPerSlot = 320;

 private:
  struct Slot {
    std::uint64_t sequence = 0;  // 0: empty (sequences start at 1)
    std::string value;
  };
  static constexpr std::size_t kLocks = 64;

  Slot& SlotOf(std::uint64_t sequence) { return slots_[sequence % slots_.size()]; }
  std::mutex& LockOf(std::uint64_t sequence) { return locks_[sequence % slots_.size() % kLocks]; }

  const std::size_t capacity_;
  std::vector<Slot> slots_;
  std::array<std::mutex, kLocks> locks_;
  std::atomic<std::size_t> bytes_{0};
  std::atomic<std::uint64_t> hits_{0}, misses_{0};
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_RECORD_CACHE_H_
