// DeadLetter: a message the engine could not accept, kept with everything needed to act on it.
//
// Rejected messages are written to the store's `dead_letters` column family in the same
// WriteBatch as the offsets that move past them, so a rejection is as durable as an append: it
// can never be lost between the consumer and the dead-letter topic. A publisher thread then
// copies them to the DLQ topic (an outbox), with the original key, value and headers and
// `throughline.*` headers giving the reason (docs/formats.md, "Dead letter").

#ifndef THROUGHLINE_SERVICES_DEAD_LETTER_H_
#define THROUGHLINE_SERVICES_DEAD_LETTER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/calendar.h"
#include "events/status.h"
#include "events/validation_error.h"
#include "services/log_record.h"

namespace throughline::services {

inline constexpr std::uint8_t kDeadLetterFormatVersion = 1;

struct DeadLetter {
  KafkaPosition origin;
  std::optional<events::Timestamp> kafka_time;  // the message's own timestamp, if it had one
  events::Timestamp rejected_at;
  std::optional<std::string> key;
  std::string value;                                         // the original bytes, untouched
  std::vector<std::pair<std::string, std::string>> headers;  // the original headers
  events::ValidationErrors errors;
  bool operator==(const DeadLetter&) const = default;
};

std::string EncodeDeadLetter(const DeadLetter& letter);
Result<DeadLetter> DecodeDeadLetter(std::uint64_t number, std::string_view value);

// The headers the DLQ message carries: the original headers, then
//   throughline.error.path / .rule / .message   the first error
//   throughline.errors                          every error, "; "-separated
//   throughline.source.topic / .partition / .offset / .timestamp
//   throughline.rejected_at                     RFC 3339
std::vector<std::pair<std::string, std::string>> DeadLetterHeaders(const DeadLetter& letter);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_DEAD_LETTER_H_
