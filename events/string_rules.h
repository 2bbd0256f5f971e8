// The rules for each Format of string field (field_spec.h): length, characters, pattern and
// normal form. Shared by the envelope parser and by adapters that map other publishers' events
// into the catalogue, so a value is judged the same way whichever door it came in by.

#ifndef THROUGHLINE_EVENTS_STRING_RULES_H_
#define THROUGHLINE_EVENTS_STRING_RULES_H_

#include <optional>
#include <string>
#include <string_view>

#include "events/field_spec.h"
#include "events/validation_error.h"

namespace throughline::events {

// Checks `text` against the rules of `format` and writes its normal form to `normal`.
// `pivot_year` places a 2-digit PNC year (see CheckPnc). Reference data is not consulted: an
// unknown prison or force code passes here, and the caller flags it.
std::optional<Problem> CheckString(Format format, std::string_view text, int pivot_year,
                                   std::string* normal);

// The longest value allowed for a format, in bytes.
std::size_t MaxLength(Format format);

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_STRING_RULES_H_
