// Fuzzes the view decoder (projections/projection_codec.h): the stored view and alerts of a
// person, read on every person request and by `verify`. Beyond never crashing, leaking or
// hitting undefined behaviour, of a value that decodes (as a view, and as an alert record):
//   - it encodes back to the very same bytes when written little-endian as the engine writes
//     (`verify` compares a stored view with a fresh fold byte for byte); a big-endian value
//     decodes to the same state once re-encoded;
//   - its JSON, as the API serves it, can be written.

#include <cstddef>
#include <cstdint>
#include <string>

#include "events/json_writer.h"
#include "projections/projection_codec.h"
#include "projections/view_json.h"
#include "tests/fuzz/fuzz_check.h"

namespace projections = throughline::projections;

namespace {

// The archive's first byte (after the projection version) says its endianness: 1 little.
bool LittleEndian(std::string_view value) { return value.size() > 1 && value[1] == 1; }

void CheckView(std::string_view value) {
  auto state = projections::DecodeProjection(7, value);
  if (!state.ok())
    return;
  const std::string again = projections::EncodeProjection(*state);
  if (LittleEndian(value)) {
    FUZZ_CHECK(again == value, "re-encoded view differs");
  } else {
    auto redecoded = projections::DecodeProjection(7, again);
    FUZZ_CHECK(redecoded.ok() && *redecoded == *state, "big-endian view does not round-trip");
  }
  FUZZ_CHECK(!projections::ViewToJson(state->view).empty(), "");
  throughline::events::JsonWriter w;
  for (const auto& alert : state->alerts)
    projections::WriteAlertJson(alert, &w);
}

void CheckAlert(std::string_view value) {
  auto alert = projections::DecodeAlert(value);
  if (!alert.ok())
    return;
  const std::string again = projections::EncodeAlert(*alert);
  if (LittleEndian(value)) {
    FUZZ_CHECK(again == value, "re-encoded alert differs");
  } else {
    auto redecoded = projections::DecodeAlert(again);
    FUZZ_CHECK(redecoded.ok() && *redecoded == *alert, "big-endian alert does not round-trip");
  }
  throughline::events::JsonWriter w;
  projections::WriteAlertJson(*alert, &w);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value = throughline::fuzz::AsText(data, size);
  CheckView(value);
  CheckAlert(value);
  return 0;
}
