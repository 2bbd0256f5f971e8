#include "events/envelope_parser.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <simdjson.h>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "events/identifiers.h"
#include "events/json_type_name.h"
#include "events/reference_data.h"
#include "events/string_rules.h"

namespace throughline::events {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

template <class M>
struct IsOptional : std::false_type {};
template <class X>
struct IsOptional<std::optional<X>> : std::true_type {};
template <class M>
struct IsVector : std::false_type {};
template <class X>
struct IsVector<std::vector<X>> : std::true_type {};

using Entries = std::vector<std::pair<std::string_view, element>>;

const element* Find(const Entries& entries, std::string_view key) {
  for (const auto& [k, v] : entries) {
    if (k == key)
      return &v;
  }
  return nullptr;
}

// Walks one message, building the typed event and collecting every problem with its path.
class Reader final : public CheckContext {
 public:
  Reader(ValidationErrors* errors, ValidationErrors* flags, std::size_t max_errors)
      : errors_(errors), flags_(flags), max_errors_(max_errors) {}

  void set_pivot_year(int year) { pivot_year_ = year; }
  std::size_t error_count() const { return errors_->size(); }

  void Fail(std::string_view field, Rule rule, std::string message) override {
    if (errors_->size() >= max_errors_)
      return;
    errors_->push_back({Child(field), rule, std::move(message)});
  }
  void Fail(const Problem& p) { Fail("", p.rule, p.message); }

  // Appends `key` to the path for as long as the scope lives.
  class Scope {
   public:
    Scope(Reader& r, std::string_view key) : r_(r), length_(r.path_.size()) {
      r.path_ = r.Child(key);
    }
    Scope(Reader& r, std::size_t index) : r_(r), length_(r.path_.size()) {
      r.path_ += fmt::format("[{}]", index);
    }
    ~Scope() { r_.path_.resize(length_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Reader& r_;
    std::size_t length_;
  };

  // Collects an object's keys, reporting duplicates and keys outside `allowed`.
  Entries Collect(object obj, const std::vector<std::string_view>& allowed,
                  std::string_view also_allowed = {}) {
    Entries entries;
    for (auto [key, value] : obj) {
      if (Find(entries, key) != nullptr) {
        Fail(key, Rule::kDuplicateKey, "appears more than once in the object");
        continue;
      }
      entries.emplace_back(key, value);
      if (key == also_allowed || std::find(allowed.begin(), allowed.end(), key) != allowed.end()) {
        continue;
      }
      std::string_view hint = ClosestMatch(key, allowed);
      std::string message = hint.empty()
                                ? std::string("unknown field")
                                : fmt::format("unknown field (did you mean \"{}\"?)", hint);
      if (other_versions_hint_) {
        if (auto other = other_versions_hint_(key))
          message = std::move(*other);
      }
      Fail(key, Rule::kUnknownField, std::move(message));
    }
    return entries;
  }

  // Explains an unknown key of the next record read that is a field of another dataversion.
  void set_other_versions_hint(std::function<std::optional<std::string>(std::string_view)> f) {
    other_versions_hint_ = std::move(f);
  }

  // Reads a record's fields from `obj`; `also_allowed` names one more key the caller handles.
  template <Record T>
  void ReadRecord(object obj, T* out, std::string_view also_allowed = {}) {
    const std::size_t before = error_count();
    Entries entries = Collect(obj, FieldNames<T>(), also_allowed);
    other_versions_hint_ = nullptr;
    FieldVisit<T> visit{*this, entries, out};
    T::Fields(visit);
    if constexpr (HasCheck<T>) {
      if (error_count() == before)
        T::Check(*out, *this);
    }
  }

  template <class T>
  struct FieldVisit {
    Reader& r;
    const Entries& entries;
    T* out;
    template <class U, class M>
    void operator()(M U::*member, const FieldSpec& spec) {
      r.ReadField(entries, spec, &(out->*member));
    }
  };

  template <class M>
  void ReadField(const Entries& entries, const FieldSpec& spec, M* out) {
    const element* value = Find(entries, spec.name);
    bool absent = value == nullptr || value->is_null();
    if (absent) {
      bool optional = IsOptional<M>::value || (IsVector<M>::value && spec.min_items == 0);
      if (!optional) {
        std::string message = value ? "required (found null)" : "required";
        if (IsVector<M>::value && spec.min_items > 1) {
          message += fmt::format(", at least {} items", spec.min_items);
        }
        Fail(spec.name, Rule::kRequired, std::move(message));
      }
      return;
    }
    Scope scope(*this, spec.name);
    Read(*value, spec, out);
  }

  void Read(element v, const FieldSpec& spec, std::string* out) {
    std::string_view s;
    if (!ExpectString(v, &s))
      return;
    if (auto p = CheckString(spec.format, s, pivot_year_, out)) {
      Fail(*p);
      return;
    }
    FlagUnknownReference(spec.format, *out);
  }

  void Read(element v, const FieldSpec& spec, std::int32_t* out) {
    if (!v.is_int64()) {
      Fail("", Rule::kWrongType, fmt::format("expected an integer, found {}", Describe(v)));
      return;
    }
    std::int64_t n = v.get_int64().value_unsafe();
    if (spec.min < spec.max && (n < spec.min || n > spec.max)) {
      Fail("", Rule::kRange, fmt::format("{} is outside {}..{}", n, spec.min, spec.max));
      return;
    }
    *out = static_cast<std::int32_t>(n);
  }

  void Read(element v, const FieldSpec&, Date* out) { ReadParsed(v, out, &ParseDate); }
  void Read(element v, const FieldSpec&, Timestamp* out) { ReadParsed(v, out, &ParseTimestamp); }
  void Read(element v, const FieldSpec&, Period* out) { ReadParsed(v, out, &ParsePeriod); }

  // A value carried as a string with its own syntax.
  template <class T>
  void ReadParsed(element v, T* out, std::optional<Problem> (*parse)(std::string_view, T*)) {
    std::string_view s;
    if (!ExpectString(v, &s))
      return;
    if (auto p = parse(s, out))
      Fail(*p);
  }

  template <Enumeration E>
  void Read(element v, const FieldSpec&, E* out) {
    std::string_view s;
    if (!ExpectString(v, &s))
      return;
    if (auto e = ParseEnum<E>(s)) {
      *out = *e;
      return;
    }
    const auto names = EnumNames<E>();
    std::string_view hint = ClosestMatch(s, names);
    std::string message = fmt::format("{} is not a valid {}; expected one of {}", Quote(s),
                                      EnumInfo<E>::kWhat, fmt::join(names, ", "));
    if (!hint.empty())
      message += fmt::format(" (did you mean \"{}\"?)", hint);
    Fail("", Rule::kEnumValue, std::move(message));
  }

  template <Record R>
  void Read(element v, const FieldSpec&, R* out) {
    if (!v.is_object()) {
      Fail("", Rule::kWrongType, fmt::format("expected an object, found {}", Describe(v)));
      return;
    }
    ReadRecord(v.get_object().value_unsafe(), out);
  }

  template <class X>
  void Read(element v, const FieldSpec& spec, std::optional<X>* out) {
    X value{};
    const std::size_t before = error_count();
    Read(v, spec, &value);
    if (error_count() == before)
      *out = std::move(value);
  }

  template <class X>
  void Read(element v, const FieldSpec& spec, std::vector<X>* out) {
    if (!v.is_array()) {
      Fail("", Rule::kWrongType, fmt::format("expected an array, found {}", Describe(v)));
      return;
    }
    array items = v.get_array().value_unsafe();
    std::size_t n = items.size();
    if (n < spec.min_items || n > spec.max_items) {
      Fail("", Rule::kItemCount,
           n < spec.min_items ? fmt::format("{} items, at least {} needed", n, spec.min_items)
                              : fmt::format("{} items, at most {} allowed", n, spec.max_items));
      return;
    }
    out->reserve(n);
    std::size_t i = 0;
    for (element item : items) {
      Scope scope(*this, i++);
      X value{};
      const std::size_t before = error_count();
      if (item.is_null()) {
        Fail("", Rule::kWrongType, "expected a value, found null");
        continue;
      }
      Read(item, spec, &value);
      if (error_count() == before)
        out->push_back(std::move(value));
    }
  }

  bool ExpectString(element v, std::string_view* out) {
    if (!v.is_string()) {
      Fail("", Rule::kWrongType, fmt::format("expected a string, found {}", Describe(v)));
      return false;
    }
    *out = v.get_string().value_unsafe();
    return true;
  }

  // "an integer (42)", "a string", ...: what was found, short enough for one line.
  static std::string Describe(element v) {
    switch (v.type()) {
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
      case element_type::BOOL:
        return fmt::format("{} ({})", JsonTypeName(v.type()), simdjson::minify(v));
      case element_type::STRING:
        return fmt::format("a string ({})", Quote(v.get_string().value_unsafe()));
      default:
        return std::string(JsonTypeName(v.type()));
    }
  }

 private:
  std::string Child(std::string_view key) const {
    if (key.empty())
      return path_;
    if (path_.empty())
      return std::string(key);
    std::string out = path_;
    out += '.';
    out += key;
    return out;
  }

  void FlagUnknownReference(Format format, const std::string& code) {
    std::string message;
    if (format == Format::kPrisonCode && FindPrison(code) == nullptr) {
      message = fmt::format("prison code {} is not in the reference data; accepted and flagged",
                            Quote(code));
    } else if (format == Format::kForceCode && FindPoliceForce(code) == nullptr) {
      message =
          fmt::format("force {} is not in the reference data; accepted and flagged", Quote(code));
    } else {
      return;
    }
    flags_->push_back({path_, Rule::kUnknownReference, std::move(message)});
  }

  ValidationErrors* errors_;
  ValidationErrors* flags_;
  std::size_t max_errors_;
  std::function<std::optional<std::string>(std::string_view)> other_versions_hint_;
  int pivot_year_ = kMaxYear;
  std::string path_;
};

// One entry per (type, dataversion): how to read its `data`.
struct Alternative {
  const TypeInfo* info;
  void (*read)(Reader&, object, EventData*);
  const std::vector<std::string_view>* fields;
};

template <class T>
void ReadAlternative(Reader& reader, object data, EventData* out) {
  T value{};
  reader.ReadRecord(data, &value, "person");
  *out = std::move(value);
}

const std::vector<Alternative>& Alternatives() {
  static const std::vector<Alternative> table = [] {
    std::vector<Alternative> out;
    ForEachEventStruct([&](auto type) {
      using T = typename decltype(type)::type;
      out.push_back({&T::kInfo, &ReadAlternative<T>, &FieldNames<T>()});
    });
    return out;
  }();
  return table;
}

std::vector<std::string_view> TypeNames() {
  std::vector<std::string_view> names;
  for (const auto* info : CurrentTypeInfos())
    names.push_back(info->name);
  return names;
}

// The CloudEvents attributes the engine interprets. Any other lower-case alphanumeric name
// (CloudEvents 1.0 naming rule: subject, dataschema, extensions such as traceparent) is kept as
// text on the event.
const std::vector<std::string_view>& InterpretedKeys() {
  static const std::vector<std::string_view> keys = {
      "specversion", "id", "source", "type", "time", "dataversion", "data", "datacontenttype"};
  return keys;
}

bool IsInterpreted(std::string_view key) {
  const auto& keys = InterpretedKeys();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool IsExtensionName(std::string_view name) {
  if (name.empty() || name.size() > 20)
    return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

}  // namespace

ValidationError TooLargeError(std::size_t bytes, const ParseLimits& limits) {
  return {"", Rule::kTooLarge,
          fmt::format("message is {} bytes, over the limit of {} bytes", bytes, limits.max_bytes)};
}

struct EnvelopeParser::Impl {
  ParseLimits limits;
  simdjson::dom::parser parser;
  std::string buffer;  // the message with simdjson's padding after it
};

EnvelopeParser::EnvelopeParser(ParseLimits limits) : impl_(std::make_unique<Impl>()) {
  impl_->limits = limits;
}

EnvelopeParser::~EnvelopeParser() = default;

ParseResult EnvelopeParser::Parse(std::string_view json) {
  ParseResult result;
  ValidationErrors& errors = result.errors;
  Event& event = result.event;
  const ParseLimits& limits = impl_->limits;

  if (json.size() > limits.max_bytes) {
    errors.push_back(TooLargeError(json.size(), limits));
    return result;
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past the end; copy into a reused padded buffer
  // instead of letting it allocate one per message.
  impl_->buffer.assign(json);
  impl_->buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  if (impl_->parser.capacity() < json.size() || impl_->parser.max_depth() != limits.max_depth) {
    if (impl_->parser.allocate(std::max<std::size_t>(json.size(), 4096), limits.max_depth) !=
        simdjson::SUCCESS) {
      errors.push_back({"", Rule::kTooLarge, "message too large to parse"});
      return result;
    }
  }
  element root;
  auto error = impl_->parser.parse(impl_->buffer.data(), json.size(), false).get(root);
  if (error == simdjson::UTF8_ERROR) {
    errors.push_back({"", Rule::kInvalidUtf8, "not valid UTF-8"});
    return result;
  }
  if (error == simdjson::DEPTH_ERROR) {
    errors.push_back(
        {"", Rule::kTooDeep, fmt::format("nested deeper than {} levels", limits.max_depth)});
    return result;
  }
  if (error != simdjson::SUCCESS) {
    errors.push_back(
        {"", Rule::kJsonSyntax, fmt::format("not JSON: {}", simdjson::error_message(error))});
    return result;
  }
  if (!root.is_object()) {
    errors.push_back({"", Rule::kWrongType,
                      fmt::format("expected a JSON object, found {}", JsonTypeName(root.type()))});
    return result;
  }

  Reader reader(&errors, &event.flags, limits.max_errors);
  Entries entries;
  object root_object = root.get_object().value_unsafe();
  for (auto [key, value] : root_object) {
    if (Find(entries, key) != nullptr) {
      reader.Fail(key, Rule::kDuplicateKey, "appears more than once in the object");
      continue;
    }
    entries.emplace_back(key, value);
    if (IsInterpreted(key) || IsExtensionName(key))
      continue;
    std::string_view hint = ClosestMatch(key, InterpretedKeys());
    reader.Fail(key, Rule::kUnknownField,
                hint.empty() ? std::string("not a CloudEvents attribute (names are a-z, 0-9)")
                             : fmt::format("unknown attribute (did you mean \"{}\"?)", hint));
  }

  const auto required_string = [&](std::string_view key, std::string_view* out) {
    const element* v = Find(entries, key);
    if (v == nullptr || v->is_null()) {
      // A misspelt attribute name is a legal extension name, so it was kept; point at it.
      std::vector<std::string_view> extensions;
      for (const auto& [k, unused] : entries) {
        if (!IsInterpreted(k))
          extensions.push_back(k);
      }
      std::string_view typo = ClosestMatch(key, extensions);
      reader.Fail(key, Rule::kRequired,
                  typo.empty() ? std::string("required")
                               : fmt::format("required (is \"{}\" a misspelling of it?)", typo));
      return false;
    }
    Reader::Scope scope(reader, key);
    return reader.ExpectString(*v, out);
  };

  std::string_view specversion;
  if (required_string("specversion", &specversion) && specversion != "1.0") {
    reader.Fail("specversion", Rule::kSpecVersion,
                fmt::format("must be \"1.0\" (CloudEvents 1.0), found {}", Quote(specversion)));
  }
  std::string_view text;
  if (required_string("id", &text)) {
    Reader::Scope scope(reader, "id");
    if (auto p = CheckString(Format::kId, text, 0, &event.id))
      reader.Fail(*p);
  }
  if (required_string("source", &text)) {
    Reader::Scope scope(reader, "source");
    if (auto p = CheckString(Format::kId, text, 0, &event.source))
      reader.Fail(*p);
  }
  bool time_ok = false;
  if (required_string("time", &text)) {
    if (auto p = ParseTimestamp(text, &event.time)) {
      reader.Fail("time", p->rule, p->message);
    } else {
      time_ok = true;
    }
  }
  // A 2-digit PNC year is read relative to the event's own year (see identifiers.h).
  reader.set_pivot_year(time_ok ? YearOf(event.time) : kMaxYear);

  // Which struct reads `data`: the type's entry for the requested dataversion.
  const Alternative* alternative = nullptr;
  std::string_view type_name;
  bool type_ok = required_string("type", &type_name);
  std::int64_t dataversion = 1;
  if (const element* v = Find(entries, "dataversion"); v != nullptr && !v->is_null()) {
    std::string_view digits;
    if (v->is_int64()) {
      dataversion = v->get_int64().value_unsafe();
    } else if (v->is_string() && !(digits = v->get_string().value_unsafe()).empty() &&
               digits.size() < 6 && std::all_of(digits.begin(), digits.end(), [](char c) {
                 return c >= '0' && c <= '9';
               })) {
      dataversion = std::stoll(std::string(digits));
    } else {
      reader.Fail("dataversion", Rule::kWrongType,
                  fmt::format("expected an integer, found {}", Reader::Describe(*v)));
      type_ok = false;
    }
  }
  if (type_ok) {
    std::vector<std::uint16_t> versions;
    for (const auto& alt : Alternatives()) {
      if (alt.info->name != type_name)
        continue;
      versions.push_back(alt.info->version);
      if (alt.info->version == dataversion)
        alternative = &alt;
    }
    if (versions.empty()) {
      std::string_view hint = ClosestMatch(type_name, TypeNames());
      reader.Fail("type", Rule::kUnknownType,
                  hint.empty() ? fmt::format("unknown event type {}", Quote(type_name))
                               : fmt::format("unknown event type {} (did you mean \"{}\"?)",
                                             Quote(type_name), hint));
    } else if (alternative == nullptr) {
      std::sort(versions.begin(), versions.end());
      reader.Fail("dataversion", Rule::kUnsupportedVersion,
                  fmt::format("dataversion {} of {} is not known to this engine (it reads {})",
                              dataversion, type_name, fmt::join(versions, ", ")));
    }
  }

  if (const element* v = Find(entries, "datacontenttype"); v != nullptr) {
    Reader::Scope scope(reader, "datacontenttype");
    std::string_view content_type;
    if (reader.ExpectString(*v, &content_type) && content_type != "application/json" &&
        !content_type.starts_with("application/json;")) {
      reader.Fail("", Rule::kFormat,
                  fmt::format("must be application/json, found {}", Quote(content_type)));
    }
  }
  // Attributes the engine does not interpret (subject, dataschema, extensions) are kept, as
  // text, in the order sent.
  for (const auto& [key, value] : entries) {
    if (IsInterpreted(key) || !IsExtensionName(key))
      continue;
    Reader::Scope scope(reader, key);
    Attribute attribute{std::string(key), {}};
    if (value.is_string()) {
      if (auto p =
              CheckString(Format::kText, value.get_string().value_unsafe(), 0, &attribute.value)) {
        reader.Fail(*p);
        continue;
      }
    } else if (value.is_int64() || value.is_bool()) {
      attribute.value = simdjson::minify(value);
    } else {
      reader.Fail("", Rule::kWrongType,
                  fmt::format("an attribute is a string, integer or boolean, found {}",
                              JsonTypeName(value.type())));
      continue;
    }
    event.attributes.push_back(std::move(attribute));
  }

  const element* data = Find(entries, "data");
  if (data == nullptr || data->is_null()) {
    reader.Fail("data", Rule::kRequired, "required");
    return result;
  }
  if (!data->is_object()) {
    reader.Fail("data", Rule::kWrongType,
                fmt::format("expected an object, found {}", JsonTypeName(data->type())));
    return result;
  }
  Reader::Scope data_scope(reader, "data");
  object data_object = data->get_object().value_unsafe();
  element person;
  if (data_object["person"].get(person) != simdjson::SUCCESS || person.is_null()) {
    reader.Fail("person", Rule::kRequired, "required: the identifiers of the person");
  } else {
    Reader::Scope person_scope(reader, "person");
    reader.Read(person, FieldSpec{.name = "person", .doc = ""}, &event.person);
  }
  if (alternative != nullptr) {
    // A field of another dataversion of this type most likely means the wrong dataversion.
    reader.set_other_versions_hint([alternative](std::string_view key) {
      std::optional<std::string> hint;
      for (const auto& alt : Alternatives()) {
        if (alt.info->name != alternative->info->name || alt.info == alternative->info)
          continue;
        const auto& names = *alt.fields;
        if (std::find(names.begin(), names.end(), key) != names.end()) {
          hint = fmt::format(
              "not a field of {} dataversion {}; it is one of dataversion {} "
              "(set \"dataversion\": {} to send that version)",
              alternative->info->name, alternative->info->version, alt.info->version,
              alt.info->version);
        }
      }
      return hint;
    });
    alternative->read(reader, data_object, &event.data);
  }
  return result;
}

}  // namespace throughline::events
