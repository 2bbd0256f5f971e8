#include "services/thread_priority.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <pthread.h>
#include <sched.h>
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

bool RaiseToRealtimePriority() {
  sched_param param{};
  param.sched_priority = 1;
  const int error = pthread_setschedparam(pthread_self(), SCHED_RR, &param);
  if (error == 0)
    return true;
  static std::atomic<bool> logged{false};
  if (!logged.exchange(true)) {
    spdlog::warn(
        "thread.priority error=\"{}\" note=\"real-time priority refused: these threads run at "
        "normal priority; give the process CAP_SYS_NICE (compose: cap_add SYS_NICE) or an "
        "RLIMIT_RTPRIO of 1\"",
        std::strerror(error));
  }
  return false;
}

SchedulingClass CurrentSchedulingClass() {
  SchedulingClass scheduling;
  sched_param param{};
  if (pthread_getschedparam(pthread_self(), &scheduling.policy, &param) == 0)
    scheduling.priority = param.sched_priority;
  return scheduling;
}

void SetSchedulingClass(const SchedulingClass& scheduling) {
  sched_param param{};
  param.sched_priority = scheduling.priority;
  pthread_setschedparam(pthread_self(), scheduling.policy, &param);
}

}  // namespace throughline::services
