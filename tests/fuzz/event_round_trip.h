// What holds of every event a parser accepts, whichever parser made it: the native envelope
// parser or the HMPPS adapter.

#ifndef THROUGHLINE_TESTS_FUZZ_EVENT_ROUND_TRIP_H_
#define THROUGHLINE_TESTS_FUZZ_EVENT_ROUND_TRIP_H_

#include <string>

#include "events/envelope_parser.h"
#include "events/event_codec.h"
#include "events/event_json.h"
#include "events/upcaster.h"
#include "tests/fuzz/fuzz_check.h"

namespace throughline::fuzz {

// Its binary record decodes to the same event (the log keeps nothing else); its JSON, what
// readers and `throughline log` see, parses back to the same event; and it upcasts. Flags are
// not part of the JSON: with `same_flags` the parser must raise the same ones again (native
// events), without it they are left out of the comparison (the adapter's inferred flags).
inline void CheckRoundTrips(const events::Event& event, events::EnvelopeParser* parser,
                            bool same_flags) {
  const std::string record = events::EncodeEvent(event);
  auto decoded = events::DecodeStoredEvent(record);
  FUZZ_CHECK(decoded.ok(), decoded.status().ToString());
  FUZZ_CHECK(*decoded == event, events::EventToJson(*decoded));

  const std::string json = events::EventToJson(event);
  events::ParseResult again = parser->Parse(json);
  FUZZ_CHECK(again.ok(), json + " -> " + events::JoinErrors(again.errors));
  if (!same_flags) {
    again.event.flags = event.flags;
  }
  FUZZ_CHECK(again.event == event, json + " -> " + events::EventToJson(again.event));

  events::Event current = event;
  events::Upcast(&current);
  FUZZ_CHECK(!events::EventToJson(current).empty(), json);
}

}  // namespace throughline::fuzz

#endif  // THROUGHLINE_TESTS_FUZZ_EVENT_ROUND_TRIP_H_
