#include "services/person_reply.h"

#include "events/event_json.h"
#include "projections/view_json.h"
#include "services/redaction.h"

namespace throughline::services {

Result<PersonReply> ReadPerson(const EventStore& store, const PersonQuery& query,
                               events::Timestamp now) {
  PersonReply reply;
  reply.log_position = store.state().next_sequence - 1;
  reply.query = query;
  if (query.Replay()) {
    reply.from = "replay";
    auto r = ReplayPerson(store, query.person, query.as_of, query.known);
    if (!r.ok())
      return r.status();
    reply.state = std::move(r->state);
    reply.timeline = std::move(r->timeline);
    if (!query.as_of)
      projections::AgeTo(&reply.state, now);
  } else {
    reply.from = query.fold ? "fold" : "stored";
    auto s = query.fold ? FoldFromLog(store, query.person) : ReadProjection(store, query.person);
    if (!s.ok())
      return s.status();
    reply.state = std::move(*s);
    projections::AgeTo(&reply.state, now);
  }
  if (!projections::HasView(reply.state))
    return Status::NotFound("no view of person " + std::to_string(query.person));
  // A time-based alert the fold has set up but whose time has not come (as of the date asked
  // for, or now) has not been raised: it is not news yet.
  const events::Timestamp at = query.as_of.value_or(now);
  std::erase_if(reply.state.alerts,
                [&](const projections::Alert& a) { return !projections::IsRaised(a, at); });
  return reply;
}

void WriteTimelineJson(const std::vector<TimelineEntry>& timeline, DataClasses classes,
                       events::JsonWriter* w) {
  const auto omit = EventOmit(classes);
  w->BeginArray();
  for (const auto& entry : timeline) {
    if (!MaySee(classes, entry.event))
      continue;
    w->BeginObject();
    w->Key("sequence");
    w->Int(static_cast<std::int64_t>(entry.sequence));
    w->Key("appended_at");
    w->String(events::FormatTimestamp(entry.appended_at));
    if (entry.retracted) {
      w->Key("retracted");
      w->Bool(true);
    }
    w->Key("event");
    events::WriteEventJson(entry.event, w, omit);
    w->EndObject();
  }
  w->EndArray();
}

void WritePersonReplyJson(const PersonReply& reply, DataClasses classes, events::JsonWriter* w) {
  const PersonQuery& q = reply.query;
  w->BeginObject();
  w->Key("log_position");
  w->Int(static_cast<std::int64_t>(reply.log_position));
  if (q.as_of) {
    w->Key("as_of");
    w->String(events::FormatTimestamp(*q.as_of));
  }
  if (q.known.sequence) {
    w->Key("as_known_at_sequence");
    w->Int(static_cast<std::int64_t>(*q.known.sequence));
  }
  if (q.known.time) {
    w->Key("as_known_at");
    w->String(events::FormatTimestamp(*q.known.time));
  }
  w->Key("from");
  w->String(reply.from);
  w->Key("view");
  projections::WriteViewJson(RedactView(reply.state.view, classes), w, ViewOmit(classes));
  w->Key("alerts");
  w->BeginArray();
  for (const auto& alert : reply.state.alerts) {
    if (MaySee(classes, alert))
      projections::WriteAlertJson(alert, w);
  }
  w->EndArray();
  if (q.timeline) {
    w->Key("timeline");
    WriteTimelineJson(reply.timeline, classes, w);
  }
  w->EndObject();
}

}  // namespace throughline::services
