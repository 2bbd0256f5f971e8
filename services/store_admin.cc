#include "services/store_admin.h"

#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <rocksdb/utilities/checkpoint.h>

namespace throughline::services {

Status BackupStore(const EventStore& store, const std::string& to, std::uint64_t* log_position) {
  if (store.mode() != OpenMode::kReadWrite)
    return Status::NotSupported("a backup is made by the engine that holds the store");
  std::error_code ec;
  if (std::filesystem::exists(to, ec)) {
    return Status::InvalidArgument(
        fmt::format("{} exists already: name a new directory for the backup", to));
  }
  std::filesystem::create_directories(to, ec);
  if (ec)
    return Status::IOError(fmt::format("cannot create {}: {}", to, ec.message()));
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(store.db(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  std::uint64_t rocks_sequence = 0;
  // The log position before: the copy holds at least that much (ingest may add to it).
  const std::uint64_t position = store.state().next_sequence - 1;
  if (s.ok())
    s = checkpoint->CreateCheckpoint(to + "/db", /*log_size_for_flush=*/0, &rocks_sequence);
  if (!s.ok()) {
    std::filesystem::remove_all(to, ec);
    return Status::IOError(fmt::format("backup to {} failed: {}", to, s.ToString()));
  }
  if (log_position != nullptr)
    *log_position = position;
  return Status::OK();
}

Status RestoreStore(const std::string& backup, const std::string& data_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(backup + "/db/CURRENT", ec)) {
    return Status::NotFound(
        fmt::format("{} is not a backup: it has no db/CURRENT (make one with throughline admin "
                    "backup)",
                    backup));
  }
  if (std::filesystem::exists(data_dir + "/db", ec)) {
    return Status::InvalidArgument(fmt::format(
        "{} holds a store already: restore into a new directory, then move it into place",
        data_dir));
  }
  std::filesystem::create_directories(data_dir, ec);
  std::filesystem::copy(backup + "/db", data_dir + "/db", std::filesystem::copy_options::recursive,
                        ec);
  if (ec) {
    std::filesystem::remove_all(data_dir + "/db", ec);
    return Status::IOError(
        fmt::format("copying {} to {} failed: {}", backup, data_dir, ec.message()));
  }
  return Status::OK();
}

Status CompactStore(const EventStore& store) {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (Family f : {Family::kMeta, Family::kLog, Family::kPersonEvents, Family::kIdempotency,
                   Family::kIdentity, Family::kPersons, Family::kDeadLetters, Family::kAudit,
                   Family::kViews, Family::kCohorts, Family::kAlerts}) {
    auto* handle = store.family(f);
    if (handle == nullptr)
      continue;
    rocksdb::Status s = store.db()->CompactRange(options, handle, nullptr, nullptr);
    if (!s.ok())
      return Status::IOError("compaction failed: " + s.ToString());
  }
  return Status::OK();
}

}  // namespace throughline::services
