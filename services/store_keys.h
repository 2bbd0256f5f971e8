// Keys of the RocksDB store, one column family per concept. The layouts are specified in
// docs/formats.md ("The store"); keep the two in step.
//
// Every integer in a key is big-endian so that RocksDB's bytewise order is numeric order; an
// event time is an i64 with its sign bit flipped, so times before 1970 sort first.

#ifndef THROUGHLINE_SERVICES_STORE_KEYS_H_
#define THROUGHLINE_SERVICES_STORE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/calendar.h"
#include "events/identifiers.h"

namespace throughline::services {

// Column family names. Persisted: never rename one.
inline constexpr char kMetaFamily[] = "default";                // metadata, see meta keys below
inline constexpr char kLogFamily[] = "log";                     // sequence -> log record
inline constexpr char kPersonEventsFamily[] = "person_events";  // person, time, sequence -> ""
inline constexpr char kIdempotencyFamily[] = "idempotency";     // source, id -> sequence
inline constexpr char kIdentityFamily[] = "identity";           // identifier -> person
inline constexpr char kPersonsFamily[] = "persons";             // person -> person record
inline constexpr char kDeadLettersFamily[] = "dead_letters";    // dead-letter number -> record
inline constexpr char kAuditFamily[] = "audit";                 // audit sequence -> record
// The projections' families carry a generation suffix, "views.1": a rebuild fills the next
// generation beside the current one and switches to it.
inline constexpr char kViewsFamily[] = "views";      // person -> projection state
inline constexpr char kCohortsFamily[] = "cohorts";  // projections/cohorts.h
inline constexpr char kAlertsFamily[] = "alerts";    // see AlertKey and friends

// Metadata keys (kMetaFamily).
inline constexpr char kFormatVersionKey[] = "format_version";  // u8: kStoreFormatVersion
inline constexpr char kNextSequenceKey[] = "next_sequence";    // u64 LE
inline constexpr char kLastHashKey[] = "last_hash";            // 32 bytes: hash of the last record
inline constexpr char kNextPersonKey[] = "next_person";        // u64 LE
inline constexpr char kNextDeadLetterKey[] = "next_dead_letter";              // u64 LE
inline constexpr char kDeadLettersPublishedKey[] = "dead_letters_published";  // u64 LE
inline constexpr char kOffsetKeyPrefix[] = "offset/";  // + topic + '/' + partition
inline constexpr char kGapKeyPrefix[] = "gap/";        // see GapKey
inline constexpr char kProjectionGenerationKey[] = "projection_generation";  // u64 LE
inline constexpr char kProjectionVersionKey[] = "projection_version";        // u8
inline constexpr char kChangesPublishedKey[] = "changes_published";          // u64 LE: on the topic
inline constexpr char kAuditNextKey[] = "audit_next";           // u64 LE: the next audit sequence
inline constexpr char kAuditLastHashKey[] = "audit_last_hash";  // 32 bytes

// The store layout version. Bump when a key or value layout changes incompatibly.
inline constexpr std::uint8_t kStoreFormatVersion = 1;

// Big-endian u64: log sequence, person id, dead-letter number.
std::string U64Key(std::uint64_t n);
std::optional<std::uint64_t> DecodeU64Key(std::string_view key);

// person_events: person (8) | event time, sign-flipped (8) | sequence (8).
std::string PersonEventKey(std::uint64_t person, events::Timestamp time, std::uint64_t sequence);
struct PersonEventKeyParts {
  std::uint64_t person;
  events::Timestamp time;
  std::uint64_t sequence;
};
std::optional<PersonEventKeyParts> DecodePersonEventKey(std::string_view key);

// idempotency: u16 BE length of source | source | id. The length keeps ("a", "bc") and
// ("ab", "c") apart.
std::string IdempotencyKey(std::string_view source, std::string_view id);

// identity: kind (u8) | normalised value.
std::string IdentityKey(events::IdentifierKind kind, std::string_view value);
struct IdentityKeyParts {
  events::IdentifierKind kind;
  std::string value;
};
std::optional<IdentityKeyParts> DecodeIdentityKey(std::string_view key);

// meta: "offset/<topic>/<partition>" -> i64 LE, the next offset to consume.
std::string OffsetKey(std::string_view topic, std::int32_t partition);
struct OffsetKeyParts {
  std::string topic;
  std::int32_t partition;
};
std::optional<OffsetKeyParts> DecodeOffsetKey(std::string_view key);

// meta: "gap/<topic>/<partition>/<first lost offset, 20 digits>" -> to:i64 detected_at:i64.
std::string GapKey(std::string_view topic, std::int32_t partition, std::int64_t from);

// alerts (a generation of kAlertsFamily):
//   a/<alert id>                               -> the alert (raised)
//   s/<event time>/<alert id>                  -> "" : raised alerts by event time
//   g/<agency><NUL><event time>/<alert id>     -> "" : raised alerts of one agency by event time
//   d/<due time>/<alert id>                    -> person u64 LE : time-based alerts not yet due
// Times are i64 ms with the sign bit flipped, big-endian (8 bytes).
std::string AlertKey(std::string_view id);
std::string AlertTimeKey(events::Timestamp time, std::string_view id);
std::string AlertAgencyPrefix(std::string_view agency);
std::string AlertAgencyKey(std::string_view agency, events::Timestamp time, std::string_view id);
std::string AlertDueKey(events::Timestamp due, std::string_view id);
inline constexpr char kAlertPrefix[] = "a/";
inline constexpr char kAlertTimePrefix[] = "s/";
inline constexpr char kAlertDuePrefix[] = "d/";
// The time part of a key (8 bytes at `offset`).
events::Timestamp KeyTime(std::string_view key, std::size_t offset);
void PutKeyTime(std::string* key, events::Timestamp time);

// A u64 metadata value, little-endian.
std::string Fixed64Value(std::uint64_t v);
std::optional<std::uint64_t> DecodeFixed64Value(std::string_view value);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_STORE_KEYS_H_
