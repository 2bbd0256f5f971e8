// How the catalogue describes itself: one Fields() function per record, read by every consumer.
//
// Each event struct (and each nested record such as Offence) lists its fields once:
//
//   template <class V> static void Fields(V& v) {
//     v(&ArrestRecorded::mode, {.name = "mode", .doc = "how the person came to the police"});
//     v(&ArrestRecorded::asn, {.name = "asn", .doc = "...", .format = Format::kAsn});
//   }
//
// and that single list drives the JSON reader (envelope_parser.cc), the JSON writer
// (event_json.cc), the binary codec (event_codec.cc) and the generated catalogue
// (catalogue_markdown.cc). Presence follows the member's C++ type: std::optional<T> is optional,
// std::vector<T> is optional unless min_items > 0, anything else is required.
//
// Records may also declare cross-field rules:
//
//   static void Check(const SentenceImposed& s, CheckContext& c);

#ifndef THROUGHLINE_EVENTS_FIELD_SPEC_H_
#define THROUGHLINE_EVENTS_FIELD_SPEC_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/validation_error.h"

namespace throughline::events {

// What a string field holds, and so how it is checked and normalised.
enum class Format : std::uint8_t {
  kText,         // free text for people, 1..1000 bytes
  kId,           // a record id in the publisher's system, 1..128 printable characters
  kName,         // a short name (court, area, provider), 1..200 bytes
  kPrisonCode,   // NOMIS agency code; flagged, not rejected, when not in the reference data
  kForceCode,    // police force slug; flagged, not rejected, when not in the reference data
  kOffenceCode,  // CJS offence code: 2 letters, 5 digits, optional letter (TH68001)
  kAsn,          // Arrest/Summons Number with its check letter
  kPnc,          // person identifiers, see identifiers.h
  kNoms,
  kCrn,
  kCro,
};

struct FieldSpec {
  std::string_view name;  // JSON key
  std::string_view doc;   // one line for the catalogue
  Format format = Format::kText;
  // Integers: the inclusive range allowed.
  std::int32_t min = 0;
  std::int32_t max = 0;
  // Arrays: at least min_items (0 also lets the field be absent), at most max_items.
  std::uint16_t min_items = 0;
  std::uint16_t max_items = 100;
  // Bookkeeping kept in the stored form but not shown in JSON. Default: false
  bool internal = false;
};

// Cross-field rules report through this; `field` is relative to the record being checked.
class CheckContext {
 public:
  virtual void Fail(std::string_view field, Rule rule, std::string message) = 0;

 protected:
  ~CheckContext() = default;
};

// Enumerations. Each is specialised once, beside the enum:
//
//   template <> struct EnumInfo<ArrestMode> {
//     static constexpr std::string_view kWhat = "arrest mode";
//     static constexpr std::array kValues = {EnumValue{ArrestMode::kArrest, "arrest"}, ...};
//   };
//
// The numbers are persisted in the binary form and never reused; the names are the wire form.
template <class E>
struct EnumInfo;

template <class E>
struct EnumValue {
  E value;
  std::string_view name;
};
// C++20 deduces an aggregate's template arguments by itself; clang before 17 does not, and
// needs the guide.
template <class E>
EnumValue(E, std::string_view) -> EnumValue<E>;

template <class E>
concept Enumeration = requires {
  EnumInfo<E>::kValues;
};

template <Enumeration E>
constexpr std::string_view EnumName(E value) {
  for (const auto& v : EnumInfo<E>::kValues) {
    if (v.value == value)
      return v.name;
  }
  return "?";
}

template <Enumeration E>
constexpr std::optional<E> ParseEnum(std::string_view name) {
  for (const auto& v : EnumInfo<E>::kValues) {
    if (v.name == name)
      return v.value;
  }
  return std::nullopt;
}

template <Enumeration E>
std::vector<std::string_view> EnumNames() {
  std::vector<std::string_view> names;
  for (const auto& v : EnumInfo<E>::kValues)
    names.push_back(v.name);
  return names;
}

// A record is anything with a Fields() list.
struct FieldProbe {
  template <class T, class M>
  void operator()(M T::*, const FieldSpec&) {}
};

template <class T>
concept Record = requires(FieldProbe& probe) {
  T::Fields(probe);
};

template <class T>
concept HasCheck = requires(const T& t, CheckContext& c) {
  T::Check(t, c);
};

struct FieldNameCollector {
  std::vector<std::string_view>* out;
  template <class U, class M>
  void operator()(M U::*, const FieldSpec& spec) {
    out->push_back(spec.name);
  }
};

// The JSON keys of a record, in declaration order.
template <Record T>
const std::vector<std::string_view>& FieldNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    FieldNameCollector collect{&out};
    T::Fields(collect);
    return out;
  }();
  return names;
}

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_FIELD_SPEC_H_
