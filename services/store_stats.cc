#include "services/store_stats.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "events/event_codec.h"
#include "projections/projection_codec.h"
#include "services/person_record.h"
#include "services/store_keys.h"

namespace throughline::services {

namespace {

// Calls `f(key, value)` for every entry of a family, in key order.
template <class F>
void Scan(const EventStore& store, Family family, F f) {
  auto* handle = store.family(family);
  if (handle == nullptr)
    return;
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(read, handle));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    f(it->key().ToStringView(), it->value().ToStringView());
}

// Every file under `dir`: the table files, and the write-ahead log, which holds all of a store
// whose memtables have not been flushed yet. A file a compaction removes while it is read is
// skipped.
std::uint64_t DirectoryBytes(const std::string& dir) {
  std::uint64_t bytes = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) {
      const std::uintmax_t size = it->file_size(size_error);
      if (!size_error)
        bytes += size;
    }
  }
  return bytes;
}

}  // namespace

StoreStats CollectStoreStats(const EventStore& store,
                             const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  StoreStats s;
  const LogState state = store.state();
  const std::uint64_t total = state.next_sequence - 1;
  Scan(store, Family::kLog, [&](std::string_view key, std::string_view value) {
    auto sequence = DecodeU64Key(key);
    auto record =
        sequence ? DecodeLogRecord(*sequence, value) : Result<LogRecord>(Status::Corruption("key"));
    auto event = record.ok() ? events::DecodeStoredEvent(record->event)
                             : Result<events::Event>(record.status());
    ++s.events;
    ++s.events_by_type[event.ok() ? std::string(event->type_name()) : std::string("(unreadable)")];
    if (progress && s.events % 100000 == 0)
      progress(s.events, total);
  });
  Scan(store, Family::kPersons, [&](std::string_view key, std::string_view value) {
    auto person = DecodeU64Key(key);
    auto record = person ? DecodePersonRecord(*person, value)
                         : Result<PersonRecord>(Status::Corruption("key"));
    if (record.ok() && record->merged_into != 0)
      ++s.persons_merged;
    else
      ++s.persons;
  });
  Scan(store, Family::kIdentity, [&](std::string_view, std::string_view) { ++s.identifiers; });

  // Views, and the people worth a look among them.
  std::uint64_t prolific = 0, recalled = 0, mappa3 = 0;
  std::int32_t most_arrests = -1, mappa3_events = -1;
  Scan(store, Family::kViews, [&](std::string_view key, std::string_view value) {
    ++s.views;
    auto person = DecodeU64Key(key);
    if (!person)
      return;
    auto projection = projections::DecodeProjection(*person, value);
    if (!projection.ok())
      return;
    const projections::PersonView& v = projection->view;
    if (v.counts.arrests > most_arrests) {
      most_arrests = v.counts.arrests;
      prolific = *person;
    }
    if (recalled == 0 && v.licence && v.licence->recalled && v.custody)
      recalled = *person;
    // The fullest record of those at level 3: a record known only by a prison or probation
    // number (not yet linked to the person's PNC) says little.
    if (v.mappa && v.mappa->level == 3 && v.events > mappa3_events) {
      mappa3_events = v.events;
      mappa3 = *person;
    }
  });
  if (prolific != 0)
    s.examples.emplace_back(prolific, fmt::format("the most arrests ({})", most_arrests));
  if (recalled != 0)
    s.examples.emplace_back(recalled, "recalled to custody from licence");
  if (mappa3 != 0)
    s.examples.emplace_back(mappa3, "MAPPA level 3");

  Scan(store, Family::kAlerts, [&](std::string_view key, std::string_view) {
    if (key.starts_with(kAlertPrefix))
      ++s.alerts_raised;
    else if (key.starts_with(kAlertDuePrefix))
      ++s.alerts_pending;
  });
  s.dead_letters = state.next_dead_letter - 1;
  s.dead_letters_published = state.dead_letters_published;
  Scan(store, Family::kMeta, [&](std::string_view key, std::string_view) {
    if (key.starts_with(kGapKeyPrefix))
      ++s.gaps;
  });
  s.offsets = store.StoredOffsets();
  Scan(store, Family::kAudit, [&](std::string_view, std::string_view) { ++s.audit_records; });
  s.disk_bytes = DirectoryBytes(store.db()->GetName());
  if (progress)
    progress(s.events, total);
  return s;
}

void WriteStoreStatsJson(const StoreStats& s, events::JsonWriter* w) {
  auto number = [&](std::string_view key, std::uint64_t v) {
    w->Key(key);
    w->Int(static_cast<std::int64_t>(v));
  };
  w->BeginObject();
  number("events", s.events);
  w->Key("events_by_type");
  w->BeginObject();
  for (const auto& [type, n] : s.events_by_type)
    number(type, n);
  w->EndObject();
  number("persons", s.persons);
  number("persons_merged", s.persons_merged);
  number("identifiers", s.identifiers);
  number("views", s.views);
  number("alerts_raised", s.alerts_raised);
  number("alerts_pending", s.alerts_pending);
  number("dead_letters", s.dead_letters);
  number("dead_letters_published", s.dead_letters_published);
  number("gaps", s.gaps);
  number("audit_records", s.audit_records);
  number("disk_bytes", s.disk_bytes);
  w->Key("offsets");
  w->BeginArray();
  for (const auto& [tp, offset] : s.offsets) {
    w->BeginObject();
    w->Key("topic");
    w->String(tp.first);
    number("partition", static_cast<std::uint64_t>(tp.second));
    number("next_offset", static_cast<std::uint64_t>(offset));
    w->EndObject();
  }
  w->EndArray();
  w->Key("examples");
  w->BeginArray();
  for (const auto& [person, why] : s.examples) {
    w->BeginObject();
    number("person", person);
    w->Key("why");
    w->String(why);
    w->EndObject();
  }
  w->EndArray();
  w->EndObject();
}

StoreMemory StoreMemoryUse(const EventStore& store) {
  StoreMemory use;
  // Active, immutable and pinned memtables.
  store.db()->GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &use.memtables);
  // One cache shared by every family: any family's figure is the whole.
  store.db()->GetIntProperty(rocksdb::DB::Properties::kBlockCacheUsage, &use.block_cache);
  use.record_cache = store.record_cache().bytes();
  return use;
}

double WriteStallSeconds(const EventStore& store) {
  std::string stats;
  if (!store.db()->GetProperty(rocksdb::DB::Properties::kDBStats, &stats))
    return 0;
  // "Cumulative stall: 00:00:1.234 H:M:S, 0.1 percent"
  constexpr std::string_view kLabel = "Cumulative stall: ";
  const auto at = stats.find(kLabel);
  if (at == std::string::npos)
    return 0;
  unsigned long hours = 0, minutes = 0;
  double seconds = 0;
  if (std::sscanf(stats.c_str() + at + kLabel.size(), "%lu:%lu:%lf", &hours, &minutes, &seconds) !=
      3) {
    return 0;
  }
  return static_cast<double>(hours) * 3600 + static_cast<double>(minutes) * 60 + seconds;
}

}  // namespace throughline::services
