#include "tests/faulty_files.h"

#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include <rocksdb/file_system.h>

namespace throughline::testing {

namespace {

// A write-ahead log whose appends wait while `hold` is set, then fail while `fail` is.
class FaultyLog final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyLog(std::unique_ptr<rocksdb::FSWritableFile> file, std::shared_ptr<std::atomic<bool>> fail,
            std::shared_ptr<std::atomic<bool>> hold)
      : FSWritableFileOwnerWrapper(std::move(file)),
        fail_(std::move(fail)),
        hold_(std::move(hold)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    if (rocksdb::IOStatus s = Fault(); !s.ok())
      return s;
    return FSWritableFileOwnerWrapper::Append(data, options, debug);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* debug) override {
    if (rocksdb::IOStatus s = Fault(); !s.ok())
      return s;
    return FSWritableFileOwnerWrapper::Append(data, options, info, debug);
  }

 private:
  rocksdb::IOStatus Fault() const {
    while (hold_->load())
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    if (fail_->load())
      return rocksdb::IOStatus::IOError("injected: appending to the write-ahead log");
    return rocksdb::IOStatus::OK();
  }

  std::shared_ptr<std::atomic<bool>> fail_;
  std::shared_ptr<std::atomic<bool>> hold_;
};

class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem(std::shared_ptr<std::atomic<bool>> fail,
                   std::shared_ptr<std::atomic<int>> refused,
                   std::shared_ptr<std::atomic<bool>> fail_log_writes,
                   std::shared_ptr<std::atomic<bool>> hold_log_writes)
      : FileSystemWrapper(rocksdb::FileSystem::Default()),
        fail_(std::move(fail)),
        refused_(std::move(refused)),
        fail_log_writes_(std::move(fail_log_writes)),
        hold_log_writes_(std::move(hold_log_writes)) {}
  const char* Name() const override { return "FaultyFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    if (fail_->load() && name.ends_with(".sst")) {
      ++*refused_;
      // As the POSIX file system words an open() that failed with ENOENT.
      return rocksdb::IOStatus::PathNotFound("While open a file for appending", name);
    }
    rocksdb::IOStatus s = FileSystemWrapper::NewWritableFile(name, options, file, debug);
    if (s.ok() && name.ends_with(".log"))
      *file = std::make_unique<FaultyLog>(std::move(*file), fail_log_writes_, hold_log_writes_);
    return s;
  }

 private:
  std::shared_ptr<std::atomic<bool>> fail_;
  std::shared_ptr<std::atomic<int>> refused_;
  std::shared_ptr<std::atomic<bool>> fail_log_writes_;
  std::shared_ptr<std::atomic<bool>> hold_log_writes_;
};

}  // namespace

FaultyFiles::FaultyFiles()
    : fail_new_tables_(std::make_shared<std::atomic<bool>>(false)),
      tables_refused_(std::make_shared<std::atomic<int>>(0)),
      fail_log_writes_(std::make_shared<std::atomic<bool>>(false)),
      hold_log_writes_(std::make_shared<std::atomic<bool>>(false)),
      env_(rocksdb::NewCompositeEnv(std::make_shared<FaultyFileSystem>(
          fail_new_tables_, tables_refused_, fail_log_writes_, hold_log_writes_))) {}

}  // namespace throughline::testing
