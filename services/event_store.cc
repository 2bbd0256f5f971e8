#include "services/event_store.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <stdlib.h>
#include <unistd.h>

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "services/memtable_order.h"
#include "services/rocks_logger.h"
#include "services/store_keys.h"
#include "services/store_view.h"

namespace throughline::services {

namespace {

// In the order of Family.
constexpr const char* kFamilyNames[] = {kMetaFamily,        kLogFamily,      kPersonEventsFamily,
                                        kIdempotencyFamily, kIdentityFamily, kPersonsFamily,
                                        kDeadLettersFamily, kAuditFamily};
constexpr const char* kProjectionFamilyNames[] = {kViewsFamily, kCohortsFamily, kAlertsFamily};

std::string ProjectionFamilyName(const char* base, std::uint64_t generation) {
  return fmt::format("{}.{}", base, generation);
}

// "views.3" -> 3.
std::optional<std::uint64_t> ProjectionGenerationOf(const std::string& name) {
  for (const char* base : kProjectionFamilyNames) {
    const std::string prefix = std::string(base) + ".";
    if (name.starts_with(prefix) && name.size() > prefix.size()) {
      std::uint64_t g = 0;
      for (char c : name.substr(prefix.size())) {
        if (c < '0' || c > '9')
          return std::nullopt;
        g = g * 10 + static_cast<std::uint64_t>(c - '0');
      }
      return g;
    }
  }
  return std::nullopt;
}

Family FamilyOfName(const std::string& name) {
  for (std::size_t i = 0; i < std::size(kFamilyNames); ++i) {
    if (name == kFamilyNames[i])
      return static_cast<Family>(i);
  }
  if (name.starts_with(kViewsFamily))
    return Family::kViews;
  if (name.starts_with(kCohortsFamily))
    return Family::kCohorts;
  return Family::kAlerts;
}

// The memtable filter's share of the write buffer that gives 16 bits a key (6 probes: about
// one false positive in a thousand) to a full memtable of entries of about `entry_bytes`
// (key, value and the skip list's node; measured on a generated store in event format 1).
// Format 2's entries are smaller, so a full memtable's filter has fewer bits a key: sized for
// them (a larger filter, zeroed in the write path), the subscription's p99 failed in more runs
// (stop 33, docs/performance.md), so the sizes stay until measured. A memtable sealed
// early, as most are by the WAL bound, has more bits a key.
constexpr double MemtableBloomRatio(double entry_bytes) { return 16.0 / (8.0 * entry_bytes); }

rocksdb::ColumnFamilyOptions FamilyOptions(Family family,
                                           const std::shared_ptr<rocksdb::Cache>& cache,
                                           std::size_t write_buffer_bytes) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Partitioned indexes and filters: a whole-file filter of a large SST (about 1 MiB per
  // 800,000 keys) does not fit in one shard of the LRU cache (capacity / 64), so it was read
  // from the file again on every lookup: 4,000 lookups a second instead of 100,000s. In
  // 4 KiB partitions they cache like data blocks, and the small top level stays pinned.
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  cf.compression = rocksdb::kLZ4Compression;
  // LZ4 at every level, the last too: ZSTD there cost 7% of ingest's CPU in compactions on
  // 2 cores, and every read of an old record paid for its slower decompression.
  cf.bottommost_compression = rocksdb::kLZ4Compression;
  // A bloom filter on each memtable's keys: most lookups miss the memtable (a new event's
  // idempotency key, an old record, an identifier seen months ago), and without it each miss
  // walked the skip list, a cache miss per level; ingest went from 18,100 to 21,700 events/s
  // (docs/performance.md). It is sized for the family's entries, not as one share of every
  // budget: a new memtable's filter is zeroed in the write path, and when the WAL bound seals
  // all eleven memtables at once, 5% of each budget (21 MiB) held that write for 70-140 ms.
  cf.memtable_whole_key_filtering = true;
  // Each batch is inserted in key order (memtable_order.h). Without a hint RocksDB searches
  // the skip list from its top for every key that does not land right after the one before;
  // with one (a single prefix: the empty one) it climbs from where the last insert was only as
  // far as it must, about log(keys between) levels rather than log(keys in the memtable).
  cf.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(0));
  switch (family) {
    case Family::kLog:
      // Sequential keys, read by key (a refold's records, mostly older than the memtable).
      cf.write_buffer_size = write_buffer_bytes / 4;
      cf.memtable_prefix_bloom_size_ratio = MemtableBloomRatio(330);
      break;
    case Family::kDeadLetters:
    case Family::kAudit:
      // Sequential keys, read in order: no filter needed.
      cf.write_buffer_size = write_buffer_bytes / 4;
      break;
    case Family::kPersonEvents:
      // Read by person prefix: a prefix bloom filter on the 8-byte person id.
      cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      table.whole_key_filtering = false;
      cf.memtable_whole_key_filtering = false;
      cf.write_buffer_size = write_buffer_bytes / 8;
      cf.memtable_prefix_bloom_size_ratio = MemtableBloomRatio(56);
      break;
    case Family::kIdempotency:
    case Family::kIdentity:
      // Point lookups that mostly miss (a new event, a new identifier): bloom filters make a
      // miss cost no disk read.
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      cf.optimize_filters_for_hits = false;
      cf.write_buffer_size = write_buffer_bytes / 8;
      cf.memtable_prefix_bloom_size_ratio =
          MemtableBloomRatio(family == Family::kIdentity ? 50 : 100);
      break;
    case Family::kViews:
    case Family::kCohorts:
    case Family::kAlerts:
      // Views are read by person id; cohorts and alerts by prefix scans.
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      cf.write_buffer_size = write_buffer_bytes / 8;
      cf.memtable_prefix_bloom_size_ratio = MemtableBloomRatio(family == Family::kViews     ? 650
                                                               : family == Family::kCohorts ? 50
                                                                                            : 110);
      break;
    case Family::kMeta:
    case Family::kPersons:
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      cf.write_buffer_size = write_buffer_bytes / 16;
      cf.memtable_prefix_bloom_size_ratio = MemtableBloomRatio(family == Family::kMeta ? 60 : 90);
      break;
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

std::optional<std::uint64_t> GetU64(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                    std::string_view key) {
  std::string value;
  if (!db->Get(rocksdb::ReadOptions(), cf, key, &value).ok())
    return std::nullopt;
  return DecodeFixed64Value(value);
}

}  // namespace

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok())
    return Status::OK();
  std::string message = fmt::format("{}: {}", what, s.ToString());
  if (s.IsNotFound())
    return Status::NotFound(message);
  if (s.IsCorruption())
    return Status::Corruption(message);
  if (s.IsNotSupported())
    return Status::NotSupported(message);
  if (s.IsInvalidArgument())
    return Status::InvalidArgument(message);
  if (s.IsBusy() || s.IsTryAgain())
    return Status::Busy(message);
  return Status::IOError(message);
}

Result<std::unique_ptr<EventStore>> EventStore::Open(const std::string& dir,
                                                     const StoreOptions& options, OpenMode mode) {
  std::unique_ptr<EventStore> store(new EventStore());
  store->dir_ = dir;
  store->options_ = options;
  store->mode_ = mode;
  store->write_options_.sync = options.sync;

  std::error_code ec;
  const std::string path = dir + "/db";
  if (mode == OpenMode::kReadWrite) {
    std::filesystem::create_directories(path, ec);
    if (ec) {
      return Status::IOError(fmt::format("cannot create data directory {}: {}", dir, ec.message()));
    }
  } else if (!std::filesystem::exists(path + "/CURRENT", ec)) {
    return Status::NotFound(
        fmt::format("no Throughline data in {}: check --data (expected {}/db)", dir, dir));
  }

  // The caches and memtables fill up to their sizes as the engine runs (the record cache's
  // slots at once): sizes beyond the machine's memory would end in the kernel's OOM killer.
  const std::uint64_t machine = static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) *
                                static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  const std::uint64_t configured = std::uint64_t{options.block_cache_bytes} +
                                   options.write_buffer_bytes + options.record_cache_bytes;
  if (machine > 0 && configured > machine) {
    return Status::InvalidArgument(fmt::format(
        "the store's memory (block cache {} MiB, memtables {} MiB, record cache {} MiB) is more "
        "than this machine's {} MiB: lower --block-cache-mb, --write-buffer-mb or "
        "--record-cache-mb",
        options.block_cache_bytes >> 20, options.write_buffer_bytes >> 20,
        options.record_cache_bytes >> 20, machine >> 20));
  }
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = mode == OpenMode::kReadWrite;
  db_options.create_missing_column_families = mode == OpenMode::kReadWrite;
  db_options.max_total_wal_size = options.max_wal_bytes;
  db_options.db_write_buffer_size = options.write_buffer_bytes;
  db_options.max_background_jobs = 2;
  if (options.env)
    db_options.env = options.env.get();
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 5;
  // Recovered memtables stay in memory and flush later, in the background: a start after a
  // crash does not wait for them.
  db_options.avoid_flush_during_recovery = true;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // Not db/LOG on the data disk: a full disk must not take the logger, and the engine, down.
  // (A secondary logs into its own directory elsewhere, as before, not into a reader's output.)
  if (mode == OpenMode::kReadWrite)
    db_options.info_log = std::make_shared<RocksLogger>(db_options.info_log_level);
  store->listener_ = std::make_shared<StoreListener>();
  db_options.listeners.push_back(store->listener_);
  if (mode == OpenMode::kSecondary)
    db_options.max_open_files = -1;  // required by secondaries

  // Every column family in the directory must be opened: the fixed ones, and each generation
  // of the projection families (the current one, and any an interrupted rebuild left).
  std::vector<std::string> existing;
  if (!rocksdb::DB::ListColumnFamilies(db_options, path, &existing).ok())
    existing.clear();
  // A reader of a directory no engine has opened since a fixed family was added does without
  // it (its handle stays null); an engine creates it.
  std::vector<std::string> names;
  for (const char* name : kFamilyNames) {
    if (mode == OpenMode::kReadWrite ||
        std::find(existing.begin(), existing.end(), name) != existing.end()) {
      names.push_back(name);
    }
  }
  const auto is_projection = [](const std::string& name) {
    return ProjectionGenerationOf(name).has_value();
  };
  for (const auto& name : existing) {
    if (is_projection(name))
      names.push_back(name);
  }
  if (std::none_of(names.begin(), names.end(), is_projection)) {
    for (const char* base : kProjectionFamilyNames)
      names.push_back(ProjectionFamilyName(base, 1));
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) {
    descriptors.emplace_back(name,
                             FamilyOptions(FamilyOfName(name), cache, options.write_buffer_bytes));
  }
  store->cache_ = cache;
  // A reader beside the engine appends nothing, and a command reads each record it needs once:
  // slots would cost it only their first touch (8 MiB at the default size).
  store->record_cache_ =
      std::make_unique<RecordCache>(mode == OpenMode::kReadWrite ? options.record_cache_bytes : 0);
  rocksdb::DB* db = nullptr;
  rocksdb::Status s;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  if (mode == OpenMode::kReadWrite) {
    s = rocksdb::DB::Open(db_options, path, descriptors, &handles, &db);
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return Status::Busy(fmt::format(
          "{} is in use by another engine (its lock is held): stop that engine, or choose "
          "another --data",
          dir));
    }
  } else {
    std::string temp = (std::filesystem::temp_directory_path() / "throughline-reader-XXXXXX");
    if (mkdtemp(temp.data()) == nullptr) {
      return Status::IOError("cannot create a temporary directory for the reader");
    }
    store->secondary_dir_ = temp;
    s = rocksdb::DB::OpenAsSecondary(db_options, path, temp, descriptors, &handles, &db);
  }
  if (!s.ok())
    return FromRocks(s, fmt::format("opening the store in {}", dir));
  store->db_.reset(db);
  store->handles_ = handles;
  for (auto* handle : handles) {
    for (std::size_t i = 0; i < std::size(kFamilyNames); ++i) {
      if (handle->GetName() == kFamilyNames[i])
        store->families_[i] = handle;
    }
  }

  // The format version is written once, by the first engine to open the directory.
  std::string version;
  auto* meta = store->family(Family::kMeta);
  s = db->Get(rocksdb::ReadOptions(), meta, kFormatVersionKey, &version);
  if (s.IsNotFound() && mode == OpenMode::kReadWrite) {
    version.assign(1, static_cast<char>(kStoreFormatVersion));
    s = db->Put(rocksdb::WriteOptions(), meta, kFormatVersionKey, version);
  }
  if (!s.ok())
    return FromRocks(s, "reading the store's format version");
  if (version.size() != 1 || static_cast<std::uint8_t>(version[0]) != kStoreFormatVersion) {
    return Status::NotSupported(fmt::format(
        "{} holds store format {}, this engine reads format {}: use a matching engine", dir,
        version.empty() ? 0 : static_cast<int>(static_cast<std::uint8_t>(version[0])),
        kStoreFormatVersion));
  }
  if (Status st = store->SelectProjectionGeneration(); !st.ok())
    return st;
  if (Status st = store->LoadState(); !st.ok())
    return st;
  return store;
}

Status EventStore::SelectProjectionGeneration() {
  const std::uint64_t generation =
      GetU64(db(), family(Family::kMeta), kProjectionGenerationKey).value_or(1);
  for (std::size_t i = 0; i < std::size(kProjectionFamilyNames); ++i) {
    const std::string name = ProjectionFamilyName(kProjectionFamilyNames[i], generation);
    rocksdb::ColumnFamilyHandle* found = nullptr;
    for (auto* handle : handles_) {
      if (handle->GetName() == name)
        found = handle;
    }
    if (found == nullptr) {
      return Status::Corruption(fmt::format("the store has no column family {}", name));
    }
    projection_[i] = found;
  }
  projection_generation_ = generation;
  // Generations other than the current one are left from a rebuild that did not finish, or
  // from one whose old views were not dropped yet: drop them now.
  if (mode_ == OpenMode::kReadWrite) {
    for (auto* handle : handles_) {
      auto g = ProjectionGenerationOf(handle->GetName());
      if (g && *g != generation)
        db_->DropColumnFamily(handle).PermitUncheckedError();
    }
  }
  return Status::OK();
}

Result<ProjectionFamilies> EventStore::CreateProjectionGeneration() {
  ProjectionFamilies next;
  next.generation = projection_generation_ + 1;
  std::lock_guard lock(handles_mu_);
  for (std::size_t i = 0; i < std::size(kProjectionFamilyNames); ++i) {
    const std::string name = ProjectionFamilyName(kProjectionFamilyNames[i], next.generation);
    for (auto* handle : handles_) {
      if (handle->GetName() == name)
        db_->DropColumnFamily(handle).PermitUncheckedError();
    }
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    rocksdb::Status s = db_->CreateColumnFamily(
        FamilyOptions(FamilyOfName(name), cache_, options_.write_buffer_bytes), name, &handle);
    if (!s.ok())
      return FromRocks(s, "creating " + name);
    handles_.push_back(handle);
    next.families[i] = handle;
  }
  return next;
}

Status EventStore::SwitchProjectionGeneration(const ProjectionFamilies& next,
                                              std::uint8_t projection_version) {
  // A rebuild's tables are durable once ingested; this flush is for anything written to the
  // generation through the memtables, so that all of it is in files before anything points at it.
  std::vector<rocksdb::ColumnFamilyHandle*> filled(next.families.begin(), next.families.end());
  if (Status s = FromRocks(db_->Flush(rocksdb::FlushOptions(), filled), "flushing the new views");
      !s.ok()) {
    return s;
  }
  rocksdb::WriteBatch batch;
  batch.Put(family(Family::kMeta), kProjectionGenerationKey, Fixed64Value(next.generation));
  batch.Put(family(Family::kMeta), kProjectionVersionKey,
            std::string(1, static_cast<char>(projection_version)));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  if (Status s = FromRocks(db_->Write(sync, &batch), "switching to the new views"); !s.ok()) {
    return s;
  }
  std::array<rocksdb::ColumnFamilyHandle*, 3> old;
  for (std::size_t i = 0; i < old.size(); ++i)
    old[i] = projection_[i].exchange(next.families[i]);
  projection_generation_ = next.generation;
  // Readers may still hold the old handles; dropping keeps them readable until closed.
  for (auto* handle : old)
    db_->DropColumnFamily(handle).PermitUncheckedError();
  return Status::OK();
}

std::optional<std::uint8_t> EventStore::ProjectionVersion() const {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), family(Family::kMeta), kProjectionVersionKey, &value)
           .ok() ||
      value.size() != 1) {
    return std::nullopt;
  }
  return static_cast<std::uint8_t>(value[0]);
}

Status EventStore::SetProjectionVersion(std::uint8_t version) {
  return FromRocks(db_->Put(rocksdb::WriteOptions(), family(Family::kMeta), kProjectionVersionKey,
                            std::string(1, static_cast<char>(version))),
                   "writing the projection version");
}

EventStore::~EventStore() {
  if (db_) {
    for (auto* handle : handles_)
      db_->DestroyColumnFamilyHandle(handle);
    db_->Close().PermitUncheckedError();
    db_.reset();
  }
  if (!secondary_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_dir_, ec);
  }
}

Status EventStore::LoadState() {
  auto* meta = family(Family::kMeta);
  LogState state;
  state.next_sequence = GetU64(db(), meta, kNextSequenceKey).value_or(1);
  state.next_person = GetU64(db(), meta, kNextPersonKey).value_or(1);
  state.next_dead_letter = GetU64(db(), meta, kNextDeadLetterKey).value_or(1);
  state.dead_letters_published = GetU64(db(), meta, kDeadLettersPublishedKey).value_or(0);
  std::string hash;
  if (db()->Get(rocksdb::ReadOptions(), meta, kLastHashKey, &hash).ok()) {
    if (hash.size() != state.last_hash.size()) {
      return Status::Corruption("metadata: last_hash is not 32 bytes");
    }
    std::copy(hash.begin(), hash.end(), state.last_hash.begin());
  }
  set_state(state);
  return Status::OK();
}

LogState EventStore::state() const {
  std::lock_guard lock(state_mu_);
  return state_;
}

void EventStore::set_state(const LogState& state) {
  std::lock_guard lock(state_mu_);
  state_ = state;
}

Status EventStore::Write(rocksdb::WriteBatch* batch, std::span<const BatchEntry> sorted) {
  if (batch->Count() >= kMemtableOrderMinEntries) {
    std::vector<rocksdb::ColumnFamilyHandle*> families;
    {
      std::lock_guard lock(handles_mu_);
      families = handles_;
    }
    auto ordered = sorted.size() == batch->Count()
                       ? InMemtableOrder(sorted, batch->GetDataSize(), families)
                       : InMemtableOrder(*batch, families);
    if (ordered)
      return FromRocks(db_->Write(write_options_, &*ordered), "writing a batch");
  }
  return FromRocks(db_->Write(write_options_, batch), "writing a batch");
}

Status EventStore::IngestIntoGeneration(rocksdb::ColumnFamilyHandle* family,
                                        const std::vector<std::string>& files) {
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;  // hard links where it can, copies where it cannot
  return FromRocks(db_->IngestExternalFile(family, files, ingest),
                   "moving the rebuilt " + family->GetName() + " into the store");
}

StoreError EventStore::background_error() const { return listener_->error(); }

Status EventStore::Resume() {
  Status s = FromRocks(db_->Resume(), "resuming writes");
  if (s.ok())
    listener_->Clear();
  return s;
}

Status EventStore::CatchUp() {
  if (mode_ != OpenMode::kSecondary)
    return Status::OK();
  if (Status s = FromRocks(db_->TryCatchUpWithPrimary(), "catching up with the engine"); !s.ok()) {
    return s;
  }
  return LoadState();
}

Status EventStore::Flush() {
  if (mode_ != OpenMode::kReadWrite)
    return Status::OK();
  rocksdb::FlushOptions flush;
  std::vector<rocksdb::ColumnFamilyHandle*> current(families_.begin(), families_.end());
  for (const auto& p : projection_)
    current.push_back(p.load());
  return FromRocks(db_->Flush(flush, current), "flushing");
}

// The reads, of the store as it is: StoreView's (store_view.h).
Result<std::vector<std::optional<std::string>>> EventStore::MultiGet(
    Family family, const std::vector<std::string>& keys) const {
  return StoreView(*this).MultiGet(family, keys);
}
Result<LogRecord> EventStore::ReadRecord(std::uint64_t sequence) const {
  return StoreView(*this).ReadRecord(sequence);
}
Result<std::vector<LogRecord>> EventStore::ReadRecords(
    const std::vector<std::uint64_t>& sequences) const {
  return StoreView(*this).ReadRecords(sequences);
}
std::optional<std::uint64_t> EventStore::FindPerson(const events::Identifier& id) const {
  return StoreView(*this).FindPerson(id);
}
std::optional<std::uint64_t> EventStore::FindIdempotent(std::string_view source,
                                                        std::string_view id) const {
  return StoreView(*this).FindIdempotent(source, id);
}
Result<std::vector<std::optional<std::uint64_t>>> EventStore::FindMany(
    Family family, const std::vector<std::string>& keys) const {
  return StoreView(*this).FindMany(family, keys);
}
Result<PersonRecord> EventStore::ReadPerson(std::uint64_t person) const {
  return StoreView(*this).ReadPerson(person);
}
Result<std::map<std::uint64_t, PersonRecord>> EventStore::ReadPersons(
    const std::vector<std::uint64_t>& persons) const {
  return StoreView(*this).ReadPersons(persons);
}
std::uint64_t EventStore::CurrentPerson(std::uint64_t person) const {
  return StoreView(*this).CurrentPerson(person);
}
std::unordered_map<std::uint64_t, std::uint64_t> EventStore::CurrentPersons(
    const std::vector<std::uint64_t>& persons) const {
  return StoreView(*this).CurrentPersons(persons);
}
void EventStore::ForEachPersonEvent(
    std::uint64_t person, const std::function<bool(events::Timestamp, std::uint64_t)>& f) const {
  StoreView(*this).ForEachPersonEvent(person, f);
}

std::map<std::pair<std::string, std::int32_t>, std::int64_t> EventStore::StoredOffsets() const {
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> offsets;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(Family::kMeta)));
  for (it->Seek(kOffsetKeyPrefix); it->Valid() && it->key().starts_with(kOffsetKeyPrefix);
       it->Next()) {
    auto parts = DecodeOffsetKey(it->key().ToStringView());
    auto value = DecodeFixed64Value(it->value().ToStringView());
    if (parts && value) {
      offsets[{parts->topic, parts->partition}] = static_cast<std::int64_t>(*value);
    }
  }
  return offsets;
}

}  // namespace throughline::services
