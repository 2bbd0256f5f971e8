// Events of other systems that the catalogue gives no meaning to, kept rather than dropped.
//
// An adapter for another bus (events/hmpps/) maps what it understands to the catalogue's types.
// What it does not understand still happened to the person, and a partner reading the timeline
// should see it: it is stored as an `external` event, with the publisher's own type and what
// the publisher said, as text. The fold applies nothing of it (no counts, no state); it only
// places it on the person's timeline.
//
// Nobody has read its contents to decide who may see them, so its data class is
// `unclassified`: only roles cleared for every class see it (docs/access.md).

#ifndef THROUGHLINE_EVENTS_CATALOGUE_EXTERNAL_H_
#define THROUGHLINE_EVENTS_CATALOGUE_EXTERNAL_H_

#include <optional>
#include <string>
#include <vector>

#include "events/event_type.h"
#include "events/field_spec.h"

namespace throughline::events {

// One thing the publisher said about the event, as text.
struct ExternalItem {
  std::string name;
  std::string value;

  template <class V>
  static void Fields(V& v) {
    v(&ExternalItem::name,
      {.name = "name", .doc = "the publisher's name for it", .format = Format::kName});
    v(&ExternalItem::value, {.name = "value", .doc = "its value, as text"});
  }
  bool operator==(const ExternalItem&) const = default;
};

struct External {
  static constexpr TypeInfo kInfo = {
      EventType::kExternal,
      "external",
      1,
      Area::kExternal,
      DataClass::kUnclassified,
      "Another system's event with no meaning in the catalogue, kept as it was published: shown "
      "on the timeline, folded into nothing."};
  std::string event_type;
  std::optional<std::string> description;
  std::optional<std::string> note;
  std::optional<std::string> detail_url;
  std::vector<ExternalItem> information;

  template <class V>
  static void Fields(V& v) {
    v(&External::event_type,
      {.name = "event_type", .doc = "the publisher's own type", .format = Format::kName});
    v(&External::description, {.name = "description", .doc = "the publisher's description"});
    v(&External::note, {.name = "note", .doc = "why it is kept rather than mapped to a type"});
    v(&External::detail_url,
      {.name = "detail_url", .doc = "where the publisher serves the details"});
    v(&External::information, {.name = "information", .doc = "what else the publisher said"});
  }
  bool operator==(const External&) const = default;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CATALOGUE_EXTERNAL_H_
