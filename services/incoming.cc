#include "services/incoming.h"

#include "events/event_codec.h"

namespace throughline::services {

namespace {

template <class Parser>
Incoming Parse(RawMessage raw, Parser& parser) {
  Incoming in;
  in.raw = std::move(raw);
  if (in.raw.value.empty()) {
    in.errors.push_back({"", events::Rule::kJsonSyntax, "empty message (a tombstone?)"});
    return in;
  }
  events::ParseResult result = parser.Parse(in.raw.value);
  if (!result.ok()) {
    in.errors = std::move(result.errors);
    return in;
  }
  in.event = std::move(result.event);
  events::EncodeEvent(in.event, &in.encoded);
  return in;
}

}  // namespace

Incoming ParseMessage(RawMessage raw, events::EnvelopeParser& parser) {
  return Parse(std::move(raw), parser);
}

Incoming ParseMessage(RawMessage raw, events::hmpps::HmppsAdapter& adapter) {
  return Parse(std::move(raw), adapter);
}

void IncomingBatch::Append(IncomingBatch&& next) {
  messages.reserve(messages.size() + next.messages.size());
  for (auto& m : next.messages)
    messages.push_back(std::move(m));
  for (auto& g : next.gaps)
    gaps.push_back(std::move(g));
  // Later batches carry later offsets of a partition.
  for (auto& [partition, offset] : next.offsets)
    offsets[partition] = offset;
  bytes += next.bytes;
  if (first_consumed == std::chrono::steady_clock::time_point{})
    first_consumed = next.first_consumed;
}

}  // namespace throughline::services
