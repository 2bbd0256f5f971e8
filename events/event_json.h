// An event as CloudEvents 1.0 structured JSON: the same wire form the parser reads, written
// from the same field lists, so that Parse(EventToJson(e)) gives back e.

#ifndef THROUGHLINE_EVENTS_EVENT_JSON_H_
#define THROUGHLINE_EVENTS_EVENT_JSON_H_

#include <string>

#include "events/event.h"
#include "events/json_writer.h"
#include "events/record_json.h"

namespace throughline::events {

// Writes the envelope (with `data`) as one JSON object. Flags are not part of the wire form.
// `omit` leaves out members of `data` by path ("conditions"): how readers redact.
void WriteEventJson(const Event& event, JsonWriter* w, const FieldJson::Omit& omit = {});
std::string EventToJson(const Event& event);

// Writes only `data` (person first, then the type's fields).
void WriteEventDataJson(const Event& event, JsonWriter* w, const FieldJson::Omit& omit = {});

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_EVENT_JSON_H_
