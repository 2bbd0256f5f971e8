// Faulty files for tests of what the engine does when RocksDB's file system fails in a way a
// full disk does not show: the machine's own file system, except that, while asked to,
// - creating a table file fails with "No such file or directory". RocksDB marks such a failed
//   flush fatal: writes stop, and only reopening the store clears it (services/store_listener.h);
// - appending to the write-ahead log fails with an I/O error: the write fails whole;
// - appending to the write-ahead log waits: a write is held before any reader can see it.

#ifndef THROUGHLINE_TESTS_FAULTY_FILES_H_
#define THROUGHLINE_TESTS_FAULTY_FILES_H_

#include <atomic>
#include <memory>

#include <rocksdb/env.h>

namespace throughline::testing {

class FaultyFiles {
 public:
  FaultyFiles();

  // For StoreOptions::env.
  std::shared_ptr<rocksdb::Env> env() const { return env_; }
  // While true, every new table file (*.sst) fails to open.
  void FailNewTables(bool fail) { fail_new_tables_->store(fail); }
  // Table files that failed to open so far.
  int tables_refused() const { return tables_refused_->load(); }
  // While true, every append to a write-ahead log (*.log) fails.
  void FailLogWrites(bool fail) { fail_log_writes_->store(fail); }
  // While true, every append to a write-ahead log waits.
  void HoldLogWrites(bool hold) { hold_log_writes_->store(hold); }

 private:
  std::shared_ptr<std::atomic<bool>> fail_new_tables_;
  std::shared_ptr<std::atomic<int>> tables_refused_;
  std::shared_ptr<std::atomic<bool>> fail_log_writes_;
  std::shared_ptr<std::atomic<bool>> hold_log_writes_;
  std::shared_ptr<rocksdb::Env> env_;
};

}  // namespace throughline::testing

#endif  // THROUGHLINE_TESTS_FAULTY_FILES_H_
