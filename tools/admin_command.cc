// `throughline admin`: keeping a data directory healthy.
//
//   admin backup DIR --data D     a consistent copy, while the engine runs (it makes it, through
//                                 its API, with an operator's token) or not
//   admin restore BACKUP --data D the copy back into an empty data directory
//   admin stats --data D          events by type, persons, sizes, lag, dead letters, gaps
//   admin compact --data D        space back
//   admin verify --data D         hash chain, indexes, and views equal to a fresh fold
//
// When an engine holds the directory (RocksDB's lock), what needs the store's writer goes
// through that engine's API (D/http.address) with --token (or THROUGHLINE_TOKEN) of role
// operator.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include <fmt/format.h>

#include "events/json_writer.h"
#include "services/event_store.h"
#include "services/http_client.h"
#include "services/store_admin.h"
#include "services/store_stats.h"
#include "tools/commands.h"
#include "tools/progress.h"
#include "tools/store_reader.h"

namespace throughline::tools {

namespace {

struct AdminFlags {
  std::string data;
  std::string path;  // backup: where to; restore: from where
  std::string token;
  bool json = false;
};

int Fail(std::string_view what, const Status& s) {
  fmt::print(stderr, "throughline admin {}: {}\n", what, s.message());
  return s.IsNotFound() ? 1 : 2;
}

std::string EngineAddress(const std::string& data) {
  std::ifstream in(data + "/http.address");
  std::string line;
  std::getline(in, line);
  return line;
}

// Asks the engine holding `data` to do `what` (POST /v1/admin/...). Its answer, or why not.
Result<std::string> ThroughEngine(const AdminFlags& flags, const std::string& what,
                                  const std::string& query) {
  std::string token = flags.token;
  if (token.empty() && std::getenv("THROUGHLINE_TOKEN") != nullptr)
    token = std::getenv("THROUGHLINE_TOKEN");
  const std::string address = EngineAddress(flags.data);
  if (token.empty() || address.empty()) {
    return Status::Busy(fmt::format(
        "an engine holds {}: it does this itself, given --token of an operator (throughline "
        "token --data {} --role operator --agency ..., then restart the engine to load it)",
        flags.data, flags.data));
  }
  auto r = services::HttpCall("POST", address, "/v1/admin/" + what + query, "",
                              {{"Authorization", "Bearer " + token}}, std::chrono::minutes(30));
  if (r.status == 0)
    return Status::IOError(fmt::format("the engine at {} did not answer: {}", address, r.error));
  if (r.status != 200)
    return Status::InvalidArgument(fmt::format("the engine answered {}: {}", r.status, r.body));
  return r.body;
}

int Backup(const AdminFlags& flags) {
  if (flags.path.empty())
    return Fail("backup", Status::InvalidArgument("where to: admin backup DIR --data D"));
  const std::string to = std::filesystem::absolute(flags.path).lexically_normal().string();
  auto store = services::EventStore::Open(flags.data, services::StoreOptions{});
  if (store.ok()) {
    std::uint64_t position = 0;
    if (Status s = services::BackupStore(**store, to, &position); !s.ok())
      return Fail("backup", s);
    fmt::print(stderr, "backed up {} (log position {}) to {}\n", flags.data, position, to);
    return 0;
  }
  if (!store.status().IsBusy())
    return Fail("backup", store.status());
  auto answer = ThroughEngine(flags, "backup", "?to=" + to);
  if (!answer.ok())
    return Fail("backup", answer.status());
  fmt::print(stderr, "the engine backed up {} to {}: {}\n", flags.data, to, *answer);
  return 0;
}

int Restore(const AdminFlags& flags) {
  if (flags.path.empty())
    return Fail("restore", Status::InvalidArgument("from where: admin restore BACKUP --data D"));
  if (Status s = services::RestoreStore(flags.path, flags.data); !s.ok())
    return Fail("restore", s);
  fmt::print(stderr,
             "restored {} into {}; check it with throughline admin verify --data {} before "
             "starting an engine on it\n",
             flags.path, flags.data, flags.data);
  return 0;
}

int Compact(const AdminFlags& flags) {
  auto store = services::EventStore::Open(flags.data, services::StoreOptions{});
  if (store.ok()) {
    Progress progress("families");
    if (Status s = services::CompactStore(**store); !s.ok())
      return Fail("compact", s);
    fmt::print(stderr, "compacted {} in {:.1f} s\n", flags.data, progress.Seconds());
    return 0;
  }
  if (!store.status().IsBusy())
    return Fail("compact", store.status());
  auto answer = ThroughEngine(flags, "compact", "");
  if (!answer.ok())
    return Fail("compact", answer.status());
  fmt::print(stderr, "the engine compacted {}: {}\n", flags.data, *answer);
  return 0;
}

int Stats(const AdminFlags& flags) {
  auto store = OpenStoreToRead(flags.data);
  if (!store.ok())
    return Fail("stats", store.status());
  Progress progress("records");
  const services::StoreStats s =
      services::CollectStoreStats(**store, [&](std::uint64_t done, std::uint64_t total) {
        progress.Update(total ? static_cast<double>(done) / static_cast<double>(total) : 1.0, done);
      });
  progress.Finish();
  // The consumer lag is the engine's to know: ask it, when it runs.
  std::optional<std::int64_t> lag;
  if (const std::string address = EngineAddress(flags.data); !address.empty()) {
    auto metrics = services::HttpGet(address, "/metrics");
    if (metrics.status == 200) {
      std::int64_t total = 0;
      const std::regex line(R"(throughline_consumer_lag\{[^}]*\} (-?\d+))");
      for (auto it = std::sregex_iterator(metrics.body.begin(), metrics.body.end(), line);
           it != std::sregex_iterator(); ++it) {
        total += std::max<std::int64_t>(0, std::stoll((*it)[1]));
      }
      lag = total;
    }
  }
  if (flags.json) {
    events::JsonWriter w;
    services::WriteStoreStatsJson(s, &w);
    std::cout << w.str() << '\n';
    return 0;
  }
  fmt::print("events          {}\n", Grouped(s.events));
  for (const auto& [type, n] : s.events_by_type)
    fmt::print("  {:<36} {:>12}\n", type, Grouped(n));
  fmt::print("persons         {} ({} records merged into others)\n", Grouped(s.persons),
             Grouped(s.persons_merged));
  fmt::print("identifiers     {}\n", Grouped(s.identifiers));
  // A person with no events in the log has no view (admin verify checks both ways): say so, or
  // the two counts look as if views were missing.
  const std::uint64_t without_events = s.persons > s.views ? s.persons - s.views : 0;
  fmt::print("views           {}{}\n", Grouped(s.views),
             without_events ? fmt::format(" (none for {} persons with no events left)",
                                          Grouped(without_events))
                            : "");
  fmt::print("alerts          {} raised, {} waiting for their time\n", Grouped(s.alerts_raised),
             Grouped(s.alerts_pending));
  fmt::print("dead letters    {} ({} on the DLQ topic)\n", Grouped(s.dead_letters),
             Grouped(s.dead_letters_published));
  fmt::print("offset gaps     {}{}\n", s.gaps,
             s.gaps ? " (messages deleted before they were read: see the engine's log)" : "");
  fmt::print("audit records   {}\n", Grouped(s.audit_records));
  fmt::print("on disk         {:.1f} MiB\n", static_cast<double>(s.disk_bytes) / (1 << 20));
  fmt::print("consumer lag    {}\n",
             lag ? Grouped(static_cast<std::uint64_t>(*lag)) : "unknown: no engine answered");
  for (const auto& [tp, offset] : s.offsets)
    fmt::print("  {}[{}] next offset {}\n", tp.first, tp.second, offset);
  for (const auto& [person, why] : s.examples)
    fmt::print("worth a look    id:{}  {}\n", person, why);
  return 0;
}

}  // namespace

void AddAdminCommand(CLI::App& app) {
  auto flags = std::make_shared<AdminFlags>();
  auto* admin = app.add_subcommand("admin",
                                   "Look after a data directory: backup, restore, stats, "
                                   "compact, verify");
  admin->require_subcommand(1);
  auto data = [&](CLI::App* cmd) {
    cmd->add_option("--data", flags->data, "Data directory")->required();
  };
  auto token = [&](CLI::App* cmd) {
    cmd->add_option("--token", flags->token,
                    "An operator's token, when an engine holds the directory (or "
                    "THROUGHLINE_TOKEN)");
  };
  auto* backup = admin->add_subcommand(
      "backup", "A consistent copy of the store in a new directory (while the engine runs too)");
  backup->add_option("dir", flags->path, "Where to: a directory that does not exist yet")
      ->required();
  data(backup);
  token(backup);
  backup->callback([flags] { throw CLI::RuntimeError(Backup(*flags)); });

  auto* restore =
      admin->add_subcommand("restore", "Copy a backup into a data directory that holds no store");
  restore->add_option("backup", flags->path, "The backup's directory")->required();
  data(restore);
  restore->callback([flags] { throw CLI::RuntimeError(Restore(*flags)); });

  auto* stats = admin->add_subcommand("stats", "What the store holds (works while it runs)");
  data(stats);
  stats->add_flag("--json", flags->json, "As JSON");
  stats->callback([flags] { throw CLI::RuntimeError(Stats(*flags)); });

  auto* compact = admin->add_subcommand("compact", "Compact every column family");
  data(compact);
  token(compact);
  compact->callback([flags] { throw CLI::RuntimeError(Compact(*flags)); });

  auto* verify = admin->add_subcommand(
      "verify", "Hash chain, indexes, and every view a fresh fold (works while it runs)");
  data(verify);
  verify->callback([flags] { throw CLI::RuntimeError(VerifyDataDir(flags->data)); });
}

}  // namespace throughline::tools
