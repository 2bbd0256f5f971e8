// The prison family: movements in and out of prison, and merged prison records, as
// prison-offender-events and prisoner-offender-search publish them from NOMIS.
//
//   additionalInformation: {"nomsNumber": "A1234BC", "reason": "ADMISSION", "prisonId": "SWI",
//                           "nomisMovementReasonCode": "N", "details": "...", ...}

#include <fmt/format.h>

#include "events/hmpps/mapping.h"
#include "events/hmpps/nomis_codes.h"

namespace throughline::events::hmpps {

namespace {

// A new spell in prison, in either producer's words.
bool IsAdmission(std::string_view reason) {
  for (std::string_view r : {"ADMISSION", "NEW_ADMISSION", "READMISSION",
                             "READMISSION_SWITCH_BOOKING", "POST_MERGE_ADMISSION"}) {
    if (reason == r)
      return true;
  }
  return false;
}

// `field` as the NOMIS movement reason code says (`read`), or `fallback`, flagged, when there
// is no code or it does not say.
template <class E>
void FromMovementCode(const DomainEvent& e, Mapping& m, std::string_view field,
                      std::optional<E> (*read)(std::string_view), E fallback) {
  const InfoValue* code = e.Info("nomisMovementReasonCode");
  if (auto value = code ? read(CodeOf(code->text)) : std::nullopt) {
    m.Text(field, EnumName(*value), PathOf(*code));
    return;
  }
  m.Text(field, EnumName(fallback));
  m.Inferred(field,
             code ? fmt::format("NOMIS movement reason {} does not say; recorded as {}",
                                Quote(code->text), EnumName(fallback))
                  : fmt::format("no nomisMovementReasonCode; recorded as {}", EnumName(fallback)));
}

void UnknownReason(Mapping& m, const InfoValue& reason, std::string_view expected) {
  m.Fail(PathOf(reason), Rule::kEnumValue,
         fmt::format("{} is not a reason the prison producers document; expected one of {}",
                     Quote(reason.text), expected));
}

void Received(const DomainEvent& e, Mapping& m) {
  const InfoValue* reason = m.Require("reason");
  const InfoValue* prison = m.Require("prisonId");
  if (reason == nullptr || prison == nullptr)
    return;
  const std::string r = CodeOf(reason->text);
  if (IsAdmission(r)) {
    m.To("custody.received", 2);
    m.Text("prison", prison->text, PathOf(*prison));
    // Held, whatever the code: unconvicted until a court or a code says otherwise.
    FromMovementCode(e, m, "basis", &AdmissionBasis, CustodyBasis::kRemand);
  } else if (r == "TRANSFERRED") {
    // The reception at the new prison; the prison left is where the fold holds them.
    m.To("custody.transferred", 3);
    m.Text("to_prison", prison->text, PathOf(*prison));
    m.Text("reason", "other");
    m.Inferred("reason", "the producer does not say why the person was moved");
  } else if (r == "TEMPORARY_ABSENCE_RETURN") {
    m.To("custody.temporary_absence.ended");
    m.Text("prison", prison->text, PathOf(*prison));
    m.Text("outcome", "returned", PathOf(*reason));
  } else if (r == "RETURN_FROM_COURT") {
    m.KeepExternal(fmt::format("a return from court to {}: custody is unchanged", prison->text));
  } else {
    UnknownReason(m, *reason,
                  "ADMISSION, NEW_ADMISSION, READMISSION, READMISSION_SWITCH_BOOKING, "
                  "POST_MERGE_ADMISSION, TRANSFERRED, TEMPORARY_ABSENCE_RETURN, "
                  "RETURN_FROM_COURT");
  }
}

void Released(const DomainEvent& e, Mapping& m) {
  const InfoValue* reason = m.Require("reason");
  const InfoValue* prison = m.Require("prisonId");
  if (reason == nullptr || prison == nullptr)
    return;
  const std::string r = CodeOf(reason->text);
  if (r == "RELEASED") {
    m.To("custody.released", 2);
    m.Text("prison", prison->text, PathOf(*prison));
    FromMovementCode(e, m, "reason", &ReleaseReasonOf, ReleaseReason::kEndOfSentence);
  } else if (r == "TEMPORARY_ABSENCE_RELEASE") {
    m.To("custody.temporary_absence.started");
    m.Text("prison", prison->text, PathOf(*prison));
    FromMovementCode(e, m, "kind", &TemporaryAbsenceKindOf, AbsenceKind::kOther);
  } else if (r == "RELEASED_TO_HOSPITAL") {
    // Detained in hospital instead of prison: still held, and may come back.
    m.To("custody.temporary_absence.started");
    m.Text("prison", prison->text, PathOf(*prison));
    m.Text("kind", "hospital", PathOf(*reason));
  } else if (r == "SENT_TO_COURT") {
    m.KeepExternal(fmt::format("taken to court from {}: custody is unchanged", prison->text));
  } else if (r == "TRANSFERRED") {
    m.KeepExternal(
        fmt::format("left {} on a transfer: the reception at the next prison moves "
                    "custody",
                    prison->text));
  } else if (r == "UNKNOWN") {
    m.KeepExternal(
        fmt::format("the producer could not tell what movement out of {} this was", prison->text));
  } else {
    UnknownReason(m, *reason,
                  "RELEASED, TEMPORARY_ABSENCE_RELEASE, RELEASED_TO_HOSPITAL, SENT_TO_COURT, "
                  "TRANSFERRED, UNKNOWN");
  }
}

// Two prison records were one person: `removedNomsNumber` joins the person of `nomsNumber`.
void Merged(const DomainEvent& e, Mapping& m) {
  const InfoValue* removed = m.Require("removedNomsNumber");
  if (removed == nullptr)
    return;
  std::vector<SourcedIdentifier> merged;
  if (auto error = AddIdentifier(&merged, YearOf(e.occurred_at), IdentifierKind::kNoms,
                                 removed->text, PathOf(*removed))) {
    m.Fail(error->path, error->rule, error->message);
    return;
  }
  const SourcedIdentifier* remaining = e.Identifier(IdentifierKind::kNoms);
  if (remaining != nullptr && remaining->value == merged[0].value) {
    m.Fail(PathOf(*removed), Rule::kInconsistent,
           fmt::format("is the remaining number {} too", remaining->path));
    return;
  }
  m.To("identity.merged");
  m.Identifiers("merged", merged);
  m.Text("reason", "prison records merged in NOMIS");
}

constexpr TypeMapping kPrison[] = {
    {"prison-offender-events.prisoner.received", "prison-offender-events", &Received},
    {"prisoner-offender-search.prisoner.received", "prisoner-offender-search", &Received},
    {"prison-offender-events.prisoner.released", "prison-offender-events", &Released},
    {"prisoner-offender-search.prisoner.released", "prisoner-offender-search", &Released},
    {"prison-offender-events.prisoner.merged", "prison-offender-events", &Merged},
};

}  // namespace

std::span<const TypeMapping> PrisonMappings() { return kPrison; }

}  // namespace throughline::events::hmpps
