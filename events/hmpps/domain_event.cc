#include "events/hmpps/domain_event.h"

#include <algorithm>
#include <cctype>
#include <simdjson.h>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "events/hmpps/hmpps_time.h"
#include "events/json_type_name.h"

namespace throughline::events::hmpps {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view TypeName(element v) { return JsonTypeName(v.type()); }

// A scalar as text: strings trimmed, numbers and booleans as written; nullopt for null.
std::optional<std::string> ScalarText(element v) {
  switch (v.type()) {
    case element_type::STRING:
      return std::string(Trim(v.get_string().value_unsafe()));
    case element_type::NULL_VALUE:
      return std::nullopt;
    default:
      return simdjson::minify(v);
  }
}

// A member that must be text if present: a string, or a number written as one.
std::optional<std::string> TextMember(object obj, std::string_view key, ValidationErrors* errors) {
  element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null())
    return std::nullopt;
  if (v.is_object() || v.is_array()) {
    errors->push_back({std::string(key), Rule::kWrongType,
                       fmt::format("expected a string, found {}", TypeName(v))});
    return std::nullopt;
  }
  auto text = ScalarText(v);
  if (text && text->empty())
    return std::nullopt;  // the producers' way of saying absent
  return text;
}

std::optional<IdentifierKind> KindOfType(std::string_view type) {
  for (std::string_view noms : {"NOMS", "NOMS_NUMBER", "NOMSNUMBER", "PRISON_NUMBER"}) {
    if (EqualsIgnoringCase(type, noms))
      return IdentifierKind::kNoms;
  }
  if (EqualsIgnoringCase(type, "CRN"))
    return IdentifierKind::kCrn;
  if (EqualsIgnoringCase(type, "PNC") || EqualsIgnoringCase(type, "PNC_NUMBER"))
    return IdentifierKind::kPnc;
  if (EqualsIgnoringCase(type, "CRO") || EqualsIgnoringCase(type, "CRO_NUMBER"))
    return IdentifierKind::kCro;
  return std::nullopt;  // PERSON, DPS ids and the like identify nobody the catalogue knows
}

// additionalInformation's usual names for the person's own identifiers.
struct InfoIdentifier {
  std::string_view name;
  IdentifierKind kind;
};
constexpr InfoIdentifier kInfoIdentifiers[] = {
    {"nomsNumber", IdentifierKind::kNoms}, {"prisonerNumber", IdentifierKind::kNoms},
    {"prisonerId", IdentifierKind::kNoms}, {"offenderNo", IdentifierKind::kNoms},
    {"crn", IdentifierKind::kCrn},
};

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < length; ++i)
    out += fmt::format("{:02x}", digest[i]);
  return out;
}

}  // namespace

const InfoValue* DomainEvent::Info(std::string_view name) const {
  const InfoValue* found = nullptr;
  for (const auto& v : information) {
    if (v.name == name)
      return v.text.empty() ? nullptr : &v;
    if (found == nullptr && EqualsIgnoringCase(v.name, name))
      found = &v;
  }
  return found != nullptr && !found->text.empty() ? found : nullptr;
}

const InfoValue* DomainEvent::Info(std::initializer_list<std::string_view> names) const {
  for (std::string_view name : names) {
    if (const InfoValue* v = Info(name))
      return v;
  }
  return nullptr;
}

const SourcedIdentifier* DomainEvent::Identifier(IdentifierKind kind) const {
  for (const auto& id : person) {
    if (id.kind == kind)
      return &id;
  }
  return nullptr;
}

struct DomainEventReader::Impl {
  ParseLimits limits;
  simdjson::dom::parser parser;
  std::string buffer;

  // Parses `json` into `root`; the problem (placed at `path`) otherwise.
  std::optional<ValidationError> Parse(std::string_view json, std::string_view path,
                                       element* root) {
    if (json.size() > limits.max_bytes)
      return TooLargeError(json.size(), limits);
    buffer.assign(json);
    buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
    if (parser.capacity() < json.size() || parser.max_depth() != limits.max_depth) {
      if (parser.allocate(std::max<std::size_t>(json.size(), 4096), limits.max_depth) !=
          simdjson::SUCCESS) {
        return ValidationError{std::string(path), Rule::kTooLarge, "too large to parse"};
      }
    }
    auto error = parser.parse(buffer.data(), json.size(), false).get(*root);
    if (error == simdjson::UTF8_ERROR)
      return ValidationError{std::string(path), Rule::kInvalidUtf8, "not valid UTF-8"};
    if (error == simdjson::DEPTH_ERROR) {
      return ValidationError{std::string(path), Rule::kTooDeep,
                             fmt::format("nested deeper than {} levels", limits.max_depth)};
    }
    if (error != simdjson::SUCCESS) {
      return ValidationError{std::string(path), Rule::kJsonSyntax,
                             fmt::format("not JSON: {}", simdjson::error_message(error))};
    }
    if (!root->is_object()) {
      return ValidationError{std::string(path), Rule::kWrongType,
                             fmt::format("expected a JSON object, found {}", TypeName(*root))};
    }
    return std::nullopt;
  }

  void ReadEvent(object obj, const std::optional<std::string>& attribute_type, DomainEvent* out,
                 ValidationErrors* errors);
  void ReadPerson(object obj, DomainEvent* out, ValidationErrors* errors);
};

DomainEventReader::DomainEventReader(ParseLimits limits) : impl_(std::make_unique<Impl>()) {
  impl_->limits = limits;
}

DomainEventReader::~DomainEventReader() = default;

bool DomainEventReader::Read(std::string_view message, DomainEvent* out, ValidationErrors* errors) {
  *out = DomainEvent{};
  errors->clear();
  element root;
  if (auto e = impl_->Parse(message, "", &root)) {
    errors->push_back(std::move(*e));
    return false;
  }
  object obj = root.get_object().value_unsafe();
  std::optional<std::string> attribute_type;
  element message_element;
  if (obj["Message"].get(message_element) == simdjson::SUCCESS &&
      obj["Type"].error() == simdjson::SUCCESS) {
    // An SNS notification: the event is its Message, a JSON string.
    if (auto type = TextMember(obj, "Type", errors); type != "Notification") {
      errors->push_back({"Type", Rule::kEnumValue,
                         fmt::format("{} is not an SNS Notification (a subscription "
                                     "confirmation sent to the wrong place?)",
                                     Quote(type.value_or("")))});
      return false;
    }
    out->message_id = TextMember(obj, "MessageId", errors);
    element value;
    if (obj.at_pointer("/MessageAttributes/eventType/Value").get(value) == simdjson::SUCCESS)
      attribute_type = ScalarText(value);
    if (message_element.is_string()) {
      const std::string inner(message_element.get_string().value_unsafe());
      if (auto e = impl_->Parse(inner, "Message", &root)) {
        errors->push_back(std::move(*e));
        return false;
      }
    } else if (message_element.is_object()) {
      root = message_element;  // raw message delivery
    } else {
      errors->push_back({"Message", Rule::kWrongType,
                         fmt::format("expected the event as a JSON string, found {}",
                                     TypeName(message_element))});
      return false;
    }
    obj = root.get_object().value_unsafe();
  }
  impl_->ReadEvent(obj, attribute_type, out, errors);
  return errors->empty();
}

void DomainEventReader::Impl::ReadEvent(object obj,
                                        const std::optional<std::string>& attribute_type,
                                        DomainEvent* out, ValidationErrors* errors) {
  std::vector<std::string_view> keys;
  std::string canonical;
  for (auto [key, value] : obj) {
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
      errors->push_back({std::string(key), Rule::kDuplicateKey, "appears more than once"});
      continue;
    }
    keys.push_back(key);
    // A redelivery repeats the event; a republication changes publishedAt only.
    if (key != "publishedAt")
      canonical += fmt::format("{}\x1f{}\x1e", key, simdjson::minify(value));
  }
  out->digest = Sha256Hex(canonical);

  if (auto type = TextMember(obj, "eventType", errors)) {
    out->event_type = std::move(*type);
    if (attribute_type && !attribute_type->empty() && *attribute_type != out->event_type) {
      errors->push_back({"MessageAttributes.eventType.Value", Rule::kInconsistent,
                         fmt::format("is {}, but the event's eventType is {}",
                                     Quote(*attribute_type), Quote(out->event_type))});
    }
  } else if (attribute_type && !attribute_type->empty()) {
    out->event_type = *attribute_type;
  } else {
    errors->push_back({"eventType", Rule::kRequired, "required"});
  }

  element version;
  if (obj["version"].get(version) == simdjson::SUCCESS && !version.is_null()) {
    const std::string text = ScalarText(version).value_or("");
    const bool digits =
        !text.empty() && text.size() < 7 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool whole_double = version.is_double() && version.get_double().value_unsafe() >= 1 &&
                              version.get_double().value_unsafe() < 1e6 &&
                              version.get_double().value_unsafe() ==
                                  static_cast<std::int64_t>(version.get_double().value_unsafe());
    if (whole_double) {
      out->version = static_cast<std::int64_t>(version.get_double().value_unsafe());
    } else if (digits && (version.is_string() || version.is_int64() || version.is_uint64()) &&
               std::stoll(text) >= 1) {
      out->version = std::stoll(text);
    } else {
      errors->push_back({"version", Rule::kWrongType,
                         fmt::format("expected a whole number from 1, as a number or a string; "
                                     "found {} {}",
                                     TypeName(version), Quote(text))});
    }
  }

  std::string time_path = "occurredAt";
  auto time = TextMember(obj, "occurredAt", errors);
  if (!time) {
    time = TextMember(obj, "publishedAt", errors);
    time_path = "publishedAt";
    if (time)
      out->time_assumption = "occurredAt is absent: the time is when it was published";
  }
  bool time_ok = false;
  if (!time) {
    errors->push_back({"occurredAt", Rule::kRequired, "required"});
  } else {
    TimeBasis basis;
    if (auto p = ParseHmppsTime(*time, &out->occurred_at, &basis)) {
      errors->push_back({time_path, p->rule, p->message});
    } else {
      time_ok = true;
      if (basis == TimeBasis::kUkCivil) {
        out->time_assumption =
            fmt::format("{} {} has no offset: read as the time in England ({})", time_path,
                        Quote(*time), IsBritishSummerTime(out->occurred_at) ? "BST, UTC+1" : "GMT");
      }
    }
  }
  out->description = TextMember(obj, "description", errors);
  out->detail_url = TextMember(obj, "detailUrl", errors);

  element info;
  if (obj["additionalInformation"].get(info) == simdjson::SUCCESS && !info.is_null()) {
    if (!info.is_object()) {
      errors->push_back({"additionalInformation", Rule::kWrongType,
                         fmt::format("expected an object, found {}", TypeName(info))});
    } else {
      const object members = info.get_object().value_unsafe();
      for (auto [key, value] : members) {
        if (value.is_null())
          continue;
        InfoValue v{std::string(key), {}, value.is_object() || value.is_array()};
        v.text = v.structured ? simdjson::minify(value) : ScalarText(value).value_or("");
        out->information.push_back(std::move(v));
      }
    }
  }
  if (time_ok)
    ReadPerson(obj, out, errors);
}

void DomainEventReader::Impl::ReadPerson(object obj, DomainEvent* out, ValidationErrors* errors) {
  const auto add = [&](IdentifierKind kind, std::string_view text, std::string path) {
    if (auto e = AddIdentifier(&out->person, YearOf(out->occurred_at), kind, text, std::move(path)))
      errors->push_back(std::move(*e));
  };
  element reference;
  if (obj["personReference"].get(reference) == simdjson::SUCCESS && !reference.is_null()) {
    element identifiers;
    if (!reference.is_object()) {
      errors->push_back({"personReference", Rule::kWrongType,
                         fmt::format("expected an object, found {}", TypeName(reference))});
    } else if (reference["identifiers"].get(identifiers) == simdjson::SUCCESS &&
               !identifiers.is_null()) {
      if (!identifiers.is_array()) {
        errors->push_back({"personReference.identifiers", Rule::kWrongType,
                           fmt::format("expected an array, found {}", TypeName(identifiers))});
        return;
      }
      std::size_t i = 0;
      const simdjson::dom::array items = identifiers.get_array().value_unsafe();
      for (element item : items) {
        const std::string path = fmt::format("personReference.identifiers[{}]", i++);
        if (!item.is_object()) {
          errors->push_back({path, Rule::kWrongType,
                             fmt::format("expected an object, found {}", TypeName(item))});
          continue;
        }
        ValidationErrors ignored;
        const object fields = item.get_object().value_unsafe();
        const auto type = TextMember(fields, "type", &ignored);
        const auto value = TextMember(fields, "value", &ignored);
        if (!type || !value || !KindOfType(*type))
          continue;  // identifiers of other kinds, or empty ones, identify nobody here
        add(*KindOfType(*type), *value, path + ".value");
      }
    }
  }
  for (const auto& [name, kind] : kInfoIdentifiers) {
    for (const auto& v : out->information) {
      if (v.name == name && !v.text.empty() && !v.structured)
        add(kind, v.text, "additionalInformation." + v.name);
    }
  }
}

std::optional<ValidationError> AddIdentifier(std::vector<SourcedIdentifier>* person, int pivot_year,
                                             IdentifierKind kind, std::string_view text,
                                             std::string path) {
  std::string normal;
  if (auto p = CheckIdentifier(kind, Trim(text), pivot_year, &normal))
    return ValidationError{std::move(path), p->rule, p->message};
  for (const auto& known : *person) {
    if (known.kind != kind)
      continue;
    if (known.value == normal)
      return std::nullopt;
    return ValidationError{std::move(path), Rule::kInconsistent,
                           fmt::format("is {}, but {} is {}: which person is it?", Quote(normal),
                                       known.path, Quote(known.value))};
  }
  person->push_back({kind, std::move(normal), std::move(path)});
  return std::nullopt;
}

}  // namespace throughline::events::hmpps
