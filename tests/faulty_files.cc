#include "tests/faulty_files.h"

#include <string>
#include <utility>

#include <rocksdb/file_system.h>

namespace throughline::testing {

namespace {

class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem(std::shared_ptr<std::atomic<bool>> fail,
                   std::shared_ptr<std::atomic<int>> refused)
      : FileSystemWrapper(rocksdb::FileSystem::Default()),
        fail_(std::move(fail)),
        refused_(std::move(refused)) {}
  const char* Name() const override { return "FaultyFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    if (fail_->load() && name.ends_with(".sst")) {
      ++*refused_;
      // As the POSIX file system words an open() that failed with ENOENT.
      return rocksdb::IOStatus::PathNotFound("While open a file for appending", name);
    }
    return FileSystemWrapper::NewWritableFile(name, options, file, debug);
  }

 private:
  std::shared_ptr<std::atomic<bool>> fail_;
  std::shared_ptr<std::atomic<int>> refused_;
};

}  // namespace

FaultyFiles::FaultyFiles()
    : fail_new_tables_(std::make_shared<std::atomic<bool>>(false)),
      tables_refused_(std::make_shared<std::atomic<int>>(0)),
      env_(rocksdb::NewCompositeEnv(
          std::make_shared<FaultyFileSystem>(fail_new_tables_, tables_refused_))) {}

}  // namespace throughline::testing
