#include "events/hmpps/hmpps_adapter.h"

#include <fmt/format.h>

#include "events/json_writer.h"
#include "events/string_rules.h"

namespace throughline::events::hmpps {

namespace {

// The most `external` keeps of what the producer said; the rest is counted, not kept.
constexpr std::size_t kMaxItems = 100;

// `text` fit for a field of `format`: control characters (line breaks too, outside free text)
// become spaces, and it is cut, at a character boundary, to the format's length with an
// ellipsis. The producer's words are kept as far as the catalogue can hold them.
std::string Fit(std::string_view text, Format format) {
  const bool free_text = format == Format::kText;
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool control = u < 0x20 || u == 0x7f;
    const bool kept = free_text && (c == '\n' || c == '\r' || c == '\t');
    out += control && !kept ? ' ' : c;
  }
  const auto first = out.find_first_not_of(' ');
  out.erase(0, first == std::string::npos ? out.size() : first);
  out.erase(out.find_last_not_of(' ') + 1);
  const std::size_t max = MaxLength(format);
  if (out.size() > max) {
    std::size_t cut = max - 3;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80)
      --cut;
    out.resize(cut);
    out += "\u2026";
  }
  return out;
}

// Who published it: the eventType's first part, for types with no mapping.
std::string ProducerOf(std::string_view event_type) {
  std::string producer = Fit(event_type.substr(0, event_type.find('.')), Format::kId);
  for (char& c : producer) {
    if (c == ' ')
      c = '-';
  }
  return producer.empty() ? std::string("unknown") : producer;
}

// An `external` event's data: the publisher's type and what it said, as text.
void ExternalMembers(const DomainEvent& e, const std::string& note, Mapping* m) {
  m->To("external");
  m->Text("event_type", Fit(e.event_type, Format::kName), "eventType");
  const auto said = [&](std::string_view field, const std::optional<std::string>& text,
                        std::string_view from) {
    // Nothing left once fitted (only control characters) is nothing said.
    if (std::string fitted = text ? Fit(*text, Format::kText) : ""; !fitted.empty())
      m->Text(field, fitted, from);
  };
  said("description", e.description, "description");
  said("note", note, "");
  said("detail_url", e.detail_url, "detailUrl");
  JsonWriter w;
  w.BeginArray();
  std::size_t kept = 0;
  for (const InfoValue& v : e.information) {
    if (v.text.empty())
      continue;
    if (kept + 1 == kMaxItems && e.information.size() > kMaxItems) {
      w.BeginObject();
      w.Key("name");
      w.String("\u2026");
      w.Key("value");
      w.String(fmt::format("{} more members of additionalInformation not kept",
                           e.information.size() - kept));
      w.EndObject();
      break;
    }
    const std::string name = Fit(v.name, Format::kName);
    const std::string value = Fit(v.text, Format::kText);
    if (value.empty())
      continue;
    w.BeginObject();
    w.Key("name");
    w.String(name.empty() ? std::string("(no name)") : name);
    w.Key("value");
    w.String(value);
    w.EndObject();
    ++kept;
  }
  w.EndArray();
  if (kept > 0)
    m->Raw("information", w.Take(), "additionalInformation");
}

// Where in the HMPPS message the value at a native path came from.
std::string SourcePath(const std::string& native, const DomainEvent& e, const Mapping& m) {
  for (const auto& [from, to] : m.sources()) {
    if (native == from)
      return to;
  }
  for (const auto& id : m.person()) {
    if (native == fmt::format("data.person.{}", IdentifierKindName(id.kind)))
      return id.path;
  }
  for (const auto& [from, to] : m.sources()) {
    if (native.starts_with(from) && (native[from.size()] == '.' || native[from.size()] == '[')) {
      return to + native.substr(from.size());
    }
  }
  if (native.starts_with("data.person"))
    return "personReference.identifiers";
  if (native.starts_with("data"))
    return "additionalInformation";
  if (native == "time")
    return "occurredAt";
  if (native == "id")
    return e.message_id ? "MessageId" : "";
  if (native == "type")
    return "eventType";
  return native;
}

std::string Envelope(const DomainEvent& e, std::string_view producer, const Mapping& m) {
  JsonWriter w;
  w.BeginObject();
  w.Key("specversion");
  w.String("1.0");
  w.Key("id");
  const std::string id = e.message_id ? *e.message_id : "sha256:" + e.digest.substr(0, 32);
  w.String(m.type() == "external" ? id + "/external" : id);
  w.Key("source");
  w.String(fmt::format("hmpps/{}", producer));
  w.Key("type");
  w.String(m.type());
  w.Key("time");
  w.String(FormatTimestamp(e.occurred_at));
  w.Key("dataversion");
  w.Int(m.dataversion());
  w.Key("hmppseventtype");
  w.String(Fit(e.event_type, Format::kText));
  if (e.detail_url && m.type() != "external") {
    w.Key("hmppsdetailurl");
    w.String(Fit(*e.detail_url, Format::kText));
  }
  w.Key("data");
  w.BeginObject();
  w.Key("person");
  w.BeginObject();
  for (const auto& id : m.person()) {
    w.Key(IdentifierKindName(id.kind));
    w.String(id.value);
  }
  w.EndObject();
  for (const auto& [key, json] : m.members()) {
    w.Key(key);
    w.Raw(json);
  }
  w.EndObject();
  w.EndObject();
  return w.Take();
}

}  // namespace

HmppsAdapter::HmppsAdapter(ParseLimits limits) : reader_(limits), native_(limits) {}

ParseResult HmppsAdapter::Parse(std::string_view message) {
  ParseResult result;
  DomainEvent e;
  if (!reader_.Read(message, &e, &result.errors))
    return result;
  const TypeMapping* mapping = FindMapping(e.event_type);
  Mapping m(e);
  if (mapping != nullptr)
    mapping->map(e, m);
  if (!m.errors().empty()) {
    result.errors = m.errors();
    return result;
  }
  if (m.person().empty()) {
    result.errors.push_back(
        {"personReference.identifiers", Rule::kNoIdentifier,
         "nobody the catalogue can identify: give a NOMS, CRN, PNC or CRO identifier (or "
         "additionalInformation.nomsNumber or crn)"});
    return result;
  }
  const std::string producer =
      mapping != nullptr ? std::string(mapping->producer) : ProducerOf(e.event_type);
  if (mapping == nullptr || m.external()) {
    const std::string note = mapping ? m.note() : "its type has no mapping to the catalogue";
    m.ClearData();
    ExternalMembers(e, note, &m);
  }
  return Finish(e, producer, m);
}

ParseResult HmppsAdapter::Finish(const DomainEvent& e, std::string_view producer,
                                 const Mapping& m) {
  ParseResult result = native_.Parse(Envelope(e, producer, m));
  if (!result.ok()) {
    for (auto& error : result.errors)
      error.path = SourcePath(error.path, e, m);
    return result;
  }
  for (const auto& [path, why] : m.inferred())
    result.event.flags.push_back({path, Rule::kInferred, why});
  if (e.time_assumption)
    result.event.flags.push_back({"time", Rule::kInferred, *e.time_assumption});
  return result;
}

}  // namespace throughline::events::hmpps
