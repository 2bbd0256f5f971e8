// Fuzzes the view decoder (projections/projection_codec.h): the stored view and alerts of a
// person, read on every person request and by `verify`. Beyond never crashing, leaking or
// hitting undefined behaviour, of a value that decodes (as a view, and as an alert record):
//   - it encodes back to the very same bytes (`verify` compares a stored view with a fresh fold
//     byte for byte, so a state has one encoding: each varint in its shortest form);
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

// Decodes `value`; what decodes encodes back to the same bytes.
template <class Decode, class Encode>
auto CheckRoundTrip(std::string_view value, Decode decode, Encode encode) {
  auto decoded = decode(value);
  if (decoded.ok())
    FUZZ_CHECK(encode(*decoded) == value, "re-encoded value differs");
  return decoded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value = throughline::fuzz::AsText(data, size);
  throughline::events::JsonWriter w;
  auto state = CheckRoundTrip(
      value, [](std::string_view v) { return projections::DecodeProjection(7, v); },
      projections::EncodeProjection);
  if (state.ok()) {
    FUZZ_CHECK(!projections::ViewToJson(state->view).empty(), "");
    for (const auto& alert : state->alerts)
      projections::WriteAlertJson(alert, &w);
  }
  auto alert = CheckRoundTrip(value, projections::DecodeAlert, projections::EncodeAlert);
  if (alert.ok())
    projections::WriteAlertJson(*alert, &w);
  return 0;
}
