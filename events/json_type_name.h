// How a JSON value's type reads in an error message ("an object", "a string", "an integer"),
// for the readers of incoming JSON: the envelope parser and the HMPPS adapter.

#ifndef THROUGHLINE_EVENTS_JSON_TYPE_NAME_H_
#define THROUGHLINE_EVENTS_JSON_TYPE_NAME_H_

#include <simdjson.h>
#include <string_view>

namespace throughline::events {

std::string_view JsonTypeName(simdjson::dom::element_type t);

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_JSON_TYPE_NAME_H_
