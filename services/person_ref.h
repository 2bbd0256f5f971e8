// Finding a person by what a user types: "pnc:2012/0123456Y", "noms:A1234BC", "crn:X123456",
// "cro:123456/11M" (any accepted spelling: the short PNC form, lower case) or "id:42".

#ifndef THROUGHLINE_SERVICES_PERSON_REF_H_
#define THROUGHLINE_SERVICES_PERSON_REF_H_

#include <cstdint>
#include <string_view>

#include "events/status.h"
#include "services/event_store.h"

namespace throughline::services {

// InvalidArgument (saying the accepted forms) for a malformed reference; NotFound when no
// person has it. An id of a merged person leads to the person it was merged into.
Result<std::uint64_t> FindPersonByRef(const EventStore& store, std::string_view ref);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_PERSON_REF_H_
