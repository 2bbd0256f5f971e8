// A log record as JSON, for `throughline log` and the API: the record's own fields and the
// event, upcast to its current version, as CloudEvents JSON.
//
//   {"sequence":12,"appended_at":"...","person":3,
//    "origin":{"topic":"justice.events","partition":2,"offset":40},
//    "conflicts":[{"identifier":"crn:X123456","other_person":7}],
//    "event":{"specversion":"1.0",...}}

#ifndef THROUGHLINE_SERVICES_LOG_JSON_H_
#define THROUGHLINE_SERVICES_LOG_JSON_H_

#include <string>

#include "events/json_writer.h"
#include "events/status.h"
#include "services/log_record.h"

namespace throughline::services {

// Decodes the record's event (upcast) and writes both. Corruption if the event does not decode.
Status WriteLogRecordJson(const LogRecord& record, events::JsonWriter* w);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_LOG_JSON_H_
