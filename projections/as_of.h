// The two times of a bitemporal question, as users write them (the command line, the API):
//
//   as of       "2019-03-04" (the whole of that day, UTC) or "2019-03-04T10:15:00Z" (any
//               RFC 3339 offset): what had happened by then;
//   as known at a log sequence "1234", or a date or time as above: what the log held by then.
//
// A date means the end of that day, so "as of the day before the offence" includes everything
// that happened on that day. See docs/projections.md ("Replay").

#ifndef THROUGHLINE_PROJECTIONS_AS_OF_H_
#define THROUGHLINE_PROJECTIONS_AS_OF_H_

#include <string_view>

#include "events/calendar.h"
#include "events/status.h"
#include "projections/fold.h"

namespace throughline::projections {

// InvalidArgument saying the accepted forms.
Result<events::Timestamp> ParseAsOf(std::string_view text);
Result<Knowledge> ParseKnowledge(std::string_view text);

}  // namespace throughline::projections

#endif  // THROUGHLINE_PROJECTIONS_AS_OF_H_
