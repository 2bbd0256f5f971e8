// `throughline audit --data DIR`: the audit log (services/audit_log.h) as NDJSON, and the check
// of its hash chain. Works while the engine runs.

#include <iostream>

#include <fmt/format.h>

#include "events/json_writer.h"
#include "services/audit_log.h"
#include "services/event_store.h"
#include "tools/commands.h"
#include "tools/store_reader.h"

namespace throughline::tools {

namespace {

struct AuditFlags {
  std::string data;
  std::uint64_t from = 1;
  std::uint64_t limit = 0;
  std::uint64_t person = 0;
  bool verify = false;
};

int PrintAudit(const AuditFlags& flags) {
  auto store = OpenStoreToRead(flags.data);
  if (!store.ok()) {
    fmt::print(stderr, "throughline audit: {}\n", store.status().message());
    return 2;
  }
  if (flags.verify) {
    std::uint64_t records = 0;
    auto broken = services::VerifyAuditChain(**store, &records);
    if (broken) {
      fmt::print("audit: the hash chain breaks at record {} ({} records read before it)\n", *broken,
                 records);
      return 1;
    }
    fmt::print("audit: OK: {} records, the hash chain is whole\n", records);
    return 0;
  }
  services::AuditLog log(store->get());
  const std::uint64_t limit = flags.limit == 0 ? UINT64_MAX : flags.limit;
  std::uint64_t from = flags.from, printed = 0;
  while (printed < limit) {
    auto records = log.Read(from, std::min<std::uint64_t>(1000, limit - printed),
                            [&](const services::AuditRecord& r) {
                              return flags.person == 0 || r.person == flags.person;
                            });
    if (records.empty())
      break;
    for (const auto& r : records) {
      events::JsonWriter w;
      services::WriteAuditRecordJson(r, &w);
      std::cout << w.str() << '\n';
      ++printed;
    }
    from = records.back().sequence + 1;
  }
  return 0;
}

}  // namespace

void AddAuditCommand(CLI::App& app) {
  auto flags = std::make_shared<AuditFlags>();
  auto* cmd = app.add_subcommand(
      "audit", "Print the audit log as NDJSON, or --verify its hash chain (works while it runs)");
  cmd->add_option("--data", flags->data, "Data directory")->required();
  cmd->add_option("--from", flags->from, "First record")->capture_default_str();
  cmd->add_option("--limit", flags->limit, "Most records (0: all)")->capture_default_str();
  cmd->add_option("--person", flags->person, "Only reads of this person id");
  cmd->add_flag("--verify", flags->verify, "Check the hash chain");
  cmd->callback([flags] { throw CLI::RuntimeError(PrintAudit(*flags)); });
}

}  // namespace throughline::tools
