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
  if (s.ok())
    s = checkpoint->CreateCheckpoint(to + "/db", /*log_size_for_flush=*/0, &rocks_sequence);
  if (!s.ok()) {
    std::filesystem::remove_all(to, ec);
    return Status::IOError(fmt::format("backup to {} failed: {}", to, s.ToString()));
  }
  // The tokens file is the directory's configuration: a restored engine needs it to let anyone
  // in (it holds hashes only).
  const auto tokens = std::filesystem::path(store.db()->GetName()).parent_path() / "tokens";
  if (std::filesystem::exists(tokens, ec))
    std::filesystem::copy_file(tokens, to + "/tokens", ec);
  if (ec)
    return Status::IOError(fmt::format("copying {} failed: {}", tokens.string(), ec.message()));
  // Ingest goes on while the checkpoint is made, so the copy's own log says where it ends; and
  // opening it is the first check that it is whole.
  StoreOptions small;
  small.block_cache_bytes = 8 << 20;
  small.record_cache_bytes = 0;  // opened to be checked and closed: it reads no record again
  auto copy = EventStore::Open(to, small);
  if (!copy.ok()) {
    return Status::Corruption(
        fmt::format("the backup in {} does not open: {}", to, copy.status().message()));
  }
  if (log_position != nullptr)
    *log_position = (*copy)->state().next_sequence - 1;
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
  if (!ec && std::filesystem::exists(backup + "/tokens") &&
      !std::filesystem::exists(data_dir + "/tokens")) {
    std::filesystem::copy_file(backup + "/tokens", data_dir + "/tokens", ec);
  }
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
