// A child process: the engine as its own process, for the tests that kill it and the benchmark
// that measures its memory.

#ifndef THROUGHLINE_SERVICES_CHILD_PROCESS_H_
#define THROUGHLINE_SERVICES_CHILD_PROCESS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace throughline::services {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with its standard output and error appended to `log_path`.
  // Throws std::runtime_error when it cannot be started.
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  // Kills it (SIGKILL) if it still runs.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void Signal(int signal);
  // Waits for it to end; its exit status, or 128 + signal when killed.
  int Wait();
  bool Running();
  int pid() const { return pid_; }
  // Its resident memory now and at its peak (VmRSS, VmHWM), in bytes; 0 once it has ended.
  std::uint64_t ResidentBytes() const;
  std::uint64_t PeakResidentBytes() const;

 private:
  int pid_ = -1;
  int status_ = -1;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_CHILD_PROCESS_H_
