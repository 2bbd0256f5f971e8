#include "tests/small_disk.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace throughline::testing {

std::unique_ptr<SmallDisk> SmallDisk::Mount(const std::string& dir, int mib, std::string* why_not) {
  if (geteuid() != 0) {
    *why_not = "not root: mounting a small tmpfs needs root";
    return nullptr;
  }
  std::filesystem::create_directories(dir);
  // In a mount namespace of its own the tmpfs goes with the process, even one that crashes;
  // where that is refused (a process with threads already), the destructor unmounts it.
  if (unshare(CLONE_NEWNS) == 0)
    mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
  const std::string options = fmt::format("size={}m", mib);
  if (mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
    *why_not = fmt::format("mount -t tmpfs {}: {}", dir, std::strerror(errno));
    return nullptr;
  }
  return std::unique_ptr<SmallDisk>(new SmallDisk(dir));
}

SmallDisk::~SmallDisk() {
  std::error_code ec;
  std::filesystem::remove(filler_, ec);
  if (umount2(dir_.c_str(), MNT_DETACH) != 0)
    WARN("umount " << dir_ << ": " << std::strerror(errno));
}

std::uint64_t SmallDisk::Fill(std::uint64_t room) {
  filler_ = dir_ + "/filler";
  std::FILE* out = std::fopen(filler_.c_str(), "wb");
  REQUIRE(out != nullptr);
  std::setvbuf(out, nullptr, _IONBF, 0);
  std::uint64_t written = 0;
  const std::string block(1 << 20, 'f');
  for (std::size_t size = block.size(); size >= 512; size /= 2) {
    while (std::fwrite(block.data(), 1, size, out) == size)
      written += size;
    std::clearerr(out);
  }
  std::fclose(out);
  if (room > 0) {
    REQUIRE(room < written);
    written -= room;
    std::filesystem::resize_file(filler_, written);
  }
  return written;
}

void SmallDisk::Free() { std::filesystem::remove(filler_); }

}  // namespace throughline::testing
