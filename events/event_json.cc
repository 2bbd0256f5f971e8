#include "events/event_json.h"

namespace throughline::events {

namespace {

class FieldJson {
 public:
  explicit FieldJson(JsonWriter* w) : w_(w) {}

  template <Record R>
  void Object(const R& record) {
    w_->BeginObject();
    Fields(record);
    w_->EndObject();
  }

  // The fields of `record` into the object already open.
  template <Record R>
  void Fields(const R& record) {
    Visit<R> visit{*this, record};
    R::Fields(visit);
  }

 private:
  template <class R>
  struct Visit {
    FieldJson& f;
    const R& record;
    template <class U, class M>
    void operator()(M U::*member, const FieldSpec& spec) {
      f.Member(spec.name, record.*member);
    }
  };

  template <class M>
  void Member(std::string_view name, const M& value) {
    w_->Key(name);
    Value(value);
  }
  template <class X>
  void Member(std::string_view name, const std::optional<X>& value) {
    if (value)
      Member(name, *value);
  }
  template <class X>
  void Member(std::string_view name, const std::vector<X>& items) {
    if (items.empty())
      return;
    w_->Key(name);
    w_->BeginArray();
    for (const auto& x : items)
      Value(x);
    w_->EndArray();
  }

  void Value(const std::string& s) { w_->String(s); }
  void Value(std::int32_t n) { w_->Int(n); }
  void Value(Date d) { w_->String(FormatDate(d)); }
  void Value(Timestamp t) { w_->String(FormatTimestamp(t)); }
  void Value(const Period& p) { w_->String(FormatPeriod(p)); }
  template <Enumeration E>
  void Value(E e) {
    w_->String(EnumName(e));
  }
  template <Record R>
  void Value(const R& record) {
    Object(record);
  }

  JsonWriter* w_;
};

}  // namespace

void WriteEventDataJson(const Event& event, JsonWriter* w) {
  FieldJson f(w);
  w->BeginObject();
  w->Key("person");
  f.Object(event.person);
  std::visit([&](const auto& data) { f.Fields(data); }, event.data);
  w->EndObject();
}

void WriteEventJson(const Event& event, JsonWriter* w) {
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
  WriteEventDataJson(event, w);
  w->EndObject();
}

std::string EventToJson(const Event& event) {
  JsonWriter w;
  WriteEventJson(event, &w);
  return w.Take();
}

}  // namespace throughline::events
