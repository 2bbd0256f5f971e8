// The text an investigator reads: a person's replay (the JSON of services/person_reply.h, from a
// data directory or the API) as a report for a terminal: who, where, the counts, licence,
// MAPPA and IOM, alerts, then the events by lane; and the difference between two replays (what
// was learned between two moments: late events, retractions, and what they changed).

#ifndef THROUGHLINE_TOOLS_REPLAY_REPORT_H_
#define THROUGHLINE_TOOLS_REPLAY_REPORT_H_

#include <string>
#include <string_view>

#include "events/status.h"

namespace throughline::tools {

// InvalidArgument when `reply_json` is not a person reply.
Result<std::string> ReplayText(std::string_view reply_json, std::string_view reason);

// What `after` knows that `before` did not, both replays of one person as of the same date.
Result<std::string> DiffText(std::string_view before_json, std::string_view after_json);
// The same as JSON: {"learned":[timeline entries],"retracted":[...],"changed":{member:[before,
// after]}, "before":{...},"after":{...}}.
Result<std::string> DiffJson(std::string_view before_json, std::string_view after_json);

}  // namespace throughline::tools

#endif  // THROUGHLINE_TOOLS_REPLAY_REPORT_H_
