// LogRecord: one entry of the append-only log, keyed by its global sequence number. The value
// format is specified in docs/formats.md ("Log record").
//
// Each record carries the hash of the record before it, so the log is a hash chain: changing,
// removing or reordering any record breaks the chain at the next one, and `throughline verify`
// finds it. The hash of the last record is kept in the metadata so the tail is covered too.

#ifndef THROUGHLINE_SERVICES_LOG_RECORD_H_
#define THROUGHLINE_SERVICES_LOG_RECORD_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/calendar.h"
#include "events/identifiers.h"
#include "events/status.h"

namespace throughline::services {

inline constexpr std::uint8_t kLogRecordFormatVersion = 1;

// SHA-256 of a record: sequence (u64 big-endian) followed by the record's value bytes.
using RecordHash = std::array<std::uint8_t, 32>;
RecordHash HashRecord(std::uint64_t sequence, std::string_view value);
std::string HexHash(const RecordHash& hash);

// Where an event came from. Events loaded by bulk import have no Kafka position: topic is
// empty, partition -1, and offset the line number in the imported file.
struct KafkaPosition {
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  bool operator==(const KafkaPosition&) const = default;
};

// An identifier of the event that already belonged to another person: the event went to the
// person of its strongest identifier, and this one was left where it was.
struct IdentityConflict {
  events::IdentifierKind kind;
  std::string value;
  std::uint64_t other_person = 0;
  bool operator==(const IdentityConflict&) const = default;
};

struct LogRecord {
  std::uint64_t sequence = 0;     // the key; not part of the value
  events::Timestamp appended_at;  // transaction time: when the engine learned of the event
  std::uint64_t person = 0;       // the person the event resolved to when appended
  RecordHash previous_hash{};     // hash of record sequence - 1; zeros for record 1
  KafkaPosition origin;
  std::vector<IdentityConflict> conflicts;
  std::string event;  // an event record (events/event_codec.h), as published
  bool operator==(const LogRecord&) const = default;
};

// A record's value parsed in place: every field a view into the value, nothing copied. For
// paths that read every record of the log and keep only a part of each (the rebuild).
struct LogRecordView {
  events::Timestamp appended_at;
  std::uint64_t person = 0;
  std::string_view previous_hash;  // 32 bytes
  std::string_view topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::uint32_t conflict_count = 0;
  std::string_view conflicts;  // conflict_count entries, each checked, in the value's encoding
  std::string_view event;
};

std::string EncodeLogRecord(const LogRecord& record);
// The same checks and errors as DecodeLogRecord; the views live as long as `value`.
Result<LogRecordView> ParseLogRecord(std::uint64_t sequence, std::string_view value);
// `sequence` is the record's key. Corruption when the bytes do not parse; NotSupported for a
// format version from the future. The event inside is not decoded here.
Result<LogRecord> DecodeLogRecord(std::uint64_t sequence, std::string_view value);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_LOG_RECORD_H_
