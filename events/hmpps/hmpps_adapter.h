// HmppsAdapter: one HMPPS domain event message in (bare or SNS-wrapped), the same validated
// Event the native EnvelopeParser yields out, or every reason it cannot be taken.
//
// The message is read leniently (domain_event.h), mapped by its family's table (mapping.h) to
// a catalogue type, written as a native CloudEvents envelope and parsed by the native parser:
// so an HMPPS event is validated by exactly the rules a native one is, and everything
// downstream (the writer, idempotency, projections, dead letters) is shared. What the
// catalogue refuses is reported at the path in the HMPPS event where the value came from.
//
//   source  "hmpps/<producer>", e.g. hmpps/prison-offender-events
//   id      the SNS MessageId, or "sha256:" and 32 hex digits of the event (publishedAt left
//           out), so a redelivery is the same event; "/external" is added when the event is
//           kept as external, so that if its type is mapped later, replaying the topic adds
//           the mapped event beside it instead of being refused as a reused id
//   time    occurredAt (see hmpps_time.h), UTC
//   hmppseventtype, hmppsdetailurl   kept as CloudEvents extension attributes
//
// An event type with no mapping, or one whose mapping keeps it, is stored as an `external`
// event. Values a mapping chose rather than read, and a time read without an offset, are
// flagged on the event (rule `inferred`). docs/hmpps.md describes every mapping.

#ifndef THROUGHLINE_EVENTS_HMPPS_HMPPS_ADAPTER_H_
#define THROUGHLINE_EVENTS_HMPPS_HMPPS_ADAPTER_H_

#include <string_view>

#include "events/envelope_parser.h"
#include "events/hmpps/domain_event.h"
#include "events/hmpps/mapping.h"

namespace throughline::events::hmpps {

// Not thread-safe: it reuses its buffers. One per thread.
class HmppsAdapter {
 public:
  explicit HmppsAdapter(ParseLimits limits = {});

  ParseResult Parse(std::string_view message);

 private:
  // Parses the envelope the mapping made; flags what was inferred, or reports what the
  // catalogue refused at the HMPPS path.
  ParseResult Finish(const DomainEvent& event, std::string_view producer, const Mapping& m);

  DomainEventReader reader_;
  EnvelopeParser native_;
};

}  // namespace throughline::events::hmpps

#endif  // THROUGHLINE_EVENTS_HMPPS_HMPPS_ADAPTER_H_
