#include "services/log_json.h"

#include "events/event_codec.h"
#include "events/event_json.h"

namespace throughline::services {

Status WriteLogRecordJson(const LogRecord& record, events::JsonWriter* w) {
  auto event = events::DecodeEvent(record.event);
  if (!event.ok())
    return event.status();
  w->BeginObject();
  w->Key("sequence");
  w->Int(static_cast<std::int64_t>(record.sequence));
  w->Key("appended_at");
  w->String(events::FormatTimestamp(record.appended_at));
  w->Key("person");
  w->Int(static_cast<std::int64_t>(record.person));
  if (record.origin.topic.empty()) {
    w->Key("origin");
    w->BeginObject();
    w->Key("import_line");
    w->Int(record.origin.offset);
    w->EndObject();
  } else {
    w->Key("origin");
    w->BeginObject();
    w->Key("topic");
    w->String(record.origin.topic);
    w->Key("partition");
    w->Int(record.origin.partition);
    w->Key("offset");
    w->Int(record.origin.offset);
    w->EndObject();
  }
  if (!record.conflicts.empty()) {
    w->Key("conflicts");
    w->BeginArray();
    for (const auto& c : record.conflicts) {
      w->BeginObject();
      w->Key("identifier");
      w->String(events::ToString({c.kind, c.value}));
      w->Key("other_person");
      w->Int(static_cast<std::int64_t>(c.other_person));
      w->EndObject();
    }
    w->EndArray();
  }
  w->Key("event");
  events::WriteEventJson(*event, w);
  w->EndObject();
  return Status::OK();
}

}  // namespace throughline::services
