#include "services/store_view.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "services/store_keys.h"

namespace throughline::services {

rocksdb::Status StoreView::Get(Family f, std::string_view key, std::string* value) const {
  rocksdb::ColumnFamilyHandle* family = store_->family(f);
  if (overlay_) {
    rocksdb::Slice found;
    switch (overlay_->Get(family->GetID(), key, &found)) {
      case BatchOverlay::Found::kPut:
        value->assign(found.data(), found.size());
        return rocksdb::Status::OK();
      case BatchOverlay::Found::kDeleted:
        return rocksdb::Status::NotFound();
      case BatchOverlay::Found::kAbsent:
        break;
    }
  }
  return store_->db()->Get(rocksdb::ReadOptions(), family, key, value);
}

Result<std::vector<std::optional<std::string>>> StoreView::MultiGet(
    Family f, const std::vector<std::string>& keys) const {
  rocksdb::ColumnFamilyHandle* family = store_->family(f);
  std::vector<std::optional<std::string>> out(keys.size());
  // Sorted keys let MultiGet walk the files in order; the answers go back in the order asked.
  // Keys the batch in flight writes are answered by it, and not asked of the store.
  std::vector<std::size_t> order;
  order.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    rocksdb::Slice found;
    switch (overlay_ ? overlay_->Get(family->GetID(), keys[i], &found)
                     : BatchOverlay::Found::kAbsent) {
      case BatchOverlay::Found::kPut:
        out[i].emplace(found.data(), found.size());
        break;
      case BatchOverlay::Found::kDeleted:
        break;
      case BatchOverlay::Found::kAbsent:
        order.push_back(i);
        break;
    }
  }
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  std::vector<rocksdb::Slice> slices(order.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    slices[i] = keys[order[i]];
  std::vector<rocksdb::PinnableSlice> values(order.size());
  std::vector<rocksdb::Status> statuses(order.size());
  store_->db()->MultiGet(rocksdb::ReadOptions(), family, slices.size(), slices.data(),
                         values.data(), statuses.data(), /*sorted_input=*/true);
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (statuses[i].IsNotFound())
      continue;
    if (!statuses[i].ok())
      return FromRocks(statuses[i], "reading many keys");
    out[order[i]] = values[i].ToString();
  }
  return out;
}

Result<LogRecord> StoreView::ReadRecord(std::uint64_t sequence) const {
  std::string value;
  rocksdb::Status s = Get(Family::kLog, U64Key(sequence), &value);
  if (s.IsNotFound())
    return Status::NotFound(fmt::format("no log record {}", sequence));
  if (!s.ok())
    return FromRocks(s, fmt::format("reading log record {}", sequence));
  return DecodeLogRecord(sequence, value);
}

Result<std::vector<LogRecord>> StoreView::ReadRecords(
    const std::vector<std::uint64_t>& sequences) const {
  // The batch in flight's own records from it (not landed: never kept); the others from the
  // record cache where it holds them, the rest in one MultiGet of the store, and kept.
  RecordCache& cache = store_->record_cache();
  const std::uint32_t log_id = store_->family(Family::kLog)->GetID();
  std::vector<std::optional<LogRecord>> found(sequences.size());
  auto decode = [&](std::size_t i, std::string_view value) {
    auto record = DecodeLogRecord(sequences[i], value);
    if (record.ok())
      found[i] = std::move(*record);
    return record.status();
  };
  std::vector<std::size_t> asked;
  std::vector<std::string> keys;
  std::string value;
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    std::string key = U64Key(sequences[i]);
    rocksdb::Slice in_flight;
    switch (overlay_ ? overlay_->Get(log_id, key, &in_flight) : BatchOverlay::Found::kAbsent) {
      case BatchOverlay::Found::kPut:
        if (Status s = decode(i, in_flight.ToStringView()); !s.ok())
          return s;
        continue;
      case BatchOverlay::Found::kDeleted:
        return Status::NotFound(fmt::format("no log record {}", sequences[i]));
      case BatchOverlay::Found::kAbsent:
        break;
    }
    if (cache.Lookup(sequences[i], &value)) {
      if (Status s = decode(i, value); !s.ok())
        return s;
      continue;
    }
    asked.push_back(i);
    keys.push_back(std::move(key));
  }
  // The store alone: the overlay has none of these.
  auto stored = StoreView(*store_).MultiGet(Family::kLog, keys);
  if (!stored.ok())
    return stored.status();
  for (std::size_t k = 0; k < asked.size(); ++k) {
    const std::optional<std::string>& landed = (*stored)[k];
    if (!landed)
      return Status::NotFound(fmt::format("no log record {}", sequences[asked[k]]));
    if (Status s = decode(asked[k], *landed); !s.ok())
      return s;
    cache.Insert(sequences[asked[k]], *landed);
  }
  std::vector<LogRecord> records;
  records.reserve(sequences.size());
  for (auto& record : found)
    records.push_back(std::move(*record));
  return records;
}

Result<std::vector<std::optional<std::uint64_t>>> StoreView::FindMany(
    Family f, const std::vector<std::string>& keys) const {
  auto values = MultiGet(f, keys);
  if (!values.ok())
    return values.status();
  std::vector<std::optional<std::uint64_t>> found(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if ((*values)[i])
      found[i] = DecodeFixed64Value(*(*values)[i]);
  }
  return found;
}

Result<std::map<std::uint64_t, PersonRecord>> StoreView::ReadPersons(
    const std::vector<std::uint64_t>& persons) const {
  std::vector<std::string> keys;
  keys.reserve(persons.size());
  for (std::uint64_t person : persons)
    keys.push_back(U64Key(person));
  auto values = MultiGet(Family::kPersons, keys);
  if (!values.ok())
    return values.status();
  std::map<std::uint64_t, PersonRecord> records;
  for (std::size_t i = 0; i < persons.size(); ++i) {
    if (!(*values)[i])
      continue;
    auto record = DecodePersonRecord(persons[i], *(*values)[i]);
    if (!record.ok())
      return record.status();
    records.emplace(persons[i], std::move(*record));
  }
  return records;
}

std::optional<std::uint64_t> StoreView::FindPerson(const events::Identifier& id) const {
  std::string value;
  if (!Get(Family::kIdentity, IdentityKey(id.kind, id.value), &value).ok())
    return std::nullopt;
  return DecodeFixed64Value(value);
}

std::optional<std::uint64_t> StoreView::FindIdempotent(std::string_view source,
                                                       std::string_view id) const {
  std::string value;
  if (!Get(Family::kIdempotency, IdempotencyKey(source, id), &value).ok())
    return std::nullopt;
  return DecodeFixed64Value(value);
}

Result<PersonRecord> StoreView::ReadPerson(std::uint64_t person) const {
  std::string value;
  rocksdb::Status s = Get(Family::kPersons, U64Key(person), &value);
  if (s.IsNotFound())
    return Status::NotFound(fmt::format("no person {}", person));
  if (!s.ok())
    return FromRocks(s, fmt::format("reading person {}", person));
  return DecodePersonRecord(person, value);
}

std::uint64_t StoreView::CurrentPerson(std::uint64_t person) const {
  return CurrentPersons({person}).at(person);
}

std::unordered_map<std::uint64_t, std::uint64_t> StoreView::CurrentPersons(
    const std::vector<std::uint64_t>& persons) const {
  std::unordered_map<std::uint64_t, std::uint64_t> current;
  std::vector<std::uint64_t> asked;
  for (std::uint64_t person : persons) {
    if (current.emplace(person, person).second)
      asked.push_back(person);
  }
  // A person that cannot be read is where the chain stops. Merge chains are short; the bound
  // only guards against a corrupt cycle.
  for (int hops = 0; hops < 64 && !asked.empty(); ++hops) {
    std::sort(asked.begin(), asked.end());
    asked.erase(std::unique(asked.begin(), asked.end()), asked.end());
    auto records = ReadPersons(asked);
    if (!records.ok())
      break;
    std::unordered_map<std::uint64_t, std::uint64_t> moved;  // asked -> merged into
    for (const auto& [person, record] : *records) {
      if (record.merged_into != 0)
        moved.emplace(person, record.merged_into);
    }
    asked.clear();
    for (auto& [person, now] : current) {
      if (auto it = moved.find(now); it != moved.end()) {
        now = it->second;
        asked.push_back(now);
      }
    }
  }
  return current;
}

void StoreView::ForEachPersonEvent(
    std::uint64_t person, const std::function<bool(events::Timestamp, std::uint64_t)>& f) const {
  rocksdb::ColumnFamilyHandle* family = store_->family(Family::kPersonEvents);
  rocksdb::ReadOptions read;
  read.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(read, family));
  const std::string prefix = U64Key(person);
  it->Seek(prefix);
  auto stored_valid = [&] { return it->Valid() && it->key().starts_with(prefix); };
  // The store's entries and the batch in flight's, merged by key; the batch's last write of a
  // key wins over the store's (a delete hides it).
  std::span<const BatchEntry> staged;
  if (overlay_)
    staged = overlay_->WithPrefix(family->GetID(), prefix);
  std::size_t next = 0;
  while (stored_valid() || next < staged.size()) {
    const int order = !stored_valid()         ? 1
                      : next >= staged.size() ? -1
                                              : it->key().compare(staged[next].key);
    std::optional<PersonEventKeyParts> parts;
    if (order < 0) {
      parts = DecodePersonEventKey(it->key().ToStringView());
    } else {
      while (next + 1 < staged.size() && staged[next + 1].key == staged[next].key)
        ++next;  // the last write of the key counts
      if (!staged[next].remove)
        parts = DecodePersonEventKey(staged[next].key.ToStringView());
      ++next;
    }
    if (order <= 0)
      it->Next();  // after decoding: the iterator's key is gone once it moves
    if (parts && !f(parts->time, parts->sequence))
      return;
  }
}

}  // namespace throughline::services
