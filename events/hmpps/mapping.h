// Mapping: what one HMPPS domain event becomes in the catalogue.
//
// Each family of producers has a table (prison_mappings.cc, probation_mappings.cc, ...) from
// eventType to a function that reads the DomainEvent and says one of three things:
//
//   - the catalogue type it is, and its data field by field, each value with the path in the
//     HMPPS event it came from, so that a value the catalogue refuses is reported where the
//     producer wrote it (`additionalInformation.prisonId`), not where we put it (`data.prison`);
//   - KeepExternal(note): this event carries nothing the catalogue can hold (a return from
//     court, a score the producer only serves at detailUrl), so it is kept as an `external`
//     event, with the note saying why;
//   - Fail(path, rule, message): the message is not what its producer documents (a reception
//     with no prison): it goes to the dead-letter topic with that reason.
//
// A value the function chose rather than read (a default, a reading of a code) is marked with
// Inferred() and flagged on the stored event (rule `inferred`), so a reader can tell.
//
// To map a new type: add a row to its family's table, or a new family file with its own
// table listed in mapping.cc. docs/hmpps.md lists what each row does.

#ifndef THROUGHLINE_EVENTS_HMPPS_MAPPING_H_
#define THROUGHLINE_EVENTS_HMPPS_MAPPING_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/hmpps/domain_event.h"
#include "events/validation_error.h"

namespace throughline::events::hmpps {

class Mapping;

struct TypeMapping {
  std::string_view event_type;  // HMPPS eventType
  std::string_view producer;    // the stored event's source is "hmpps/<producer>"
  void (*map)(const DomainEvent& event, Mapping& m);
};

// Every family's table, in the order docs/hmpps.md lists them.
std::span<const TypeMapping> PrisonMappings();
std::span<const TypeMapping> ProbationMappings();
std::span<const TypeMapping> LicenceMappings();
std::span<const TypeMapping> InterventionMappings();

// The mapping of an eventType, or nullptr: the event is kept as `external`.
const TypeMapping* FindMapping(std::string_view event_type);
std::vector<const TypeMapping*> AllMappings();

class Mapping {
 public:
  explicit Mapping(const DomainEvent& event) : person_(event.person), event_(event) {}

  // The catalogue type and its data.
  void To(std::string_view type, int dataversion = 1);
  void Text(std::string_view field, std::string_view value, std::string_view from = {});
  void Int(std::string_view field, std::int64_t value, std::string_view from = {});
  // A nested person (identity.merged's `merged`).
  void Identifiers(std::string_view field, const std::vector<SourcedIdentifier>& ids);
  // A value that is already JSON text.
  void Raw(std::string_view field, std::string json, std::string_view from = {});
  // `field` holds a value chosen, not read: `message` says what and why.
  void Inferred(std::string_view field, std::string message);

  void KeepExternal(std::string note);
  // Forgets the type and data said so far (not the person): to write the external event.
  void ClearData();
  void Fail(std::string path, Rule rule, std::string message);

  // additionalInformation.<name>, failing the mapping (rule `required`) when it is absent.
  const InfoValue* Require(std::string_view name);
  // The person the event is about: the reader's identifiers, which a mapping may add to (a
  // merge names its target in additionalInformation) or take from (to name them elsewhere).
  void AddToPerson(IdentifierKind kind, const InfoValue& value);
  std::optional<SourcedIdentifier> TakeFromPerson(IdentifierKind kind);

  // What the mapping said, for the adapter.
  const std::string& type() const { return type_; }
  int dataversion() const { return dataversion_; }
  bool external() const { return external_; }
  const std::string& note() const { return note_; }
  const ValidationErrors& errors() const { return errors_; }
  const std::vector<SourcedIdentifier>& person() const { return person_; }
  // Each data member: its key, and its value as JSON text, in order.
  const std::vector<std::pair<std::string, std::string>>& members() const { return members_; }
  // Native path ("data.prison") -> HMPPS path ("additionalInformation.prisonId").
  const std::vector<std::pair<std::string, std::string>>& sources() const { return sources_; }
  // Native path -> why the value was inferred.
  const std::vector<std::pair<std::string, std::string>>& inferred() const { return inferred_; }

 private:
  std::string type_;
  int dataversion_ = 1;
  bool external_ = false;
  std::string note_;
  ValidationErrors errors_;
  std::vector<SourcedIdentifier> person_;
  std::vector<std::pair<std::string, std::string>> members_;
  std::vector<std::pair<std::string, std::string>> sources_;
  std::vector<std::pair<std::string, std::string>> inferred_;
  const DomainEvent& event_;
};

// "additionalInformation.<name>".
std::string PathOf(const InfoValue& value);

// A whole number written as 2, "2", "2.0" or " 2 "; nullopt otherwise.
std::optional<std::int64_t> WholeNumber(std::string_view text);
// A number written as 67, "67.5" or " 67 "; nullopt otherwise.
std::optional<double> Decimal(std::string_view text);
// Upper case, with spaces and hyphens as underscores: "Fixed term" -> "FIXED_TERM".
std::string CodeOf(std::string_view text);

}  // namespace throughline::events::hmpps

#endif  // THROUGHLINE_EVENTS_HMPPS_MAPPING_H_
