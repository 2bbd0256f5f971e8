#include "events/event_json.h"

#include "events/record_json.h"

namespace throughline::events {

void WriteEventDataJson(const Event& event, JsonWriter* w, const FieldJson::Omit& omit) {
  FieldJson f(w, omit);
  w->BeginObject();
  w->Key("person");
  f.Object(event.person);
  std::visit([&](const auto& data) { f.Fields(data); }, event.data);
  w->EndObject();
}

void WriteEventJson(const Event& event, JsonWriter* w, const FieldJson::Omit& omit) {
  w->BeginObject();
  w->Key("specversion");
  w->String("1.0");
  w->Key("id");
  w->String(event.id);
  w->Key("source");
  w->String(event.source);
  w->Key("type");
  w->String(event.type_name());
  w->Key("time");
  w->String(FormatTimestamp(event.time));
  w->Key("dataversion");
  w->Int(event.dataversion());
  for (const auto& a : event.attributes) {
    w->Key(a.name);
    w->String(a.value);
  }
  w->Key("data");
  WriteEventDataJson(event, w, omit);
  w->EndObject();
}

std::string EventToJson(const Event& event) {
  JsonWriter w;
  WriteEventJson(event, &w);
  return w.Take();
}

}  // namespace throughline::events
