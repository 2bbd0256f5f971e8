// The tokens file as it is now: read when the engine starts, and again whenever it changes, so
// that a token added with `throughline token` works, and one whose line is deleted is refused,
// within a second and without a restart (docs/access.md).
//
// A file that no longer parses (an edit half done, a line cut) keeps the tokens last read: a
// slip of the editor must not lock every agency out. The log says so, once for each change, and
// names the file and line. A file that is gone is an empty registry: every request is refused.
//
// Thread safety: Authenticate from any thread.

#ifndef THROUGHLINE_SERVICES_TOKEN_FILE_H_
#define THROUGHLINE_SERVICES_TOKEN_FILE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "services/access.h"

namespace throughline::services {

class TokenFile final : public Authenticator {
 public:
  // Reads `path` and checks it for changes every `check_every`. An error when the file is there
  // and does not parse, or is not there and `required`; otherwise a file not there yet is empty
  // until it is.
  static Result<std::unique_ptr<TokenFile>> Open(
      std::string path, bool required = false,
      std::chrono::milliseconds check_every = std::chrono::seconds(1));
  ~TokenFile() override;
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;

  Result<Caller> Authenticate(std::string_view token, events::Date today) const override;

  // Tokens in the registry now.
  std::size_t size() const;
  // Reads the file again if it changed since it was last read (the thread does so on its own).
  void CheckNow();

 private:
  // What tells one version of the file from another without reading it.
  struct Version {
    bool exists = false;
    std::uint64_t inode = 0, size = 0;
    std::int64_t modified_ns = 0;
    bool operator==(const Version&) const = default;
  };

  explicit TokenFile(std::string path) : path_(std::move(path)) {}
  Version Stat() const;

  const std::string path_;
  std::atomic<std::shared_ptr<const TokenRegistry>> current_;
  Version read_;         // the version last read, or last refused: Open's, then CheckNow's only
  std::mutex check_mu_;  // one CheckNow at a time
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_TOKEN_FILE_H_
