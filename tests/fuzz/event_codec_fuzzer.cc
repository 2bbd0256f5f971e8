// Fuzzes the binary event decoder (events/event_codec.h), which reads every record the log
// holds: a flipped bit on disk or a record from a future engine must give a Status, never a
// crash, undefined behaviour or an allocation larger than the record. Of a record that decodes:
//   - a record of the format written now (2) encodes back to the very same bytes (one encoding
//     per event: each varint in its shortest form); one of format 1 re-encodes, in format 2, to
//     a record that decodes to the same event;
//   - its upcast (DecodeEvent) and its JSON, as `throughline log` prints it, do not fail;
//   - decoded into an Event that held the inputs before (each decoded there, whole or in part,
//     as the rebuild reuses its Events), it is the same event as decoded afresh.

#include <cstddef>
#include <cstdint>
#include <string>

#include "events/event_codec.h"
#include "events/event_json.h"
#include "tests/fuzz/fuzz_check.h"

namespace events = throughline::events;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view record = throughline::fuzz::AsText(data, size);
  auto stored = events::DecodeStoredEvent(record);
  auto current = events::DecodeEvent(record);
  FUZZ_CHECK(stored.ok() == current.ok(), "DecodeEvent and DecodeStoredEvent disagree");
  static events::Event reused;
  const bool reused_ok = events::DecodeStoredEvent(record, &reused).ok();
  FUZZ_CHECK(reused_ok == stored.ok(), "decoding into a used Event and afresh disagree");
  if (!stored.ok())
    return 0;
  FUZZ_CHECK(reused == *stored, events::EventToJson(reused));

  const std::string again = events::EncodeEvent(*stored);
  if (static_cast<std::uint8_t>(record[0]) == events::kEventFormatVersion) {
    FUZZ_CHECK(again == record, events::EventToJson(*stored));
  } else {
    auto redecoded = events::DecodeStoredEvent(again);
    FUZZ_CHECK(redecoded.ok() && *redecoded == *stored, events::EventToJson(*stored));
  }
  FUZZ_CHECK(!events::EventToJson(*current).empty(), "");
  return 0;
}
