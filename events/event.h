// Event: one validated CloudEvents envelope with its typed data.
//
// `data` holds the struct for the (type, dataversion) the publisher sent. The log stores events
// as they were published; Upcast() (upcaster.h) turns an older version into the current one,
// and every read path calls it, so code past the read path sees current structs only.

#ifndef THROUGHLINE_EVENTS_EVENT_H_
#define THROUGHLINE_EVENTS_EVENT_H_

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "events/calendar.h"
#include "events/catalogue/common.h"
#include "events/catalogue/courts.h"
#include "events/catalogue/custody.h"
#include "events/catalogue/external.h"
#include "events/catalogue/identity.h"
#include "events/catalogue/interventions.h"
#include "events/catalogue/partnership.h"
#include "events/catalogue/police.h"
#include "events/catalogue/probation.h"
#include "events/event_type.h"
#include "events/validation_error.h"

namespace throughline::events {

// Every (type, dataversion) the engine reads, in catalogue order. The order here is not
// persisted (the binary form stores EventType and dataversion), so add new alternatives anywhere.
using EventData = std::variant<
    // police
    ArrestRecorded, ChargeRecorded, ChargeDisposed, OutOfCourtDisposal, BailGranted, BailBreached,
    // courts
    CourtHearing, ConvictionRecorded, SentenceImposed,
    // custody
    CustodyReceived, CustodyReceivedV1, CustodyTransferred, CustodyTransferredV2,
    CustodyTransferredV1, CustodyReleased, CustodyReleasedV1, TemporaryAbsenceStarted,
    TemporaryAbsenceEnded,
    // probation
    LicenceStarted, LicenceVaried, LicenceBreached, LicenceRecalled, LicenceEnded,
    SupervisionStarted, SupervisionEnded, EmTagFitted, EmTagViolation, EmTagRemoved,
    // interventions
    InterventionReferred, InterventionStarted, InterventionCompleted, InterventionExited,
    // partnership
    IomAdopted, IomExited, MappaRegistered, MappaLevelChanged, MappaDeregistered, RiskAssessed,
    OcgLinked, OcgUnlinked, SafeguardingConcernRaised, ImmigrationStatusChanged,
    // identity and corrections
    IdentityMerged, IdentityUnmerged, PersonDeceased, EventRetracted,
    // other systems
    External>;

// Calls fn(std::type_identity<T>{}) for every alternative T of EventData, in order: how the
// parser, codec and catalogue build their per-type tables.
template <class Fn>
void ForEachEventStruct(Fn&& fn) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (fn(std::type_identity<std::variant_alternative_t<I, EventData>>{}), ...);
  }
  (std::make_index_sequence<std::variant_size_v<EventData>>());
}

// A CloudEvents attribute beyond the ones the engine interprets (e.g. traceparent), kept as
// text so that nothing the publisher sent is lost.
struct Attribute {
  std::string name;
  std::string value;
  bool operator==(const Attribute&) const = default;
};

struct Event {
  std::string id;                      // unique per source
  std::string source;                  // the publishing system, e.g. "police/gwent/custody"
  Timestamp time;                      // when it happened in the world (valid time), UTC
  std::vector<Attribute> attributes;   // other CloudEvents attributes (subject, extensions)
  Person person;                       // data.person, identifiers normalised
  EventData data;                      // the typed body
  std::vector<ValidationError> flags;  // accepted but worth a look (unknown prison code, ...)

  const TypeInfo& info() const;
  EventType type() const { return info().type; }
  std::string_view type_name() const { return info().name; }
  std::uint16_t dataversion() const { return info().version; }

  bool operator==(const Event&) const = default;
};

// Catalogue metadata of the variant alternative `data` holds.
const TypeInfo& InfoOf(const EventData& data);

// Every (type, dataversion) the engine reads, in EventData order.
const std::vector<const TypeInfo*>& AllTypeInfos();

// The newest dataversion of each type, in EventType order: the catalogue as published today.
std::vector<const TypeInfo*> CurrentTypeInfos();

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_EVENT_H_
