#include "services/token_file.h"

#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include "services/thread_name.h"

namespace throughline::services {

Result<std::unique_ptr<TokenFile>> TokenFile::Open(std::string path, bool required,
                                                   std::chrono::milliseconds check_every) {
  std::unique_ptr<TokenFile> file(new TokenFile(std::move(path)));
  file->read_ = file->Stat();
  auto loaded = TokenRegistry::Load(file->path_);
  if (!loaded.ok() && (required || !loaded.status().IsNotFound()))
    return loaded.status();
  file->current_ =
      std::make_shared<const TokenRegistry>(loaded.ok() ? std::move(*loaded) : TokenRegistry());
  file->thread_ = std::thread([f = file.get(), check_every] {
    NameThisThread("tl-tokens");
    std::unique_lock lock(f->stop_mu_);
    while (!f->stop_cv_.wait_for(lock, check_every, [f] { return f->stop_; })) {
      lock.unlock();
      f->CheckNow();
      lock.lock();
    }
  });
  return file;
}

TokenFile::~TokenFile() {
  {
    std::lock_guard lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

Result<Caller> TokenFile::Authenticate(std::string_view token, events::Date today) const {
  return current_.load()->Authenticate(token, today);
}

std::size_t TokenFile::size() const { return current_.load()->size(); }

TokenFile::Version TokenFile::Stat() const {
  struct stat st;
  if (stat(path_.c_str(), &st) != 0)
    return {};
  return {true, static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

void TokenFile::CheckNow() {
  std::lock_guard lock(check_mu_);
  const Version now = Stat();
  if (now == read_)
    return;
  read_ = now;
  if (!now.exists) {
    current_ = std::make_shared<const TokenRegistry>();
    spdlog::warn("tokens.gone file={} note=\"every /v1 request is refused until it is back\"",
                 path_);
    return;
  }
  auto loaded = TokenRegistry::Load(path_);
  if (!loaded.ok()) {
    spdlog::error(
        "tokens.unreadable error=\"{}\" note=\"the tokens read before stay in use until the file "
        "is mended\"",
        loaded.status().message());
    return;
  }
  const std::size_t before = size();
  current_ = std::make_shared<const TokenRegistry>(std::move(*loaded));
  spdlog::info("tokens.reloaded file={} tokens={} before={}", path_, size(), before);
}

}  // namespace throughline::services
