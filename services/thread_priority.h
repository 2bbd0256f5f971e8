// Background threads give way to foreground ones.
//
// On a machine of two cores the writer, the request threads and the Kafka outboxes (the change
// feed, the dead letters) compete for the same CPUs. The outboxes' work may lag without loss:
// it is read back from the log and published at least once. A person's page and a WebSocket
// delivery are waited on. So the outbox threads run at a lower CPU priority (a nice value, per
// thread on Linux): when the cores are busy the scheduler gives them about a tenth of a core
// and lets a woken request thread run at once; when they are idle the outboxes have them all.

#ifndef THROUGHLINE_SERVICES_THREAD_PRIORITY_H_
#define THROUGHLINE_SERVICES_THREAD_PRIORITY_H_

#include <sched.h>

namespace throughline::services {

// The nice value of background threads.
inline constexpr int kBackgroundNice = 10;

// Lowers the calling thread to kBackgroundNice. False when the system refused (logged once).
bool LowerToBackgroundPriority();

// Raises the calling thread to the real-time round-robin class at its lowest priority
// (SCHED_RR 1), for the threads a person waits on: the request threads and the subscribers'.
// A kernel thread on a CPU (DAMON's kdamond sampling memory, 10-100 ms at a stretch, on a
// kernel built without preemption) holds up a normal thread woken on that CPU until it
// yields; a real-time thread that cannot run where it woke is moved to a CPU running only
// normal threads. Measured in the bench, its load generator real-time too
// (docs/performance.md, stop 29): the paced person view's p99 went from 11.6-72.9 ms to
// 0.7-16.9 ms, under 2 ms in five runs of twelve. The kernel's real-time throttle
// (sched_rt_runtime_us, 95% of each second by default) keeps a runaway request from taking a CPU
// for good. Needs CAP_SYS_NICE or an RLIMIT_RTPRIO of 1 or more; false when refused (logged once).
bool RaiseToRealtimePriority();

// A thread's scheduling class and priority within it, to put back what a raise replaced: a
// thread that was real-time already (a bench run under `chrt`, say) keeps its class after.
struct SchedulingClass {
  int policy = SCHED_OTHER;
  int priority = 0;
};
SchedulingClass CurrentSchedulingClass();
void SetSchedulingClass(const SchedulingClass& scheduling);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_THREAD_PRIORITY_H_
