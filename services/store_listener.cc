#include "services/store_listener.h"

#include <spdlog/spdlog.h>

namespace throughline::services {

void StoreListener::OnBackgroundError(rocksdb::BackgroundErrorReason reason,
                                      rocksdb::Status* error) {
  if (error == nullptr || error->ok())
    return;
  spdlog::error("store.background_error reason={} error=\"{}\"", static_cast<int>(reason),
                error->ToString());
  std::lock_guard lock(mu_);
  if (error_.fatal)
    return;  // RocksDB keeps the fatal error whatever comes after it, and so do we
  error_.no_space = error->IsNoSpace();
  error_.fatal = error->severity() >= rocksdb::Status::Severity::kFatalError;
  error_.message = error->ToString();
}

void StoreListener::OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status error,
                                         bool* auto_recovery) {
  // The writer resumes a full disk itself (see the header).
  if (error.IsNoSpace() && auto_recovery != nullptr)
    *auto_recovery = false;
}

void StoreListener::OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) {
  if (info.new_bg_error.ok())
    Clear();
}

StoreError StoreListener::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

void StoreListener::Clear() {
  std::lock_guard lock(mu_);
  if (!error_.ok())
    spdlog::info("store.writable note=\"recovered from: {}\"", error_.message);
  error_ = StoreError{};
}

}  // namespace throughline::services
