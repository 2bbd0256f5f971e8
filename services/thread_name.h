// Names the calling thread, so that `top -H`, `ps -L`, perf and /proc/PID/task/*/comm tell the
// engine's threads apart: tl-writer, tl-project, tl-ingest, tl-http-N, tl-subscribers,
// tl-changewindow, tl-dead_letters, tl-changes, tl-rebuild-N (listed for operators in README.md,
// "Running it").

#ifndef THROUGHLINE_SERVICES_THREAD_NAME_H_
#define THROUGHLINE_SERVICES_THREAD_NAME_H_

#include <string>

namespace throughline::services {

// Linux keeps at most 15 bytes of a thread's name: a longer one is cut there.
void NameThisThread(std::string name);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_THREAD_NAME_H_
