// The licence family: licences from Create and Vary a Licence, and recalls from Remand and
// Sentencing and from enforcement.
//
//   create-and-vary-a-licence.licence.activated:
//     additionalInformation: {"licenceId": "1234"}, detailUrl: the licence
//   recall.inserted:
//     additionalInformation: {"recallId": "...", "sentenceIds": [...], "source": "DPS",
//                             "recallType": "FTR_28"}
//
// A licence event names the licence; its end date and area are at detailUrl. They are read
// when the event carries them (licenceExpiryDate, probationPduDescription), and otherwise the
// event is kept as external: a licence with no end date cannot be held by the catalogue.

#include <fmt/format.h>

#include "events/hmpps/hmpps_time.h"
#include "events/hmpps/mapping.h"

namespace throughline::events::hmpps {

namespace {

// The licence's end date, or nullopt (and the event kept as external, or failed) when the
// event does not carry one that reads.
std::optional<const InfoValue*> EndDate(const DomainEvent& e, Mapping& m, std::string_view what,
                                        Date* date) {
  const InfoValue* expiry = e.Info({"licenceExpiryDate", "licenceEndDate"});
  if (expiry == nullptr) {
    m.KeepExternal(
        fmt::format("{}; the event does not carry the licence's end date (Create "
                    "and Vary a Licence serves it at detailUrl)",
                    what));
    return std::nullopt;
  }
  if (auto p = ParseHmppsDate(expiry->text, date)) {
    m.Fail(PathOf(*expiry), p->rule, p->message);
    return std::nullopt;
  }
  return expiry;
}

void Activated(const DomainEvent& e, Mapping& m) {
  Date end;
  auto expiry = EndDate(e, m, "a licence was activated", &end);
  if (!expiry)
    return;
  m.To("licence.started");
  if (const InfoValue* kind = e.Info({"licenceKind", "kind"}); kind && CodeOf(kind->text) == "HDC")
    m.Text("kind", "home_detention_curfew", PathOf(*kind));
  m.Text("end_date", FormatDate(end), PathOf(**expiry));
  if (const InfoValue* area =
          e.Info({"probationPduDescription", "probationAreaDescription", "probationArea"})) {
    m.Text("area", area->text, PathOf(*area));
  } else {
    m.Text("area", "unknown");
    m.Inferred("area", "the event does not name the probation area supervising");
  }
}

void Inactivated(const DomainEvent&, Mapping& m) {
  m.To("licence.ended");
  m.Text("reason", "licence inactivated in Create and Vary a Licence");
}

void VariationActivated(const DomainEvent& e, Mapping& m) {
  Date end;
  auto expiry = EndDate(e, m, "a licence variation was activated", &end);
  if (!expiry)
    return;
  m.To("licence.varied");
  m.Text("end_date", FormatDate(end), PathOf(**expiry));
}

// Recall types of Remand and Sentencing and of NOMIS: a standard recall (LR), fixed-term
// recalls of 14, 28 or 56 days (also after home detention curfew), and recalls for breaking
// the curfew (CUR_HDC) or being unable to be monitored on it (IN_HDC).
std::optional<std::string_view> RecallKind(std::string_view code) {
  static constexpr std::pair<std::string_view, std::string_view> kKinds[] = {
      {"LR", "standard"},
      {"FTR_14", "fixed_term_14"},
      {"FTR_28", "fixed_term_28"},
      {"FTR_56", "fixed_term_56"},
      {"FTR_HDC_14", "fixed_term_14"},
      {"FTR_HDC_28", "fixed_term_28"},
      {"CUR_HDC", "hdc_curfew_breach"},
      {"IN_HDC", "hdc_curfew_breach"},
  };
  for (const auto& [c, kind] : kKinds) {
    if (c == code)
      return kind;
  }
  return std::nullopt;
}

void Recalled(const DomainEvent& e, Mapping& m) {
  const InfoValue* type = e.Info({"recallType", "recallTypeCode"});
  std::optional<std::string_view> kind = type ? RecallKind(CodeOf(type->text)) : "standard";
  if (!kind) {
    m.Fail(PathOf(*type), Rule::kEnumValue,
           fmt::format("{} is not a recall type this adapter knows; expected one of LR, FTR_14, "
                       "FTR_28, FTR_56, FTR_HDC_14, FTR_HDC_28, CUR_HDC, IN_HDC",
                       Quote(type->text)));
    return;
  }
  m.To("licence.recalled");
  m.Text("kind", *kind, type ? PathOf(*type) : std::string());
  if (type == nullptr)
    m.Inferred("kind", "the event does not say which recall; recorded as standard");
  if (const InfoValue* why = e.Info({"recallReason", "reason"}))
    m.Text("reason", why->text, PathOf(*why));
}

constexpr TypeMapping kLicence[] = {
    {"create-and-vary-a-licence.licence.activated", "create-and-vary-a-licence", &Activated},
    {"create-and-vary-a-licence.licence.inactivated", "create-and-vary-a-licence", &Inactivated},
    {"create-and-vary-a-licence.licence.variation.activated", "create-and-vary-a-licence",
     &VariationActivated},
    {"recall.inserted", "remand-and-sentencing", &Recalled},
    {"enforcement.recall.raised", "enforcement", &Recalled},
};

}  // namespace

std::span<const TypeMapping> LicenceMappings() { return kLicence; }

}  // namespace throughline::events::hmpps
