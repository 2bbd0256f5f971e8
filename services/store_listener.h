// StoreListener: what stopped RocksDB's writes, for readiness and for the writer to resume.
//
// A background error (a write-ahead log append or a flush that failed: disk full, an I/O error)
// puts RocksDB in read-only mode: reads go on, every write fails until DB::Resume(). RocksDB
// would recover from a full disk on its own, but only once its SstFileManager sees free space of
// a whole write buffer (64 MiB here), checked every 5 s; the engine's writer calls Resume()
// itself instead, on its retry backoff, so ingest resumes as soon as a retried write can
// succeed. Auto-recovery is therefore turned off for NoSpace; other errors keep RocksDB's own
// handling (and Resume() is tried for them too).
//
// Some errors RocksDB marks fatal (a flush that could not create its table file, say): for
// those Resume() returns the same error for ever, and only closing and reopening the store
// clears them (its write-ahead log still holds what the memtables held, and is replayed).
//
// Thread-safe: RocksDB calls it from its threads, the engine reads it from any.

#ifndef THROUGHLINE_SERVICES_STORE_LISTENER_H_
#define THROUGHLINE_SERVICES_STORE_LISTENER_H_

#include <mutex>
#include <string>

#include <rocksdb/listener.h>

namespace throughline::services {

// The error that stopped the store's writes; `message` is empty while writing works.
struct StoreError {
  bool no_space = false;  // the disk is full
  bool fatal = false;     // Resume() cannot clear it: the store must be reopened
  std::string message;    // RocksDB's words, with the file it was writing
  bool ok() const { return message.empty(); }
};

class StoreListener final : public rocksdb::EventListener {
 public:
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason, rocksdb::Status error,
                            bool* auto_recovery) override;
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override;

  StoreError error() const;
  // Writes work again (a Resume() that succeeded).
  void Clear();

 private:
  mutable std::mutex mu_;
  StoreError error_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_STORE_LISTENER_H_
