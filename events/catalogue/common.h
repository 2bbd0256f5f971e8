// Records shared by several event types: the person an event is about, an offence, and a
// reference to another event.

#ifndef THROUGHLINE_EVENTS_CATALOGUE_COMMON_H_
#define THROUGHLINE_EVENTS_CATALOGUE_COMMON_H_

#include <optional>
#include <string>
#include <vector>

#include "events/field_spec.h"
#include "events/identifiers.h"

namespace throughline::events {

// `data.person`: the identifiers the publisher holds for the person; at least one.
struct Person {
  std::optional<std::string> pnc;
  std::optional<std::string> noms;
  std::optional<std::string> crn;
  std::optional<std::string> cro;

  template <class V>
  static void Fields(V& v) {
    v(&Person::pnc, {.name = "pnc",
                     .doc = "PNC ID, YYYY/NNNNNNNC (YY/NNNNNNNC accepted)",
                     .format = Format::kPnc});
    v(&Person::noms, {.name = "noms", .doc = "prison number, A1234BC", .format = Format::kNoms});
    v(&Person::crn,
      {.name = "crn", .doc = "probation case reference, X123456", .format = Format::kCrn});
    v(&Person::cro, {.name = "cro", .doc = "CRO number, NNNNNN/YYC", .format = Format::kCro});
  }
  static void Check(const Person& p, CheckContext& c) {
    if (p.empty()) {
      c.Fail("", Rule::kNoIdentifier, "no identifier: give at least one of pnc, noms, crn, cro");
    }
  }
  bool empty() const { return !pnc && !noms && !crn && !cro; }
  // The identifiers present, strongest first (PNC, prison number, CRN, CRO).
  std::vector<Identifier> identifiers() const {
    std::vector<Identifier> out;
    if (pnc)
      out.push_back({IdentifierKind::kPnc, *pnc});
    if (noms)
      out.push_back({IdentifierKind::kNoms, *noms});
    if (crn)
      out.push_back({IdentifierKind::kCrn, *crn});
    if (cro)
      out.push_back({IdentifierKind::kCro, *cro});
    return out;
  }
  bool operator==(const Person&) const = default;
};

struct Offence {
  std::string code;
  std::optional<std::string> description;

  template <class V>
  static void Fields(V& v) {
    v(&Offence::code,
      {.name = "code", .doc = "CJS offence code, e.g. TH68001", .format = Format::kOffenceCode});
    v(&Offence::description, {.name = "description", .doc = "the offence in words"});
  }
  bool operator==(const Offence&) const = default;
};

// Names an earlier event by its idempotency key.
struct EventRef {
  std::string source;
  std::string id;

  template <class V>
  static void Fields(V& v) {
    v(&EventRef::source,
      {.name = "source", .doc = "the source of the earlier event", .format = Format::kId});
    v(&EventRef::id, {.name = "id", .doc = "the id of the earlier event", .format = Format::kId});
  }
  bool operator==(const EventRef&) const = default;
  auto operator<=>(const EventRef&) const = default;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CATALOGUE_COMMON_H_
