#include "events/hmpps/mapping.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "events/json_writer.h"

namespace throughline::events::hmpps {

namespace {

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

const TypeMapping* FindMapping(std::string_view event_type) {
  for (auto family :
       {PrisonMappings(), ProbationMappings(), LicenceMappings(), InterventionMappings()}) {
    for (const TypeMapping& m : family) {
      if (m.event_type == event_type)
        return &m;
    }
  }
  return nullptr;
}

std::vector<const TypeMapping*> AllMappings() {
  std::vector<const TypeMapping*> out;
  for (auto family :
       {PrisonMappings(), ProbationMappings(), LicenceMappings(), InterventionMappings()}) {
    for (const TypeMapping& m : family)
      out.push_back(&m);
  }
  return out;
}

void Mapping::To(std::string_view type, int dataversion) {
  type_ = type;
  dataversion_ = dataversion;
}

void Mapping::Raw(std::string_view field, std::string json, std::string_view from) {
  members_.emplace_back(field, std::move(json));
  if (!from.empty())
    sources_.emplace_back(fmt::format("data.{}", field), std::string(from));
}

void Mapping::Text(std::string_view field, std::string_view value, std::string_view from) {
  Raw(field, JsonString(value), from);
}

void Mapping::Int(std::string_view field, std::int64_t value, std::string_view from) {
  Raw(field, std::to_string(value), from);
}

void Mapping::Identifiers(std::string_view field, const std::vector<SourcedIdentifier>& ids) {
  JsonWriter w;
  w.BeginObject();
  for (const auto& id : ids) {
    w.Key(IdentifierKindName(id.kind));
    w.String(id.value);
    sources_.emplace_back(fmt::format("data.{}.{}", field, IdentifierKindName(id.kind)), id.path);
  }
  w.EndObject();
  Raw(field, w.Take(), {});
}

void Mapping::Inferred(std::string_view field, std::string message) {
  inferred_.emplace_back(field.empty() ? std::string("data") : fmt::format("data.{}", field),
                         std::move(message));
}

void Mapping::KeepExternal(std::string note) {
  external_ = true;
  note_ = std::move(note);
}

void Mapping::ClearData() {
  type_.clear();
  dataversion_ = 1;
  members_.clear();
  sources_.clear();
  inferred_.clear();
}

void Mapping::Fail(std::string path, Rule rule, std::string message) {
  errors_.push_back({std::move(path), rule, std::move(message)});
}

const InfoValue* Mapping::Require(std::string_view name) {
  const InfoValue* v = event_.Info(name);
  if (v == nullptr)
    Fail(fmt::format("additionalInformation.{}", name), Rule::kRequired, "required");
  return v;
}

void Mapping::AddToPerson(IdentifierKind kind, const InfoValue& value) {
  if (auto e =
          AddIdentifier(&person_, YearOf(event_.occurred_at), kind, value.text, PathOf(value))) {
    errors_.push_back(std::move(*e));
  }
}

std::optional<SourcedIdentifier> Mapping::TakeFromPerson(IdentifierKind kind) {
  auto it = std::find_if(person_.begin(), person_.end(),
                         [&](const SourcedIdentifier& id) { return id.kind == kind; });
  if (it == person_.end())
    return std::nullopt;
  SourcedIdentifier id = std::move(*it);
  person_.erase(it);
  return id;
}

std::string PathOf(const InfoValue& value) { return "additionalInformation." + value.name; }

std::optional<double> Decimal(std::string_view text) {
  text = Trim(text);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> WholeNumber(std::string_view text) {
  auto value = Decimal(text);
  if (!value || std::abs(*value) > 1e15 || *value != std::floor(*value))
    return std::nullopt;
  return static_cast<std::int64_t>(*value);
}

std::string CodeOf(std::string_view text) {
  std::string out(Trim(text));
  for (char& c : out) {
    if (c == ' ' || c == '-')
      c = '_';
    else if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace throughline::events::hmpps
