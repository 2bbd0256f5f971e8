// AuditLog: who looked at whose record, when, as of when, and why; and every refusal.
//
// Append-only and hash-chained as the event log is (docs/formats.md, "Audit record"): record N
// carries the hash of record N-1, and the metadata the hash of the last one, so a changed,
// removed or reordered record breaks the chain (`throughline audit --verify`). Its own column
// family of the engine's store, written beside ingest, never in its batches.
//
// Thread-safe: HTTP sessions append from any thread; appends are serialised by a mutex (one
// small write each, WAL on, not synced: a machine crash may lose the last few records, a
// process crash none).

#ifndef THROUGHLINE_SERVICES_AUDIT_LOG_H_
#define THROUGHLINE_SERVICES_AUDIT_LOG_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "events/calendar.h"
#include "events/json_writer.h"
#include "events/status.h"
#include "services/event_store.h"
#include "services/log_record.h"

namespace throughline::services {

inline constexpr std::uint8_t kAuditRecordFormatVersion = 1;

struct AuditRecord {
  std::uint64_t sequence = 0;  // the key; assigned by Append
  events::Timestamp at;        // when it was asked
  std::string token_id;        // "" when no valid token was shown
  std::string role;
  std::string agency;
  std::string action;        // view, timeline, replay, cohort, alerts, events, subscribe, audit,
                             // admin, connect (over a cap), http (a request that could not be read)
  std::string target;        // what was asked for: "pnc:2012/0123456Y", "cohort prison CFI", ...
  std::uint64_t person = 0;  // whose record, once found; 0 when none
  std::optional<events::Timestamp> as_of;
  std::string as_known_at;  // as asked: a sequence or a time; "" for now
  std::string reason;       // X-Reason
  std::int32_t status = 0;  // the HTTP status answered: 200, 401, 403, ...
  RecordHash previous_hash{};

  bool operator==(const AuditRecord&) const = default;
};

std::string EncodeAuditRecord(const AuditRecord& record);
Result<AuditRecord> DecodeAuditRecord(std::uint64_t sequence, std::string_view value);
void WriteAuditRecordJson(const AuditRecord& record, events::JsonWriter* w);

class AuditLog {
 public:
  // Reads where the chain ends from the store's metadata. The store must outlive the log.
  explicit AuditLog(EventStore* store);

  // Appends with the next sequence, chained to the last record.
  Status Append(AuditRecord record);

  // Records from `from` on, at most `limit`, oldest first; only those `keep` accepts.
  std::vector<AuditRecord> Read(std::uint64_t from, std::size_t limit,
                                const std::function<bool(const AuditRecord&)>& keep = {}) const;

  std::uint64_t size() const;

 private:
  EventStore* store_;
  mutable std::mutex mu_;
  std::uint64_t next_ = 1;
  RecordHash last_hash_{};
};

// Checks the chain from the first record to the metadata's last hash. The sequence of the first
// record at which it breaks, if it does; `records` counts what was read.
std::optional<std::uint64_t> VerifyAuditChain(const EventStore& store, std::uint64_t* records);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_AUDIT_LOG_H_
