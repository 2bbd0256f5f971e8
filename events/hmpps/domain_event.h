// DomainEvent: one HMPPS domain event as its producer published it, read leniently.
//
//   {"eventType": "prison-offender-events.prisoner.received", "version": 1,
//    "occurredAt": "2024-06-14T09:06:52+01:00", "publishedAt": "...", "description": "...",
//    "detailUrl": "https://...",
//    "personReference": {"identifiers": [{"type": "NOMS", "value": "A1234BC"}]},
//    "additionalInformation": {"nomsNumber": "A1234BC", "reason": "ADMISSION", ...}}
//
// either bare or as the `Message` (a JSON string) of an SNS notification:
//
//   {"Type": "Notification", "MessageId": "...", "Message": "{\"eventType\": ...}",
//    "MessageAttributes": {"eventType": {"Type": "String", "Value": "..."}}}
//
// The producers warn that numbers and booleans arrive as strings and strings as numbers, that
// `version` is a number or a string, that times come in several forms (hmpps_time.h), and that
// an empty string means absent. So additionalInformation is kept as text, whatever its JSON
// type, and each mapping reads what it needs from that. Who the event is about is gathered
// from personReference.identifiers and from additionalInformation's usual names for a prison
// number (nomsNumber, prisonerNumber, prisonerId, offenderNo) and a CRN (crn), checked and
// normalised, with the path each came from.
//
// Errors name the path in the HMPPS event (`additionalInformation.nomsNumber`), or in the SNS
// notification when the notification itself is wrong (`Message`).

#ifndef THROUGHLINE_EVENTS_HMPPS_DOMAIN_EVENT_H_
#define THROUGHLINE_EVENTS_HMPPS_DOMAIN_EVENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/calendar.h"
#include "events/envelope_parser.h"
#include "events/identifiers.h"
#include "events/validation_error.h"

namespace throughline::events::hmpps {

// A person identifier in normal form, and where in the message it was found.
struct SourcedIdentifier {
  IdentifierKind kind{};
  std::string value;
  std::string path;  // e.g. "personReference.identifiers[0].value"
};

// A member of additionalInformation, as text: strings trimmed, numbers and booleans as written,
// objects and arrays as compact JSON.
struct InfoValue {
  std::string name;
  std::string text;
  bool structured = false;  // an object or an array
};

struct DomainEvent {
  std::string event_type;
  std::int64_t version = 1;
  Timestamp occurred_at;
  // Set when the time was not read from an offset the producer gave: what was assumed.
  std::optional<std::string> time_assumption;
  std::optional<std::string> description;
  std::optional<std::string> detail_url;
  std::optional<std::string> message_id;  // of the SNS notification, when wrapped
  std::string digest;                     // SHA-256 of the event (publishedAt left out), hex
  std::vector<SourcedIdentifier> person;
  std::vector<InfoValue> information;  // additionalInformation, in the order published

  // additionalInformation.<name> (an exact match first, then any case), or nullptr when it is
  // absent, null or an empty string.
  const InfoValue* Info(std::string_view name) const;
  // The first of several names producers use for one thing.
  const InfoValue* Info(std::initializer_list<std::string_view> names) const;
  // The person's identifier of `kind`, or nullptr.
  const SourcedIdentifier* Identifier(IdentifierKind kind) const;
};

// Adds `text`, found at `path`, to `person`: checked and normalised (a 2-digit PNC year placed
// by `pivot_year`), and refused when `person` already holds another identifier of the kind.
std::optional<ValidationError> AddIdentifier(std::vector<SourcedIdentifier>* person, int pivot_year,
                                             IdentifierKind kind, std::string_view text,
                                             std::string path);

// Not thread-safe: it reuses its buffers. One per thread.
class DomainEventReader {
 public:
  explicit DomainEventReader(ParseLimits limits = {});
  ~DomainEventReader();
  DomainEventReader(const DomainEventReader&) = delete;
  DomainEventReader& operator=(const DomainEventReader&) = delete;

  // True when `message` is a readable domain event; false, with every reason, otherwise.
  bool Read(std::string_view message, DomainEvent* out, ValidationErrors* errors);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace throughline::events::hmpps

#endif  // THROUGHLINE_EVENTS_HMPPS_DOMAIN_EVENT_H_
