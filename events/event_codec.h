// The binary form of an event, as the log stores it. The format is specified in
// docs/formats.md ("Event record"); this header and event_codec.cc must agree with it.
//
//   record := format_version:u8 archive
//
// `archive` is the record's fields in the compact layout of record_codec.h (format 2, written
// now), or in the fixed one, a cereal portable-binary archive (format 1, read for ever).
// Decoding never trusts the bytes: a truncated record, a flipped byte, an unknown type or a
// format version from the future each give a Status (Corruption or NotSupported), never a
// crash and never an allocation larger than the record.

#ifndef THROUGHLINE_EVENTS_EVENT_CODEC_H_
#define THROUGHLINE_EVENTS_EVENT_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/status.h"

namespace throughline::events {

// The first byte of every event record written now. Bump it when the grammar changes, and keep
// decoding every older version.
constexpr std::uint8_t kEventFormatVersion = 2;

// Appends the record for `event`, exactly as published (no upcast), to `out`.
void EncodeEvent(const Event& event, std::string* out);
std::string EncodeEvent(const Event& event);

// Decodes a record and upcasts it to the current version of its type: what every read path
// wants.
Result<Event> DecodeEvent(std::string_view record);

// Decodes a record as it was stored, older dataversions kept: for audit and format tools.
Result<Event> DecodeStoredEvent(std::string_view record);

// The same, into `*out`, whatever it held: its strings and vectors keep their memory, so a
// path decoding event after event into the same few Events (the rebuild) does not allocate for
// each. On error `*out` holds part of the record.
Status DecodeEvent(std::string_view record, Event* out);
Status DecodeStoredEvent(std::string_view record, Event* out);

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_EVENT_CODEC_H_
