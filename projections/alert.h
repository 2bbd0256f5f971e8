// Alerts: the gaps people fall through, raised for the agency that must act.
//
// Alerts are derived, never stored as upstream facts: the fold works them out from the
// person's events (fold.h), so a rebuild raises the same alerts with the same ids. Some are
// time-based ("no licence within 2 days of release"): they carry a `due` time and are raised
// once the engine's clock passes it, unless an event in time resolves them first.

#ifndef THROUGHLINE_PROJECTIONS_ALERT_H_
#define THROUGHLINE_PROJECTIONS_ALERT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "events/calendar.h"
#include "events/field_spec.h"

namespace throughline::projections {

// Persisted: never renumber.
enum class AlertRule : std::uint8_t {
  kFlaggedPersonReceived = 1,    // an IOM, MAPPA or OCG-linked person received into custody
  kNoLicenceAfterRelease = 2,    // released on licence, no licence started within 2 days
  kMappaRelease = 3,             // a MAPPA level 2 or 3 person released
  kRecall = 4,                   // recalled from licence
  kReleaseOverdue = 5,           // expected release date passed with no release
  kForeignNationalReleased = 6,  // a foreign national released with no immigration decision
  kIdentityConflict = 7,         // an event carried identifiers of two people
};

}  // namespace throughline::projections

namespace throughline::events {
template <>
struct EnumInfo<projections::AlertRule> {
  static constexpr std::string_view kWhat = "alert rule";
  static constexpr std::array kValues = {
      EnumValue{projections::AlertRule::kFlaggedPersonReceived, "flagged_person_received"},
      EnumValue{projections::AlertRule::kNoLicenceAfterRelease, "no_licence_after_release"},
      EnumValue{projections::AlertRule::kMappaRelease, "mappa_release"},
      EnumValue{projections::AlertRule::kRecall, "recall"},
      EnumValue{projections::AlertRule::kReleaseOverdue, "release_overdue"},
      EnumValue{projections::AlertRule::kForeignNationalReleased, "foreign_national_released"},
      EnumValue{projections::AlertRule::kIdentityConflict, "identity_conflict"},
  };
};
}  // namespace throughline::events

namespace throughline::projections {

// The time-based rules wait this long after release for a licence to start.
inline constexpr std::int64_t kLicenceGraceMs = 2 * events::kMillisPerDay;

struct Alert {
  std::string id;  // "<rule>-<sequence>": stable across rebuilds
  AlertRule rule{};
  std::uint64_t person = 0;
  // Who must act: "prison:CFI", "probation:Cardiff and Vale", "mappa:Gwent", "police:gwent",
  // "immigration", "publisher:<source>".
  std::string agency;
  events::Timestamp event_time;          // when the event that raised it happened
  std::uint64_t sequence = 0;            // its log position
  std::optional<events::Timestamp> due;  // time-based: raised once the clock passes this
  std::string message;                   // one line for people

  template <class V>
  static void Fields(V& v) {
    v(&Alert::id, {.name = "id", .doc = ""});
    v(&Alert::rule, {.name = "rule", .doc = ""});
    v(&Alert::person, {.name = "person", .doc = ""});
    v(&Alert::agency, {.name = "agency", .doc = ""});
    v(&Alert::event_time, {.name = "event_time", .doc = ""});
    v(&Alert::sequence, {.name = "sequence", .doc = ""});
    v(&Alert::due, {.name = "due", .doc = ""});
    v(&Alert::message, {.name = "message", .doc = ""});
  }
  bool operator==(const Alert&) const = default;
};

// An alert is raised once it is not time-based, or its due time has passed.
inline bool IsRaised(const Alert& alert, events::Timestamp now) {
  return !alert.due || *alert.due <= now;
}

}  // namespace throughline::projections

#endif  // THROUGHLINE_PROJECTIONS_ALERT_H_
