// JsonWriter: builds compact JSON text in one string, with correct escaping.
//
// The engine writes JSON on hot paths (person views, timelines, subscriptions) where building a
// DOM first would cost an allocation per value; this writes straight into one buffer. Commas
// and colons are placed by the writer, so callers only say what comes next.
//
//   JsonWriter w;
//   w.BeginObject();
//   w.Key("id"); w.String("abc");
//   w.EndObject();
//   std::string json = w.Take();

#ifndef THROUGHLINE_EVENTS_JSON_WRITER_H_
#define THROUGHLINE_EVENTS_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace throughline::events {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);  // invalid UTF-8 is written as U+FFFD, never passed on
  void Int(std::int64_t value);
  void Double(double value);
  void Bool(bool value);
  void Null();
  // A value that is already JSON text, written as is.
  void Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();
  void Escaped(std::string_view s);

  std::string out_;
  std::vector<bool> has_items_;  // one per open object or array
  bool after_key_ = false;
};

// `s` as a JSON string literal, quotes included.
std::string JsonString(std::string_view s);

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_JSON_WRITER_H_
