#include "services/helper_thread.h"

#include "services/thread_name.h"

namespace throughline::services {

HelperThread::HelperThread(std::string name)
    : thread_([this, name = std::move(name)] { Loop(name); }) {}

HelperThread::~HelperThread() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void HelperThread::RunShares(const std::function<void(int share)>& work) {
  {
    std::lock_guard lock(mu_);
    job_ = &work;
    done_ = false;
  }
  cv_.notify_all();
  work(0);
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return done_; });
  job_ = nullptr;
}

void HelperThread::Loop(std::string name) {
  NameThisThread(std::move(name));
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || (job_ != nullptr && !done_); });
    if (stop_)
      return;
    const std::function<void(int)>* job = job_;
    lock.unlock();
    (*job)(1);
    lock.lock();
    done_ = true;
    cv_.notify_all();
  }
}

}  // namespace throughline::services
