// `throughline import --data DIR FILE|-`: loads history through the engine's own writer.
//
// For a large backlog this is far faster than Kafka, and it keeps every guarantee of ingest:
// the same validation, idempotency, identity, hash chain and dead letters (kept in the store
// and published to the DLQ topic when an engine next runs). The engine must not be running on
// the directory (the store's lock enforces it).

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "events/ndjson_reader.h"
#include "services/ingest_queue.h"
#include "services/projected_log.h"
#include "services/thread_name.h"
#include "tools/commands.h"
#include "tools/process.h"
#include "tools/progress.h"

namespace throughline::tools {

namespace {

struct ImportFlags {
  std::string data;
  std::string file = "-";
  std::size_t batch = 5000;
};

int Import(const ImportFlags& flags) {
  SetUpLogging("warn");
  std::ifstream file;
  std::istream* in = &std::cin;
  if (flags.file != "-") {
    file.open(flags.file, std::ios::binary);
    if (!file) {
      fmt::print(stderr, "throughline import: cannot open {}: check the path\n", flags.file);
      return 2;
    }
    in = &file;
  }
  auto store = services::EventStore::Open(flags.data, services::StoreOptions{});
  if (!store.ok()) {
    fmt::print(stderr, "throughline import: {}\n", store.status().message());
    return 2;
  }
  services::SystemClock clock;
  auto log = services::ProjectedLog::Open(store->get(), &clock);
  if (!log.ok()) {
    fmt::print(stderr, "throughline import: {}\n", log.status().message());
    return 2;
  }
  services::LogWriter& writer = (*log)->writer();
  events::NdjsonReader reader(*in, events::ParseLimits{}.max_bytes);
  // The share of the file read, for the progress bar; unknown on standard input.
  std::int64_t file_bytes = -1;
  if (file.is_open()) {
    file.seekg(0, std::ios::end);
    file_bytes = file.tellg();
    file.seekg(0);
  }

  // Lines are read and parsed on a thread of their own, at most two batches ahead of the
  // writer, as the engine's consumer parses beside its writer: on the writer's thread the
  // parsing was a tenth of an import's time.
  services::IngestQueue queue;
  std::atomic<std::int64_t> bytes_read{0};
  std::atomic<bool> read_all{false};
  // Set when a write failed: the reader of a file stops at its next line, not at its next full
  // batch. One reading standard input is not waited for (below).
  std::atomic<bool> write_failed{false};
  std::thread parse([&] {
    services::NameThisThread("tl-import-read");
    events::EnvelopeParser parser;
    services::IncomingBatch batch;
    std::string line;
    std::size_t number = 0, lines_read = 0;
    auto push = [&] {
      const bool open = queue.WaitQueuedAtMost(1);
      if (open)
        queue.Push(std::move(batch));
      batch = services::IncomingBatch{};
      batch.messages.reserve(flags.batch);
      return open;
    };
    batch.messages.reserve(flags.batch);
    while (!write_failed && reader.Next(&line, &number)) {
      services::RawMessage raw;
      raw.origin.offset = static_cast<std::int64_t>(number);  // no Kafka: the line number
      raw.value = std::move(line);
      if (reader.truncated()) {
        services::Incoming too_large;
        too_large.raw = std::move(raw);
        too_large.errors.push_back(
            events::TooLargeError(reader.line_bytes(), events::ParseLimits{}));
        batch.messages.push_back(std::move(too_large));
      } else {
        batch.messages.push_back(services::ParseMessage(std::move(raw), parser));
      }
      line.clear();
      if (++lines_read % 1024 == 0 && file_bytes > 0)
        bytes_read = file.tellg();
      if (batch.messages.size() >= flags.batch && !push())
        return;  // the writer failed
    }
    if (write_failed)
      return;
    if (!batch.messages.empty())
      push();
    read_all = true;
    queue.Close();
  });

  Progress progress("lines");
  std::size_t written = 0;
  services::AppendResult total;
  Status failed;
  // The batch being written while the next is prepared (services/log_writer.h), and what it does.
  std::optional<services::IncomingBatch> in_flight;
  services::AppendResult in_flight_result;
  auto land = [&] {
    Status s = writer.FinishWrite();  // on failure the batch prepared on it is dropped too
    const std::size_t lines = in_flight->messages.size();
    in_flight.reset();
    if (!s.ok()) {
      failed = s;
      return false;
    }
    queue.Done();
    written += lines;
    total.appended += in_flight_result.appended;
    total.duplicates += in_flight_result.duplicates;
    total.dead_letters += in_flight_result.dead_letters;
    progress.Update(file_bytes > 0 ? static_cast<double>(bytes_read) / file_bytes : -1, written);
    return true;
  };
  for (;;) {
    // Read before taking: once every batch was pushed, an empty take means none is left.
    const bool all_pushed = read_all;
    auto batch = queue.Take(std::chrono::milliseconds(in_flight ? 0 : 100), flags.batch);
    if (!batch) {
      if (in_flight) {
        if (!land())
          break;
        continue;
      }
      if (all_pushed)
        break;
      continue;
    }
    services::AppendResult result;
    Status prepared = writer.Prepare(*batch, &result);
    if (in_flight && !land())
      break;
    if (!prepared.ok()) {
      failed = prepared;
      break;
    }
    writer.StartWrite();
    in_flight = std::move(*batch);
    in_flight_result = result;
  }
  if (!failed.ok()) {
    write_failed = true;
    queue.Close();
    // Batches are written in order: the lines before the failed batch are stored, with their
    // dead letters.
    fmt::print(stderr,
               "throughline import: {}; the first {} lines are stored and none after them: "
               "once that is fixed, run the import again (events already in the log count as "
               "duplicates, not added twice)\n",
               failed.ToString(), written);
    if (!file.is_open()) {
      // The reader may be waiting on standard input for a line that would never be written,
      // for as long as whatever feeds it stays open: close the store and end here rather than
      // join it. Nothing it holds is kept.
      log->reset();
      store->reset();
      std::fflush(stderr);
      std::_Exit(1);
    }
    parse.join();
    return 1;
  }
  parse.join();
  if (Status s = (*store)->Flush(); !s.ok())
    fmt::print(stderr, "flush: {}\n", s.message());
  progress.Finish();
  const services::ProjectionMetrics& views = (*log)->projector().metrics();
  fmt::print(stderr,
             "{} lines in {:.1f} s ({}/s): {} appended, {} duplicates, {} dead letters{}; "
             "views: {} updated in place, {} folded afresh (late events, retractions, merges)\n",
             Grouped(written), progress.Seconds(),
             Grouped(static_cast<std::uint64_t>(progress.Rate(written))), total.appended,
             total.duplicates, total.dead_letters,
             total.dead_letters ? " (see them with the engine's DLQ topic once it runs)" : "",
             views.incremental.load(), views.refolds.load());
  return 0;
}

}  // namespace

void AddImportCommand(CLI::App& app) {
  auto flags = std::make_shared<ImportFlags>();
  auto* cmd = app.add_subcommand(
      "import", "Load NDJSON history straight into the log (the engine must be stopped)");
  cmd->add_option("--data", flags->data, "Data directory")->required();
  cmd->add_option("file", flags->file, "NDJSON file, or - for standard input")
      ->capture_default_str();
  cmd->add_option("--batch", flags->batch, "Lines per write batch")->capture_default_str();
  cmd->callback([flags] { throw CLI::RuntimeError(Import(*flags)); });
}

}  // namespace throughline::tools
