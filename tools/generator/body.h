// Body: the fields of one event's `data`, written straight to JSON text with events::JsonWriter
// (no DOM: the generator writes hundreds of thousands of these a second).

#ifndef THROUGHLINE_TOOLS_GENERATOR_BODY_H_
#define THROUGHLINE_TOOLS_GENERATOR_BODY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "events/calendar.h"
#include "events/json_writer.h"
#include "tools/generator/offences.h"

namespace throughline::generator {

class Body {
 public:
  Body() { w_.BeginObject(); }

  Body& Str(std::string_view key, std::string_view value) {
    w_.Key(key);
    w_.String(value);
    return *this;
  }
  Body& Int(std::string_view key, std::int64_t value) {
    w_.Key(key);
    w_.Int(value);
    return *this;
  }
  // The UTC calendar day of a time in milliseconds.
  Body& Date(std::string_view key, std::int64_t ms) {
    return Str(key, events::FormatDate(events::DateOf(events::Timestamp{ms})));
  }
  Body& Time(std::string_view key, std::int64_t ms) {
    return Str(key, events::FormatTimestamp(events::Timestamp{ms}));
  }
  template <class Strings>
  Body& List(std::string_view key, const Strings& values) {
    w_.Key(key);
    w_.BeginArray();
    for (const auto& v : values)
      w_.String(v);
    w_.EndArray();
    return *this;
  }
  Body& Offence(std::string_view key, const OffenceInfo& o) {
    w_.Key(key);
    WriteOffence(o);
    return *this;
  }
  Body& Offences(std::string_view key, std::span<const int> offences) {
    w_.Key(key);
    w_.BeginArray();
    for (int i : offences)
      WriteOffence(AllOffences()[i]);
    w_.EndArray();
    return *this;
  }
  // An object of identifiers, e.g. `merged` of identity.merged.
  Body& Pnc(std::string_view key, std::string_view pnc) {
    w_.Key(key);
    w_.BeginObject();
    w_.Key("pnc");
    w_.String(pnc);
    w_.EndObject();
    return *this;
  }

  std::string Take() {
    w_.EndObject();
    return w_.Take();
  }

 private:
  void WriteOffence(const OffenceInfo& o) {
    w_.BeginObject();
    w_.Key("code");
    w_.String(o.code);
    w_.Key("description");
    w_.String(o.description);
    w_.EndObject();
  }

  events::JsonWriter w_;
};

}  // namespace throughline::generator

#endif  // THROUGHLINE_TOOLS_GENERATOR_BODY_H_
