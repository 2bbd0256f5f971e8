// A Record (field_spec.h) as JSON, from its Fields() list: strings as strings, enumerations by
// name, dates YYYY-MM-DD, times RFC 3339 UTC, periods ISO 8601; an absent optional and an
// empty array are left out. Shared by the event JSON and the projections' views.

#ifndef THROUGHLINE_EVENTS_RECORD_JSON_H_
#define THROUGHLINE_EVENTS_RECORD_JSON_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/calendar.h"
#include "events/field_spec.h"
#include "events/json_writer.h"

namespace throughline::events {

class FieldJson {
 public:
  // Says, by dotted path ("counts", "flags.ocg_refs", "licence.conditions"), which members to
  // leave out: how readers redact what a caller may not see. Items of an array share its path.
  using Omit = std::function<bool(std::string_view path)>;

  explicit FieldJson(JsonWriter* w, Omit omit = {}) : w_(w), omit_(std::move(omit)) {}

  // Whether the member `name` of the object being written is left out; for members written by
  // hand beside the listed fields.
  bool Omitted(std::string_view name) const { return omit_ && omit_(PathOf(name)); }

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
      if (!spec.internal)
        f.Member(spec.name, record.*member);
    }
  };

  std::string PathOf(std::string_view name) const {
    return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
  }

  // Writes a member with its path current, so that nested records see theirs.
  template <class Write>
  void Scoped(std::string_view name, Write write) {
    if (!omit_) {  // the common case: no path to keep
      w_->Key(name);
      write();
      return;
    }
    std::string path = PathOf(name);
    if (omit_ && omit_(path))
      return;
    w_->Key(name);
    std::swap(path_, path);
    write();
    std::swap(path_, path);
  }

  template <class M>
  void Member(std::string_view name, const M& value) {
    Scoped(name, [&] { Value(value); });
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
    Scoped(name, [&] {
      w_->BeginArray();
      for (const auto& x : items)
        Value(x);
      w_->EndArray();
    });
  }

  void Value(const std::string& s) { w_->String(s); }
  void Value(std::int32_t n) { w_->Int(n); }
  void Value(std::int64_t n) { w_->Int(n); }
  void Value(std::uint64_t n) { w_->Int(static_cast<std::int64_t>(n)); }
  void Value(bool b) { w_->Bool(b); }
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
  Omit omit_;
  std::string path_;
};

// `record` as a JSON object.
template <Record R>
void WriteRecordJson(const R& record, JsonWriter* w) {
  FieldJson(w).Object(record);
}

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_RECORD_JSON_H_
