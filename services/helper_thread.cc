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
  Start([&work] { work(1); });
  work(0);
  Wait();
}

void HelperThread::Start(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    job_ = std::move(job);
    done_ = false;
  }
  cv_.notify_all();
}

void HelperThread::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return done_ || !job_; });
  job_ = nullptr;
}

bool HelperThread::Finished() {
  std::lock_guard lock(mu_);
  return done_ || !job_;
}

void HelperThread::Loop(std::string name) {
  NameThisThread(std::move(name));
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || (job_ && !done_); });
    if (stop_)
      return;
    lock.unlock();
    job_();  // Start does not touch it again until Wait has seen done_
    lock.lock();
    done_ = true;
    cv_.notify_all();
  }
}

}  // namespace throughline::services
