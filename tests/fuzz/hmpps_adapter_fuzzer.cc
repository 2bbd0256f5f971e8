// Fuzzes the HMPPS adapter (events/hmpps/hmpps_adapter.h): domain events as the prison and
// probation services publish them, bare or SNS-wrapped, read leniently and mapped to the
// catalogue. Beyond never crashing, leaking or hitting undefined behaviour:
//   - each reason for a refusal has a defined rule (dead letters carry its name);
//   - an accepted event is one the native parser accepts as it is, and survives its binary
//     record and its JSON unchanged (event_round_trip.h), its inferred flags aside.

#include <cstddef>
#include <cstdint>

#include "events/envelope_parser.h"
#include "events/hmpps/hmpps_adapter.h"
#include "tests/fuzz/event_round_trip.h"
#include "tests/fuzz/fuzz_check.h"

namespace events = throughline::events;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static events::hmpps::HmppsAdapter adapter;
  static events::EnvelopeParser native;
  const auto result = adapter.Parse(throughline::fuzz::AsText(data, size));
  if (!result.ok()) {
    for (const auto& e : result.errors)
      FUZZ_CHECK(e.rule <= events::kLastRule, e.path);
    return 0;
  }
  throughline::fuzz::CheckRoundTrips(result.event, &native, /*same_flags=*/false);
  return 0;
}
