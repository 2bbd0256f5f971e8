// What every long-running command needs: structured logging to stderr, and a clean stop on
// SIGINT or SIGTERM.

#ifndef THROUGHLINE_TOOLS_PROCESS_H_
#define THROUGHLINE_TOOLS_PROCESS_H_

#include <string>

namespace throughline::tools {

// Logs go to stderr, one line per event: "2026-11-25T17:40:00.123Z info ingest.gap topic=...".
void SetUpLogging(const std::string& level = "info");

// Blocks SIGINT and SIGTERM in this thread and every thread started after it, so that
// WaitForStopSignal() is the one place they arrive. Call before starting any thread.
void BlockStopSignals();

// Waits for SIGINT or SIGTERM; returns its name.
std::string WaitForStopSignal();

}  // namespace throughline::tools

#endif  // THROUGHLINE_TOOLS_PROCESS_H_
