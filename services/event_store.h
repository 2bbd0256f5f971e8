// EventStore: the RocksDB database behind the log, its indexes and its metadata.
//
// One database, one column family per concept (store_keys.h, docs/formats.md "The store").
// The store does no logic of its own: LogWriter decides what to write, readers decide what to
// read. Opening reads a handful of metadata keys and never scans, so start-up time does not
// grow with the log.
//
// Thread safety: reads are safe from any thread. Write() may be called from one thread at a
// time (the LogWriter's); RocksDB serialises it with readers.

#ifndef THROUGHLINE_SERVICES_EVENT_STORE_H_
#define THROUGHLINE_SERVICES_EVENT_STORE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "events/identifiers.h"
#include "events/status.h"
#include "services/log_record.h"
#include "services/person_record.h"
#include "services/record_cache.h"
#include "services/sorted_entries.h"
#include "services/store_listener.h"

namespace throughline::services {

struct StoreOptions {
  // Fsync the write-ahead log with every batch before it counts as written. Off, a machine
  // crash (not a process crash) can lose the last batches. Default: true
  bool sync = true;
  // Shared block cache for reads of every column family. Default: 256 MiB
  std::size_t block_cache_bytes = std::size_t{256} << 20;
  // Log records held in memory for the reads that come back to them (record_cache.h): the
  // refolds of persons with a late event. 0: none; none either in a store opened kSecondary.
  // Default: 64 MiB
  std::size_t record_cache_bytes = std::size_t{64} << 20;
  // Memtable budget across all column families. Default: 256 MiB
  std::size_t write_buffer_bytes = std::size_t{256} << 20;
  // Write-ahead log size that forces memtables to flush; bounds the log replayed after a
  // crash, and so the restart time. Smaller flushes more often, into more and smaller files
  // that every lookup must probe (16 MiB cost ingest about 10% of its CPU). Default: 64 MiB
  std::uint64_t max_wal_bytes = std::uint64_t{64} << 20;
  // The environment RocksDB works through: for tests that inject file system faults.
  // Default: null, the machine's own
  std::shared_ptr<rocksdb::Env> env;
};

enum class OpenMode {
  kReadWrite,  // the engine: one process per data directory (RocksDB's lock enforces it)
  kSecondary,  // a reader beside a running engine (log, verify): follows it with CatchUp()
};

// The log's position, read from the metadata when the store opens and advanced by LogWriter.
struct LogState {
  std::uint64_t next_sequence = 1;
  RecordHash last_hash{};  // hash of record next_sequence - 1; zeros when the log is empty
  std::uint64_t next_person = 1;
  std::uint64_t next_dead_letter = 1;
  std::uint64_t dead_letters_published = 0;  // dead letters 1..this are on the DLQ topic
};

enum class Family {
  kMeta,
  kLog,
  kPersonEvents,
  kIdempotency,
  kIdentity,
  kPersons,
  kDeadLetters,
  kAudit,
  // The projections' families: the generation current now (see CreateProjectionGeneration).
  kViews,
  kCohorts,
  kAlerts,
};

// One generation of the projection families, being built by a rebuild.
struct ProjectionFamilies {
  std::uint64_t generation = 0;
  std::array<rocksdb::ColumnFamilyHandle*, 3> families{};  // views, cohorts, alerts
  rocksdb::ColumnFamilyHandle* views() const { return families[0]; }
  rocksdb::ColumnFamilyHandle* cohorts() const { return families[1]; }
  rocksdb::ColumnFamilyHandle* alerts() const { return families[2]; }
};

// A RocksDB status as ours, saying what was being done: "writing a batch: IO error: ...".
Status FromRocks(const rocksdb::Status& s, std::string_view what);

class EventStore {
 public:
  // `dir` is the engine's data directory; the database lives in `dir`/db. A read-write open
  // creates it when missing. A secondary open needs an existing database.
  static Result<std::unique_ptr<EventStore>> Open(const std::string& dir,
                                                  const StoreOptions& options,
                                                  OpenMode mode = OpenMode::kReadWrite);
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Thread-safe: the writer advances the state while other threads read it.
  LogState state() const;
  void set_state(const LogState& state);
  const StoreOptions& options() const { return options_; }
  const std::string& dir() const { return dir_; }
  OpenMode mode() const { return mode_; }

  rocksdb::DB* db() const { return db_.get(); }
  // Landed log records, for StoreView's reads and the writer's landed batches.
  RecordCache& record_cache() const { return *record_cache_; }
  rocksdb::ColumnFamilyHandle* family(Family f) const {
    const auto i = static_cast<std::size_t>(f);
    return i < families_.size() ? families_[i] : projection_[i - families_.size()].load();
  }

  // Rebuilding the projections: a new generation of their families is created and filled
  // beside the current one, then switched to in one synced metadata write; the old one is
  // dropped. Until the switch every reader sees the old views. A generation left by a rebuild
  // that did not finish is dropped at the next open.
  Result<ProjectionFamilies> CreateProjectionGeneration();
  Status SwitchProjectionGeneration(const ProjectionFamilies& next,
                                    std::uint8_t projection_version);
  // The projection version the current views were built by; nullopt when never recorded.
  std::optional<std::uint8_t> ProjectionVersion() const;
  Status SetProjectionVersion(std::uint8_t version);

  // Writes a batch with the configured sync policy; a large one in memtable order
  // (memtable_order.h), whole and atomic as ever. `sorted`: its entries by family and key, when
  // the caller has them already (a BatchOverlay's), so they are not sorted again.
  Status Write(rocksdb::WriteBatch* batch, std::span<const BatchEntry> sorted = {});
  // Moves table files (rocksdb::SstFileWriter's, written for `family`) into a family of a
  // projection generation being rebuilt (GenerationTables); durable when it returns. Files that
  // overlap each other go to level 0.
  Status IngestIntoGeneration(rocksdb::ColumnFamilyHandle* family,
                              const std::vector<std::string>& files);

  // What stopped the store's writes (a full disk, an I/O error: RocksDB's background error,
  // store_listener.h); ok() while writing works. Reads go on either way.
  StoreError background_error() const;
  // Leaves RocksDB's read-only mode after a background error (DB::Resume: flushes the
  // memtables, starts a new write-ahead log). Fails, still read-only, while the cause remains.
  Status Resume();

  // A secondary instance catches up with the engine's writes and re-reads the log state.
  Status CatchUp();

  // The reads of the store as it is, StoreView's (store_view.h), which the writer's preparation
  // uses instead to see a batch still in flight. See there for each.
  Result<std::vector<std::optional<std::string>>> MultiGet(
      Family family, const std::vector<std::string>& keys) const;
  Result<LogRecord> ReadRecord(std::uint64_t sequence) const;
  Result<std::vector<LogRecord>> ReadRecords(const std::vector<std::uint64_t>& sequences) const;
  std::optional<std::uint64_t> FindPerson(const events::Identifier& id) const;
  std::optional<std::uint64_t> FindIdempotent(std::string_view source, std::string_view id) const;
  Result<std::vector<std::optional<std::uint64_t>>> FindMany(
      Family family, const std::vector<std::string>& keys) const;
  Result<PersonRecord> ReadPerson(std::uint64_t person) const;
  Result<std::map<std::uint64_t, PersonRecord>> ReadPersons(
      const std::vector<std::uint64_t>& persons) const;
  std::uint64_t CurrentPerson(std::uint64_t person) const;
  std::unordered_map<std::uint64_t, std::uint64_t> CurrentPersons(
      const std::vector<std::uint64_t>& persons) const;
  void ForEachPersonEvent(std::uint64_t person,
                          const std::function<bool(events::Timestamp, std::uint64_t)>& f) const;

  // The stored next offset of each (topic, partition).
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> StoredOffsets() const;

  // Flushes memtables; called on clean shutdown so the next start replays little.
  Status Flush();

 private:
  EventStore() = default;
  Status LoadState();

  std::string dir_;
  std::string secondary_dir_;
  StoreOptions options_;
  OpenMode mode_ = OpenMode::kReadWrite;
  Status SelectProjectionGeneration();

  std::shared_ptr<StoreListener> listener_;
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<RecordCache> record_cache_;
  std::mutex handles_mu_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;       // every handle opened, for closing
  std::array<rocksdb::ColumnFamilyHandle*, 8> families_{};  // the fixed families
  std::array<std::atomic<rocksdb::ColumnFamilyHandle*>, 3> projection_{};
  std::uint64_t projection_generation_ = 1;
  rocksdb::WriteOptions write_options_;
  mutable std::mutex state_mu_;
  LogState state_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_EVENT_STORE_H_
