// Person identifiers of the justice system in England and Wales, and the check letters that
// guard them.
//
//   PNC ID   YYYY/NNNNNNNC  Police National Computer; also accepted as YY/NNNNNNNC
//   CRO      NNNNNN/YYC     Criminal Records Office number
//   NOMS     A1234BC        prison number
//   CRN      X123456        probation case reference number
//   ASN      YYFFUUSSNNNNNNNNNNNC  Arrest/Summons Number, one per arrest (not a person id)
//
// PNC, CRO and ASN end in a check letter: alphabet "ZABCDEFGHJKLMNPQRTUVWXY"[N mod 23], where N
// is the digits the letter guards (see each function). Every Check function accepts the forms
// publishers actually send (either case, short PNC years, unpadded serials, slashes in an ASN),
// writes the one normal form the engine stores and indexes, or returns the Problem.

#ifndef THROUGHLINE_EVENTS_IDENTIFIERS_H_
#define THROUGHLINE_EVENTS_IDENTIFIERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/field_spec.h"
#include "events/validation_error.h"

namespace throughline::events {

// The kinds of person identifier, strongest first: when an event's identifiers point at two
// different people, the strongest wins. Persisted (identity index keys): never renumber.
enum class IdentifierKind : std::uint8_t {
  kPnc = 1,
  kNoms = 2,
  kCrn = 3,
  kCro = 4,
};

template <>
struct EnumInfo<IdentifierKind> {
  static constexpr std::string_view kWhat = "identifier kind";
  static constexpr std::array kValues = {
      EnumValue{IdentifierKind::kPnc, "pnc"},
      EnumValue{IdentifierKind::kNoms, "noms"},
      EnumValue{IdentifierKind::kCrn, "crn"},
      EnumValue{IdentifierKind::kCro, "cro"},
  };
};

// One identifier of a person, in normal form.
struct Identifier {
  IdentifierKind kind{};
  std::string value;

  template <class V>
  static void Fields(V& v) {
    v(&Identifier::kind, {.name = "kind", .doc = "pnc, noms, crn or cro"});
    v(&Identifier::value,
      {.name = "value", .doc = "the identifier, in normal form", .format = Format::kId});
  }
  bool operator==(const Identifier&) const = default;
  auto operator<=>(const Identifier&) const = default;
};

// "pnc:2012/0123456Y".
std::string ToString(const Identifier& id);

// "pnc", "noms", "crn", "cro".
std::string_view IdentifierKindName(IdentifierKind kind);
std::optional<IdentifierKind> ParseIdentifierKind(std::string_view name);

// The check letter for N: "ZABCDEFGHJKLMNPQRTUVWXY"[N mod 23].
char CheckLetter(std::uint64_t n);

// PNC ID, long (2012/0123456Y) or short (12/123456Y) form. N is the 2-digit year followed by
// the serial padded to 7 digits. A 2-digit year is placed in the century that puts it at or
// before `pivot_year` (the year of the event that carries it), so the result never depends on
// today's date. Normal form: YYYY/NNNNNNNC.
std::optional<Problem> CheckPnc(std::string_view text, int pivot_year, std::string* normal);

// CRO number (123456/11M). N is the 2-digit year followed by the serial padded to 6 digits.
// Normal form: NNNNNN/YYC.
std::optional<Problem> CheckCro(std::string_view text, std::string* normal);

// Prison (NOMS) number: a letter, 4 digits, 2 letters (A1234BC).
std::optional<Problem> CheckNoms(std::string_view text, std::string* normal);

// Probation case reference number: a letter and 6 digits (X123456).
std::optional<Problem> CheckCrn(std::string_view text, std::string* normal);

// Arrest/Summons Number: year (2 digits), force (2), unit (2), system (2), sequence (up to 11
// digits), check letter; slashes between the parts are allowed (11/01ZD/01/410780J). N is the
// force and system parts where they are numeric, then the year, then the sequence padded to 11.
// Normal form: 20 characters, no slashes.
std::optional<Problem> CheckAsn(std::string_view text, std::string* normal);

// Dispatches on kind; the pivot year matters only for a short PNC.
std::optional<Problem> CheckIdentifier(IdentifierKind kind, std::string_view text, int pivot_year,
                                       std::string* normal);

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_IDENTIFIERS_H_
