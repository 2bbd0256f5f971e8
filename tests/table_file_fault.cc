// A fault for a whole process, loaded with LD_PRELOAD: once the file named by
// THROUGHLINE_FAULT_TRIGGER exists, creating a RocksDB table file (`*.sst`) fails with ENOENT,
// as it did on a full tmpfs in one run of the disk-full test. RocksDB grades a flush that cannot
// create its table file as fatal: only reopening the store clears it (docs/reliability.md). The
// in-process tests use a RocksDB FileSystem for this (faulty_files.h); here `serve` is tested as
// a supervisor sees it, its binary unchanged, so the fault goes in underneath it.
//
// Only open(2) is taken over: it is the one RocksDB (linked into the binary) creates files with
// (`nm -D --undefined-only throughline`: open, no open64 or openat).

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

extern "C" int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  // The mode is passed only with O_CREAT or O_TMPFILE (whose bits include O_DIRECTORY's).
  if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE) {
    va_list args;
    va_start(args, flags);
    mode = static_cast<mode_t>(va_arg(args, int));
    va_end(args);
  }
  if ((flags & O_CREAT) != 0) {
    const std::size_t length = std::strlen(path);
    const char* trigger = std::getenv("THROUGHLINE_FAULT_TRIGGER");
    if (length >= 4 && std::strcmp(path + length - 4, ".sst") == 0 && trigger != nullptr &&
        access(trigger, F_OK) == 0) {
      errno = ENOENT;
      return -1;
    }
  }
  using Open = int (*)(const char*, int, ...);
  static const Open next = reinterpret_cast<Open>(dlsym(RTLD_NEXT, "open"));
  return next(path, flags, mode);
}
