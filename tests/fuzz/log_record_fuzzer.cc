// Fuzzes the log record decoder (services/log_record.h), the frame around every event in the
// log, and what `throughline log` and the API make of a record (services/log_json.h). Beyond
// never crashing, leaking or hitting undefined behaviour: a record that decodes encodes back to
// the very same bytes, since its hash is taken over them and the next record chains to it.

#include <cstddef>
#include <cstdint>
#include <string>

#include "events/json_writer.h"
#include "services/log_json.h"
#include "services/log_record.h"
#include "tests/fuzz/fuzz_check.h"

namespace services = throughline::services;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value = throughline::fuzz::AsText(data, size);
  auto record = services::DecodeLogRecord(1, value);
  if (!record.ok())
    return 0;
  FUZZ_CHECK(services::EncodeLogRecord(*record) == value, "re-encoded record differs");
  throughline::events::JsonWriter w;
  const auto status = services::WriteLogRecordJson(*record, &w);
  (void)status;  // Corruption when the event inside does not decode: fuzzed on its own
  return 0;
}
