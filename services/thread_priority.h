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

namespace throughline::services {

// The nice value of background threads.
inline constexpr int kBackgroundNice = 10;

// Lowers the calling thread to kBackgroundNice. False when the system refused (logged once).
bool LowerToBackgroundPriority();

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_THREAD_PRIORITY_H_
