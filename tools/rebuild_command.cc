// `throughline rebuild --data DIR`: refolds every person's view, cohorts and alerts from the log
// into a new generation of the projection families and switches to it (services/rebuilder.h).
// Readers beside it (view, cohort, verify) see the old views until the switch.

#include <fmt/format.h>

#include "services/event_store.h"
#include "services/rebuilder.h"
#include "tools/commands.h"
#include "tools/process.h"
#include "tools/progress.h"

namespace throughline::tools {

namespace {

struct RebuildFlags {
  std::string data;
  int threads = 2;
  std::uint64_t events_per_pass = services::RebuildOptions{}.events_per_pass;
};

int Rebuild(const RebuildFlags& flags) {
  SetUpLogging("warn");
  services::StoreOptions store_options;
  store_options.record_cache_bytes = 0;  // the rebuild scans the log; it reads no record again
  auto store = services::EventStore::Open(flags.data, store_options);
  if (!store.ok()) {
    fmt::print(stderr, "throughline rebuild: {}\n", store.status().message());
    return 2;
  }
  services::SystemClock clock;
  Progress progress("events");
  services::RebuildOptions options;
  options.threads = flags.threads;
  options.events_per_pass = flags.events_per_pass;
  // As often as a terminal's bar is redrawn: Progress decides what is drawn.
  options.report_every = std::chrono::milliseconds(100);
  options.progress = [&](const services::RebuildProgress& p) {
    // Gathering a record and folding it are about equal shares of the work, so the count is the
    // events' worth done, half for each: it moves while the log is scanned, before any event is
    // folded, and at the end its rate is the summary's.
    const std::uint64_t worth = (p.events_read + p.events_done) / 2;
    progress.Update(
        p.events_total > 0 ? static_cast<double>(worth) / static_cast<double>(p.events_total) : 1.0,
        worth);
  };
  services::RebuildProgress result;
  Status s = services::RebuildProjections(store->get(), clock, options, &result);
  progress.Finish();
  if (!s.ok()) {
    fmt::print(stderr, "throughline rebuild: {}; the views in use are unchanged (run it again)\n",
               s.message());
    return 1;
  }
  fmt::print(stderr,
             "rebuilt the views of {} persons from {} events in {:.1f} s ({}/s): the index "
             "{:.2f} s, the log's scan {:.2f} s, the fold {:.2f} s\n",
             Grouped(result.persons_total), Grouped(result.events_done), result.seconds,
             Grouped(static_cast<std::uint64_t>(
                 result.seconds > 0 ? result.events_done / result.seconds : 0)),
             result.index_seconds, result.scan_seconds, result.fold_seconds);
  return 0;
}

}  // namespace

void AddRebuildCommand(CLI::App& app) {
  auto flags = std::make_shared<RebuildFlags>();
  auto* cmd = app.add_subcommand(
      "rebuild", "Refold every view from the log and switch to them (the engine must be stopped)");
  cmd->add_option("--data", flags->data, "Data directory")->required();
  cmd->add_option("--threads", flags->threads, "Threads scanning the log, then folding")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--events-per-pass", flags->events_per_pass,
                  "Records held in memory at once, about 400 bytes each: a larger log is scanned "
                  "once per share of its persons")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([flags] { throw CLI::RuntimeError(Rebuild(*flags)); });
}

}  // namespace throughline::tools
