// The probation family: Delius registrations (MAPPA, IOM, RoSH), merged and unmerged probation
// cases, a prison number matched to a case, and OGRS scores.
//
//   probation-case.registration.added:
//     additionalInformation: {"registrationId": "...", "registerTypeCode": "MAPP",
//                             "registerTypeDescription": "MAPPA", "registerCategoryCode": "M2",
//                             "registerLevelCode": "M2", "registrationDate": "..."}

#include <cmath>

#include <fmt/format.h>

#include "events/hmpps/mapping.h"

namespace throughline::events::hmpps {

namespace {

enum class Change { kAdded, kUpdated, kEnded };

// "M2", "2" or 2: a MAPPA category (M1-M4) or level (M1-M3). False (and the mapping failed)
// when it is neither.
bool MappaNumber(Mapping& m, const InfoValue& v, int max, std::int64_t* out) {
  std::string code = CodeOf(v.text);
  if (code.size() > 1 && code[0] == 'M')
    code.erase(0, 1);
  const auto n = WholeNumber(code);
  if (!n || *n < 1 || *n > max) {
    m.Fail(PathOf(v), Rule::kRange,
           fmt::format("{} is not M1 to M{} (or 1 to {})", Quote(v.text), max, max));
    return false;
  }
  *out = *n;
  return true;
}

void Mappa(const DomainEvent& e, Mapping& m, Change change) {
  if (change == Change::kEnded) {
    m.To("mappa.deregistered");
    m.Text("reason", e.event_type.ends_with(".deleted") ? "MAPPA registration deleted in Delius"
                                                        : "MAPPA registration ended in Delius");
    return;
  }
  const InfoValue* level_value = m.Require("registerLevelCode");
  const InfoValue* category_value =
      change == Change::kAdded ? m.Require("registerCategoryCode") : e.Info("registerCategoryCode");
  if (level_value == nullptr || (change == Change::kAdded && category_value == nullptr))
    return;
  std::int64_t level = 0, category = 0;
  if (!MappaNumber(m, *level_value, 3, &level) ||
      (category_value != nullptr && !MappaNumber(m, *category_value, 4, &category))) {
    return;
  }
  if (change == Change::kAdded) {
    m.To("mappa.registered");
    m.Int("category", category, PathOf(*category_value));
    m.Int("level", level, PathOf(*level_value));
    if (const InfoValue* area = e.Info({"probationAreaDescription", "probationArea"})) {
      m.Text("area", area->text, PathOf(*area));
    } else {
      m.Text("area", "unknown");
      m.Inferred("area", "the registration does not name the MAPPA area");
    }
  } else {
    m.To("mappa.level_changed");
    m.Int("level", level, PathOf(*level_value));
    if (category_value != nullptr)
      m.Int("category", category, PathOf(*category_value));
  }
}

void Iom(const DomainEvent& e, Mapping& m, Change change) {
  if (change == Change::kEnded) {
    m.To("iom.exited");
    m.Text("reason", "IOM registration ended in Delius");
    return;
  }
  m.To("iom.adopted");
  const InfoValue* level = e.Info({"registerLevelCode", "registerCategoryCode"});
  const std::string code = level ? CodeOf(level->text) : std::string();
  if (code.find("FIX") != std::string::npos) {
    m.Text("cohort", "fixed", PathOf(*level));
  } else if (code.find("FLEX") != std::string::npos) {
    m.Text("cohort", "flex", PathOf(*level));
  } else if (code.find("FREE") != std::string::npos) {
    m.Text("cohort", "free", PathOf(*level));
  } else {
    m.Text("cohort", "flex");
    m.Inferred("cohort",
               "the registration does not say which IOM cohort; recorded as flex, "
               "the locally selected cohort");
  }
  if (const InfoValue* why = e.Info({"selectionReason", "registerReasonDescription"})) {
    m.Text("selection_reason", why->text, PathOf(*why));
  } else {
    m.Text("selection_reason", "registered for IOM in Delius");
    m.Inferred("selection_reason", "the registration does not say why the person was selected");
  }
}

// The RoSH registers: the level of risk of serious harm, one register at a time.
std::optional<std::string_view> RoshLevel(std::string_view code) {
  if (code == "RLRH")
    return "low";
  if (code == "RMRH")
    return "medium";
  if (code == "RHRH")
    return "high";
  if (code == "RVHR")
    return "very_high";
  return std::nullopt;
}

void Registration(const DomainEvent& e, Mapping& m, Change change) {
  const InfoValue* type = m.Require("registerTypeCode");
  if (type == nullptr)
    return;
  const std::string code = CodeOf(type->text);
  if (code == "MAPP") {
    Mappa(e, m, change);
  } else if (code == "IIOM") {
    Iom(e, m, change);
  } else if (auto rosh = RoshLevel(code)) {
    if (change == Change::kEnded) {
      m.KeepExternal("a RoSH register ended: the register that replaces it sets the level");
      return;
    }
    m.To("risk.assessed");
    m.Text("rosh", *rosh, PathOf(*type));
  } else {
    const InfoValue* what = e.Info("registerTypeDescription");
    m.KeepExternal(fmt::format("register type {}{} is not one the catalogue holds", code,
                               what ? fmt::format(" ({})", what->text) : std::string()));
  }
}

void RegistrationAdded(const DomainEvent& e, Mapping& m) { Registration(e, m, Change::kAdded); }
void RegistrationUpdated(const DomainEvent& e, Mapping& m) { Registration(e, m, Change::kUpdated); }
void RegistrationEnded(const DomainEvent& e, Mapping& m) { Registration(e, m, Change::kEnded); }

// The named case joins (or leaves) the person of the case that remains, whichever CRN the
// personReference carries.
void CaseIdentity(const DomainEvent& e, Mapping& m, std::string_view remains,
                  std::string_view moves, std::string_view type, std::string_view field,
                  std::string_view reason) {
  const InfoValue* moving = m.Require(moves);
  if (moving == nullptr)
    return;
  if (const InfoValue* remaining = e.Info(remains)) {
    m.TakeFromPerson(IdentifierKind::kCrn);
    m.AddToPerson(IdentifierKind::kCrn, *remaining);
  }
  std::vector<SourcedIdentifier> named;
  if (auto error = AddIdentifier(&named, YearOf(e.occurred_at), IdentifierKind::kCrn, moving->text,
                                 PathOf(*moving))) {
    m.Fail(error->path, error->rule, error->message);
    return;
  }
  for (const auto& id : m.person()) {
    if (id.kind == IdentifierKind::kCrn && id.value == named[0].value) {
      m.Fail(PathOf(*moving), Rule::kInconsistent,
             fmt::format("is the case that remains ({}) too", id.path));
      return;
    }
  }
  m.To(type);
  m.Identifiers(field, named);
  m.Text("reason", reason);
}

void CaseMerged(const DomainEvent& e, Mapping& m) {
  CaseIdentity(e, m, "targetCRN", "sourceCRN", "identity.merged", "merged",
               "probation cases merged in Delius");
}

void CaseUnmerged(const DomainEvent& e, Mapping& m) {
  CaseIdentity(e, m, "unmergedCRN", "reactivatedCRN", "identity.unmerged", "unmerged",
               "probation cases unmerged in Delius");
}

// Delius matched the case to a prison record: the prison number is the same person's.
void PrisonIdentifierAdded(const DomainEvent& e, Mapping& m) {
  if (e.Identifier(IdentifierKind::kCrn) == nullptr) {
    m.Fail("personReference.identifiers", Rule::kRequired, "the probation case's CRN is required");
    return;
  }
  auto noms = m.TakeFromPerson(IdentifierKind::kNoms);
  if (!noms) {
    m.Fail("personReference.identifiers", Rule::kRequired,
           "the prison number added (type NOMS) is required");
    return;
  }
  m.To("identity.merged");
  m.Identifiers("merged", {*noms});
  m.Text("reason", "prison number matched to the probation case in Delius");
}

void OgrsScore(const DomainEvent& e, Mapping& m) {
  const InfoValue* score = e.Info({"ogrs2Yr", "ogrs2YearScore", "twoYears", "ogrsScore"});
  if (score == nullptr) {
    m.KeepExternal(
        "an OGRS score was determined; the event does not carry it (its producer "
        "serves it at detailUrl)");
    return;
  }
  const auto percent = Decimal(score->text);
  if (!percent) {
    m.Fail(PathOf(*score), Rule::kWrongType,
           fmt::format("expected a percentage, found {}", Quote(score->text)));
    return;
  }
  if (*percent < 0 || *percent > 100) {
    m.Fail(PathOf(*score), Rule::kRange, fmt::format("{}% is outside 0..100", *percent));
    return;
  }
  const auto whole = static_cast<std::int64_t>(std::lround(*percent));
  m.To("risk.assessed");
  m.Int("ogrs_2yr", whole, PathOf(*score));
  if (static_cast<double>(whole) != *percent)
    m.Inferred("ogrs_2yr", fmt::format("{}% rounded to {}%", *percent, whole));
}

constexpr TypeMapping kProbation[] = {
    {"probation-case.registration.added", "probation-case", &RegistrationAdded},
    {"probation-case.registration.updated", "probation-case", &RegistrationUpdated},
    {"probation-case.registration.deregistered", "probation-case", &RegistrationEnded},
    {"probation-case.registration.deleted", "probation-case", &RegistrationEnded},
    {"probation-case.merge.completed", "probation-case", &CaseMerged},
    {"probation-case.unmerge.completed", "probation-case", &CaseUnmerged},
    {"probation-case.prison-identifier.added", "probation-case", &PrisonIdentifierAdded},
    {"probation-case.risk-scores.ogrs.manual-calculation", "probation-case", &OgrsScore},
    {"risk-assessment.scores.ogrs.determined", "risk-assessment", &OgrsScore},
};

}  // namespace

std::span<const TypeMapping> ProbationMappings() { return kProbation; }

}  // namespace throughline::events::hmpps
