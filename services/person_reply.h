// PersonReply: what a read of one person answers, on the command line (`throughline view`) and
// the API (GET /v1/persons/..., /timeline), written as the same JSON by both and redacted to the
// caller's data classes (redaction.h):
//
//   {"log_position":1234, "as_of":"...", "as_known_at":"..."|"as_known_at_sequence":N,
//    "from":"stored"|"fold"|"replay", "view":{...}, "alerts":[...], "timeline":[...]}

#ifndef THROUGHLINE_SERVICES_PERSON_REPLY_H_
#define THROUGHLINE_SERVICES_PERSON_REPLY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/json_writer.h"
#include "events/status.h"
#include "projections/fold.h"
#include "services/access.h"
#include "services/event_store.h"
#include "services/projection_reader.h"

namespace throughline::services {

struct PersonQuery {
  std::uint64_t person = 0;
  std::optional<events::Timestamp> as_of;
  projections::Knowledge known;
  bool fold = false;      // fold afresh from the log instead of reading the stored view
  bool timeline = false;  // add the events behind the view
  bool Replay() const { return as_of || known.sequence || known.time || timeline; }
};

struct PersonReply {
  std::uint64_t log_position = 0;
  PersonQuery query;
  std::string from;  // stored, fold or replay
  projections::ProjectionState state;
  std::vector<TimelineEntry> timeline;
};

// Reads (or folds) the person; a view read now is aged to `now` (projections::AgeTo). NotFound
// when the person has no view.
Result<PersonReply> ReadPerson(const EventStore& store, const PersonQuery& query,
                               events::Timestamp now);

void WritePersonReplyJson(const PersonReply& reply, DataClasses classes, events::JsonWriter* w);

// A timeline entry or a log record's event, as the caller may see it.
void WriteTimelineJson(const std::vector<TimelineEntry>& timeline, DataClasses classes,
                       events::JsonWriter* w);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_PERSON_REPLY_H_
