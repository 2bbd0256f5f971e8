// Rebuilding every projection from the log: after a change of projection code (the stored
// views carry its version), or on demand (`throughline rebuild`).
//
// Fills a new generation of the projection families beside the current one: the log is scanned
// in order, in one contiguous share per thread, each person's records are gathered, and the
// persons are folded on the same threads, each writing its views out as table files
// (GenerationTables) that RocksDB takes in whole at the end. Then it switches to the new generation
// in one synced metadata write and drops the old one (EventStore::CreateProjectionGeneration).
// Readers see the old views until the switch. The log must not change meanwhile: the engine
// rebuilds before it starts consuming, and the command refuses a directory an engine holds.

#ifndef THROUGHLINE_SERVICES_REBUILDER_H_
#define THROUGHLINE_SERVICES_REBUILDER_H_

#include <chrono>
#include <cstdint>
#include <functional>

#include "events/status.h"
#include "services/clock.h"
#include "services/event_store.h"

namespace throughline::services {

struct RebuildProgress {
  std::uint64_t persons_done = 0;
  std::uint64_t persons_total = 0;
  std::uint64_t events_done = 0;  // folded
  double seconds = 0;
  // Records of current persons gathered from the log so far, of events_total. A pass gathers
  // its persons' records before it folds any of them.
  std::uint64_t events_read = 0;
  std::uint64_t events_total = 0;
  // Where the seconds went, so far (the passes summed): reading the person-events index for each
  // record's owner (and creating the new generation's families beside it), scanning the log,
  // folding and writing the views; the rest is taking the views in and switching to them.
  double index_seconds = 0;
  double scan_seconds = 0;
  double fold_seconds = 0;
};

struct RebuildOptions {
  // Threads scanning the log, then folding. Default: 2
  int threads = 2;
  // Records held in memory at once (about 400 bytes each): a log with more events than this
  // is scanned once for each share of its persons. Default: 2,000,000
  std::uint64_t events_per_pass = 2'000'000;
  // Called every `report_every` while scanning and folding, and once at the end. The engine's
  // log takes a line a second; the command's bar is redrawn ten times a second.
  std::function<void(const RebuildProgress&)> progress;
  std::chrono::milliseconds report_every{1000};
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
