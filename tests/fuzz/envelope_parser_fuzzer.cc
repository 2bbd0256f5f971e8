// Fuzzes the envelope parser and validator (events/envelope_parser.h): any bytes from Kafka in,
// a valid event or its reasons out. Beyond never crashing, leaking or hitting undefined
// behaviour:
//   - each reason for a refusal has a defined rule and a message, and they stop at
//     max_errors (a message with a million mistakes gets a bounded reply);
//   - an accepted event survives its binary record and its JSON unchanged (event_round_trip.h).
// One parser is kept across inputs, as the engine keeps one per thread: reusing its buffers is
// part of what is tested.

#include <cstddef>
#include <cstdint>

#include "events/envelope_parser.h"
#include "tests/fuzz/event_round_trip.h"
#include "tests/fuzz/fuzz_check.h"

using throughline::events::EnvelopeParser;
using throughline::events::kLastRule;
using throughline::events::ParseLimits;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ParseLimits kLimits;
  static EnvelopeParser parser(kLimits);
  const auto result = parser.Parse(throughline::fuzz::AsText(data, size));
  if (!result.ok()) {
    FUZZ_CHECK(result.errors.size() <= kLimits.max_errors + 1,
               throughline::events::JoinErrors(result.errors));
    for (const auto& e : result.errors) {
      FUZZ_CHECK(e.rule <= kLastRule, e.path);
      FUZZ_CHECK(!e.message.empty(), e.path);
    }
    return 0;
  }
  throughline::fuzz::CheckRoundTrips(result.event, &parser, /*same_flags=*/true);
  return 0;
}
