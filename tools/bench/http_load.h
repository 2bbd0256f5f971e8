// Many keep-alive HTTP connections driven from one thread, as wrk does: the load generator of
// the person-view rows. A thread per connection (32 of them) on the 2 cores the engine also
// runs on took the CPU the engine needed, and woke on every answer to preempt the engine's
// HTTP threads: the same engine answered 10,000 requests a second flat out to those threads,
// and 12,500 to 16,400 to this (docs/performance.md).

#ifndef THROUGHLINE_TOOLS_BENCH_HTTP_LOAD_H_
#define THROUGHLINE_TOOLS_BENCH_HTTP_LOAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/http_client.h"
#include "tools/bench/latency.h"

namespace throughline::bench {

struct HttpLoad {
  std::string address;  // "127.0.0.1:8080"
  services::Headers headers;
  std::vector<std::string> targets;  // one request each, in turn over the connections
  int connections = 32;
  // Requests a second over all connections, each connection sending at fixed times; a
  // request's latency then counts from when it was due, so that a slow answer delaying the
  // next request is counted, not hidden. 0: closed loop, each connection sending its next
  // request as soon as its answer arrives.
  double rate = 0;
  // Run the generator's thread in the real-time class while the load lasts
  // (RaiseToRealtimePriority in services/thread_priority.h). It is the measuring instrument: a
  // kernel thread holding its CPU for 10-100 ms delayed its requests and its reading of the
  // answers, and that counted as the engine's latency (docs/performance.md, stop 29).
  bool realtime = false;
};

struct HttpLoadResult {
  Latencies latencies;
  std::uint64_t errors = 0;  // answers other than 200, and connections lost or refused
  double seconds = 0;
  bool realtime = false;  // asked for and granted
};

HttpLoadResult RunHttpLoad(const HttpLoad& load);

}  // namespace throughline::bench

#endif  // THROUGHLINE_TOOLS_BENCH_HTTP_LOAD_H_
