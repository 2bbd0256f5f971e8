// Upcast: an event of an older dataversion, read as the current one.
//
// The log keeps every event exactly as it was published, older versions included. Every read
// path (the parser's callers, the codec's DecodeEvent, replays) upcasts, so that folds,
// queries and subscribers only ever see the current structs. Upcasting a current event changes
// nothing.

#ifndef THROUGHLINE_EVENTS_UPCASTER_H_
#define THROUGHLINE_EVENTS_UPCASTER_H_

#include "events/event.h"

namespace throughline::events {

void Upcast(Event* event);

// True when `data` holds the newest version of its type.
bool IsCurrent(const EventData& data);

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_UPCASTER_H_
