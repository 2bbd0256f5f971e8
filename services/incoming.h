// What flows from the consumer to the writer: a Kafka message as received, and the event
// parsed from it (or the reasons it was rejected). Parsing and encoding happen on the consumer's
// thread so that the writer's thread does only what must be serial.

#ifndef THROUGHLINE_SERVICES_INCOMING_H_
#define THROUGHLINE_SERVICES_INCOMING_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "events/calendar.h"
#include "events/envelope_parser.h"
#include "events/event.h"
#include "events/hmpps/hmpps_adapter.h"
#include "services/log_record.h"

namespace throughline::services {

struct RawMessage {
  KafkaPosition origin;
  std::optional<events::Timestamp> kafka_time;
  std::optional<std::string> key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// One message, parsed. Exactly one of `encoded` (valid) or `errors` (rejected) is non-empty.
struct Incoming {
  RawMessage raw;
  events::Event event;  // as published; meaningful when valid
  std::string encoded;  // events::EncodeEvent(event)
  events::ValidationErrors errors;
  bool valid() const { return errors.empty(); }
};

// Parses and encodes a raw message with the caller's parser (one per thread).
Incoming ParseMessage(RawMessage raw, events::EnvelopeParser& parser);
// The same for a message of an HMPPS domain events topic (events/hmpps/hmpps_adapter.h).
Incoming ParseMessage(RawMessage raw, events::hmpps::HmppsAdapter& adapter);

// The next offset to consume, per (topic, partition).
using OffsetMap = std::map<std::pair<std::string, std::int32_t>, std::int64_t>;

// Messages of a partition that were deleted (by retention) before the engine read them. The
// engine cannot get them back; it records the loss, alerts on it, and carries on after it.
struct OffsetGap {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t from = 0;  // first offset lost
  std::int64_t to = 0;    // first offset still there
  events::Timestamp detected_at;
};

// Messages in arrival order, and the offsets that writing them moves to.
struct IncomingBatch {
  std::vector<Incoming> messages;
  std::vector<OffsetGap> gaps;
  OffsetMap offsets;
  std::size_t bytes = 0;  // of the raw values, for the consumer's memory bound
  // When its first message was consumed; unset for a batch not from Kafka.
  std::chrono::steady_clock::time_point first_consumed{};

  bool empty() const { return messages.empty() && gaps.empty() && offsets.empty(); }
  // Appends `next`, which came after this batch.
  void Append(IncomingBatch&& next);
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_INCOMING_H_
