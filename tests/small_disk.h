// A small disk for tests of what happens when the data directory's disk fills up: a tmpfs the
// test mounts, filled by a file it can then remove. Needs root to mount.

#ifndef THROUGHLINE_TESTS_SMALL_DISK_H_
#define THROUGHLINE_TESTS_SMALL_DISK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace throughline::testing {

// A tmpfs of `mib` MiB on `dir`, unmounted when it goes out of scope (a failed test too).
class SmallDisk {
 public:
  // Null, with the reason in `why_not`, when this process may not mount.
  static std::unique_ptr<SmallDisk> Mount(const std::string& dir, int mib, std::string* why_not);
  ~SmallDisk();

  // Writes a file until the disk refuses another byte, then gives `room` bytes of it back; its
  // size.
  std::uint64_t Fill(std::uint64_t room = 0);
  // Removes the file Fill wrote.
  void Free();

 private:
  explicit SmallDisk(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  std::string filler_;
};

}  // namespace throughline::testing

#endif  // THROUGHLINE_TESTS_SMALL_DISK_H_
