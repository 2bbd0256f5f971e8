// `throughline log` and `throughline verify`: read a data directory, even while an engine runs.

#include <iostream>

#include <fmt/format.h>

#include "events/identifiers.h"
#include "events/json_writer.h"
#include "services/event_store.h"
#include "services/log_json.h"
#include "services/log_verifier.h"
#include "services/person_ref.h"
#include "tools/commands.h"
#include "tools/progress.h"
#include "tools/store_reader.h"

namespace throughline::tools {

namespace {

struct LogFlags {
  std::string data;
  std::uint64_t from = 1;
  std::uint64_t limit = 0;
  std::string person;
};

int PrintLog(const LogFlags& flags) {
  auto store = OpenStoreToRead(flags.data);
  if (!store.ok()) {
    fmt::print(stderr, "throughline log: {}\n", store.status().message());
    return 2;
  }
  std::vector<std::uint64_t> sequences;
  if (!flags.person.empty()) {
    auto person = services::FindPersonByRef(**store, flags.person);
    if (!person.ok()) {
      fmt::print(stderr, "throughline log: {}\n", person.status().message());
      return person.status().IsNotFound() ? 1 : 2;
    }
    (*store)->ForEachPersonEvent(*person, [&](events::Timestamp, std::uint64_t seq) {
      if (seq >= flags.from)
        sequences.push_back(seq);
      return flags.limit == 0 || sequences.size() < flags.limit;
    });
  } else {
    const std::uint64_t end = (*store)->state().next_sequence;
    for (std::uint64_t s = std::max<std::uint64_t>(flags.from, 1);
         s < end && (flags.limit == 0 || sequences.size() < flags.limit); ++s) {
      sequences.push_back(s);
    }
  }
  for (std::uint64_t seq : sequences) {
    auto record = (*store)->ReadRecord(seq);
    events::JsonWriter w;
    Status s = record.ok() ? services::WriteLogRecordJson(*record, &w) : record.status();
    if (!s.ok()) {
      fmt::print(stderr, "throughline log: {}\n", s.message());
      return 1;
    }
    std::cout << w.str() << '\n';
  }
  return 0;
}

}  // namespace

int VerifyDataDir(const std::string& data) {
  auto store = OpenStoreToRead(data);
  if (!store.ok()) {
    fmt::print(stderr, "throughline verify: {}\n", store.status().message());
    return 2;
  }
  Progress progress("records");
  auto report = services::VerifyStore(**store, [&](std::uint64_t done, std::uint64_t total) {
    progress.Update(total > 0 ? static_cast<double>(done) / total : -1, done);
  });
  progress.Finish();
  fmt::print(
      "{} records, {} persons, {} identifiers, {} person index entries, {} dead letters, {} "
      "views\n",
      report.records, report.persons, report.identifiers, report.person_index_entries,
      report.dead_letters, report.views);
  if (report.ok()) {
    fmt::print(
        "verify: OK: the hash chain is whole, every index agrees with the log, and every "
        "view is a fresh fold of it\n");
    return 0;
  }
  if (report.first_chain_break) {
    fmt::print("verify: the hash chain breaks at record {}\n", *report.first_chain_break);
  }
  for (const auto& problem : report.problems)
    fmt::print("verify: {}\n", problem);
  fmt::print("verify: FAILED ({} problems listed); restore from a backup or ask for help\n",
             report.problems.size());
  return 1;
}

void AddLogCommands(CLI::App& app) {
  auto flags = std::make_shared<LogFlags>();
  auto* log = app.add_subcommand("log", "Print the log as NDJSON (works while the engine runs)");
  log->add_option("--data", flags->data, "Data directory")->required();
  log->add_option("--from", flags->from, "First sequence number")->capture_default_str();
  log->add_option("--limit", flags->limit, "Most records to print (0: all)")->capture_default_str();
  log->add_option("--person", flags->person,
                  "Only this person's events, in time order: pnc:..., noms:..., crn:..., cro:..., "
                  "id:N");
  log->callback([flags] { throw CLI::RuntimeError(PrintLog(*flags)); });

  auto data = std::make_shared<std::string>();
  auto* verify = app.add_subcommand(
      "verify", "Check the hash chain and every index against the log (works while it runs)");
  verify->add_option("--data", *data, "Data directory")->required();
  verify->callback([data] { throw CLI::RuntimeError(VerifyDataDir(*data)); });
}

}  // namespace throughline::tools
