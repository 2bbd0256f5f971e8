// The identity and correction events of the catalogue: merging and unmerging records, death,
// and retraction of an event that never happened as recorded.

#ifndef THROUGHLINE_EVENTS_CATALOGUE_IDENTITY_H_
#define THROUGHLINE_EVENTS_CATALOGUE_IDENTITY_H_

#include <optional>
#include <string>

#include "events/calendar.h"
#include "events/catalogue/common.h"
#include "events/event_type.h"
#include "events/field_spec.h"

namespace throughline::events {

struct IdentityMerged {
  static constexpr TypeInfo kInfo = {
      EventType::kIdentityMerged,
      "identity.merged",
      1,
      Area::kIdentity,
      DataClass::kGeneral,
      "Two identifier sets are one person: `merged` joins `data.person`."};
  Person merged;
  std::optional<std::string> reason;

  template <class V>
  static void Fields(V& v) {
    v(&IdentityMerged::merged, {.name = "merged", .doc = "identifiers of the record merged in"});
    v(&IdentityMerged::reason, {.name = "reason", .doc = "why"});
  }
  bool operator==(const IdentityMerged&) const = default;
};

struct IdentityUnmerged {
  static constexpr TypeInfo kInfo = {
      EventType::kIdentityUnmerged,
      "identity.unmerged",
      1,
      Area::kIdentity,
      DataClass::kGeneral,
      "An earlier merge was wrong: `unmerged` is a different person from `data.person`."};
  Person unmerged;
  std::optional<std::string> reason;

  template <class V>
  static void Fields(V& v) {
    v(&IdentityUnmerged::unmerged,
      {.name = "unmerged", .doc = "identifiers that belong to another person"});
    v(&IdentityUnmerged::reason, {.name = "reason", .doc = "why"});
  }
  bool operator==(const IdentityUnmerged&) const = default;
};

struct PersonDeceased {
  static constexpr TypeInfo kInfo = {
      EventType::kPersonDeceased, "person.deceased", 1, Area::kIdentity,
      DataClass::kGeneral,        "The person died."};
  std::optional<Date> date_of_death;

  template <class V>
  static void Fields(V& v) {
    v(&PersonDeceased::date_of_death,
      {.name = "date_of_death", .doc = "when known to differ from the event time"});
  }
  bool operator==(const PersonDeceased&) const = default;
};

struct EventRetracted {
  static constexpr TypeInfo kInfo = {
      EventType::kEventRetracted,
      "event.retracted",
      1,
      Area::kIdentity,
      DataClass::kGeneral,
      "An earlier event never happened as recorded: the log keeps both, views drop it."};
  EventRef retracted;
  std::string reason;

  template <class V>
  static void Fields(V& v) {
    v(&EventRetracted::retracted, {.name = "retracted", .doc = "source and id of the event"});
    v(&EventRetracted::reason, {.name = "reason", .doc = "why it is withdrawn"});
  }
  bool operator==(const EventRetracted&) const = default;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CATALOGUE_IDENTITY_H_
