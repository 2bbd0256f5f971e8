// HelperThread: a second thread that takes one share of a job while the caller does the other.
//
// The writer's thread is the one busy core while ingesting, and the other is mostly idle: the
// projector splits each large batch's persons between the writer and this thread, and the
// writer hands each batch's write to one while it prepares the next (log_writer.h). A thread
// kept for the purpose, not one a batch: starting one costs about what a small share saves.

#ifndef THROUGHLINE_SERVICES_HELPER_THREAD_H_
#define THROUGHLINE_SERVICES_HELPER_THREAD_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace throughline::services {

class HelperThread {
 public:
  explicit HelperThread(std::string name);
  ~HelperThread();
  HelperThread(const HelperThread&) = delete;
  HelperThread& operator=(const HelperThread&) = delete;

  // Runs work(1) on the helper and work(0) on the calling thread; returns when both have.
  // One caller at a time; `work` must not throw (the helper may still be running its share).
  void RunShares(const std::function<void(int share)>& work);

  // Runs `job` on the helper; Wait() returns once it has. One job at a time: Start, then Wait,
  // before the next Start or RunShares.
  void Start(std::function<void()> job);
  void Wait();
  // True when Wait would not wait: the job started has finished, or none was started.
  bool Finished();

 private:
  void Loop(std::string name);

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;  // set while the helper's job is due or running
  bool done_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_HELPER_THREAD_H_
