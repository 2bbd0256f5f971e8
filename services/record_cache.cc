#include "services/record_cache.h"

namespace throughline::services {

namespace {

// What a string's own allocation holds for `capacity` characters: none while they fit inside it.
std::size_t HeapBytesFor(std::size_t capacity) {
  return capacity > std::string().capacity() ? capacity + 1 : 0;
}

}  // namespace

RecordCache::RecordCache(std::size_t capacity_bytes)
    : capacity_(capacity_bytes), slots_(capacity_bytes / kBytesPerSlot) {
  bytes_ = slots_.size() * sizeof(Slot);
}

bool RecordCache::Lookup(std::uint64_t sequence, std::string* value) {
  if (slots_.empty())
    return false;
  std::lock_guard lock(LockOf(sequence));
  const Slot& slot = SlotOf(sequence);
  if (slot.sequence != sequence) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  value->assign(slot.value);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void RecordCache::Insert(std::uint64_t sequence, std::string_view value) {
  if (slots_.empty() || sequence == 0)
    return;
  std::lock_guard lock(LockOf(sequence));
  Slot& slot = SlotOf(sequence);
  if (slot.sequence == sequence)
    return;  // the same bytes: a record never changes once landed
  // Each record in a buffer of its own size, so that the bytes counted are the bytes held: a
  // slot's buffer reused would keep the largest record it ever held.
  const std::size_t before = HeapBytesFor(slot.value.capacity());
  const std::size_t after = HeapBytesFor(value.size());
  if (after > before) {
    std::size_t held = bytes_.load(std::memory_order_relaxed);
    do {
      if (held + (after - before) > capacity_)
        return;
    } while (
        !bytes_.compare_exchange_weak(held, held + (after - before), std::memory_order_relaxed));
  } else {
    bytes_.fetch_sub(before - after, std::memory_order_relaxed);
  }
  slot.value = std::string(value);
  slot.sequence = sequence;
}

}  // namespace throughline::services
