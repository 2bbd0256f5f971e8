#include "services/thread_priority.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace throughline::services {

bool LowerToBackgroundPriority() {
  // Linux keeps the nice value per thread: this changes the calling thread only.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kBackgroundNice) == 0)
    return true;
  static std::atomic<bool> logged{false};
  if (!logged.exchange(true)) {
    spdlog::warn("thread.priority error=\"{}\" note=\"background threads run at normal priority\"",
                 std::strerror(errno));
  }
  return false;
}

}  // namespace throughline::services
