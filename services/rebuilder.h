// Rebuilding every projection from the log: after a change of projection code (the stored
// views carry its version), or on demand (`throughline rebuild`).
//
// Fills a new generation of the projection families beside the current one, scanning the log
// in order and folding each person on one of several threads once all of their records are
// read, then switches to it in one synced metadata write and drops the old one
// (EventStore::CreateProjectionGeneration). Readers see the old views until the switch. The
// log must not change meanwhile: the engine rebuilds before it starts consuming, and the
// command refuses a directory an engine holds.

#ifndef THROUGHLINE_SERVICES_REBUILDER_H_
#define THROUGHLINE_SERVICES_REBUILDER_H_

#include <cstdint>
#include <functional>

#include "events/status.h"
#include "services/clock.h"
#include "services/event_store.h"

namespace throughline::services {

struct RebuildProgress {
  std::uint64_t persons_done = 0;
  std::uint64_t persons_total = 0;
  std::uint64_t events_done = 0;
  double seconds = 0;
};

struct RebuildOptions {
  // Folding threads, beside the one scanning the log. Default: 2
  int threads = 2;
  // Records held in memory at once (about 400 bytes each): a log with more events than this
  // is scanned once for each share of its persons. Default: 2,000,000
  std::uint64_t events_per_pass = 2'000'000;
  // Called about once a second, and once at the end.
  std::function<void(const RebuildProgress&)> progress;
};

Status RebuildProjections(EventStore* store, const Clock& clock, const RebuildOptions& options,
                          RebuildProgress* result = nullptr);

// Rebuilds when the stored views were built by another projection version (or none were
// recorded and the log is not empty); records the version otherwise. Logs its progress, and
// reports it to `progress` as well when given.
Status RebuildIfStale(EventStore* store, const Clock& clock,
                      const std::function<void(const RebuildProgress&)>& progress = {});

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_REBUILDER_H_
