// The partnership events of the catalogue: IOM and MAPPA management, risk, intelligence,
// safeguarding and immigration.

#ifndef THROUGHLINE_EVENTS_CATALOGUE_PARTNERSHIP_H_
#define THROUGHLINE_EVENTS_CATALOGUE_PARTNERSHIP_H_

#include <optional>
#include <string>

#include "events/event_type.h"
#include "events/field_spec.h"

namespace throughline::events {

enum class IomCohort : std::uint8_t { kFixed = 1, kFlex = 2, kFree = 3 };
template <>
struct EnumInfo<IomCohort> {
  static constexpr std::string_view kWhat = "IOM cohort";
  static constexpr std::array kValues = {
      EnumValue{IomCohort::kFixed, "fixed"},
      EnumValue{IomCohort::kFlex, "flex"},
      EnumValue{IomCohort::kFree, "free"},
  };
};

// Shared by the OGRS band and RoSH.
enum class RiskLevel : std::uint8_t { kLow = 1, kMedium = 2, kHigh = 3, kVeryHigh = 4 };
template <>
struct EnumInfo<RiskLevel> {
  static constexpr std::string_view kWhat = "risk level";
  static constexpr std::array kValues = {
      EnumValue{RiskLevel::kLow, "low"},
      EnumValue{RiskLevel::kMedium, "medium"},
      EnumValue{RiskLevel::kHigh, "high"},
      EnumValue{RiskLevel::kVeryHigh, "very_high"},
  };
};

// The OGRS band of a 2-year percentage: 0-49 low, 50-74 medium, 75-89 high, 90+ very high.
constexpr RiskLevel OgrsBand(int percent) {
  if (percent >= 90)
    return RiskLevel::kVeryHigh;
  if (percent >= 75)
    return RiskLevel::kHigh;
  if (percent >= 50)
    return RiskLevel::kMedium;
  return RiskLevel::kLow;
}

enum class SafeguardingKind : std::uint8_t {
  kExploitation = 1,
  kCountyLines = 2,
  kModernSlavery = 3,
  kDomesticAbuse = 4,
  kChildProtection = 5,
};
template <>
struct EnumInfo<SafeguardingKind> {
  static constexpr std::string_view kWhat = "safeguarding concern";
  static constexpr std::array kValues = {
      EnumValue{SafeguardingKind::kExploitation, "exploitation"},
      EnumValue{SafeguardingKind::kCountyLines, "county_lines"},
      EnumValue{SafeguardingKind::kModernSlavery, "modern_slavery"},
      EnumValue{SafeguardingKind::kDomesticAbuse, "domestic_abuse"},
      EnumValue{SafeguardingKind::kChildProtection, "child_protection"},
  };
};

enum class ImmigrationStatus : std::uint8_t {
  kForeignNationalOffender = 1,
  kDeportationOrder = 2,
  kRemoved = 3,
};
template <>
struct EnumInfo<ImmigrationStatus> {
  static constexpr std::string_view kWhat = "immigration status";
  static constexpr std::array kValues = {
      EnumValue{ImmigrationStatus::kForeignNationalOffender, "foreign_national_offender"},
      EnumValue{ImmigrationStatus::kDeportationOrder, "deportation_order"},
      EnumValue{ImmigrationStatus::kRemoved, "removed"},
  };
};

struct IomAdopted {
  static constexpr TypeInfo kInfo = {
      EventType::kIomAdopted, "iom.adopted",       1,
      Area::kPartnership,     DataClass::kGeneral, "The person was adopted onto the IOM cohort."};
  IomCohort cohort{};
  std::string selection_reason;

  template <class V>
  static void Fields(V& v) {
    v(&IomAdopted::cohort, {.name = "cohort", .doc = "IOM cohort"});
    v(&IomAdopted::selection_reason, {.name = "selection_reason", .doc = "why selected"});
  }
  bool operator==(const IomAdopted&) const = default;
};

struct IomExited {
  static constexpr TypeInfo kInfo = {
      EventType::kIomExited, "iom.exited",        1,
      Area::kPartnership,    DataClass::kGeneral, "The person left the IOM cohort."};
  std::optional<std::string> reason;

  template <class V>
  static void Fields(V& v) {
    v(&IomExited::reason, {.name = "reason", .doc = "why"});
  }
  bool operator==(const IomExited&) const = default;
};

struct MappaRegistered {
  static constexpr TypeInfo kInfo = {EventType::kMappaRegistered,
                                     "mappa.registered",
                                     1,
                                     Area::kPartnership,
                                     DataClass::kGeneral,
                                     "The person was registered for MAPPA management."};
  std::int32_t category = 0;
  std::int32_t level = 0;
  std::string area;

  template <class V>
  static void Fields(V& v) {
    v(&MappaRegistered::category,
      {.name = "category", .doc = "MAPPA category", .min = 1, .max = 4});
    v(&MappaRegistered::level, {.name = "level", .doc = "management level", .min = 1, .max = 3});
    v(&MappaRegistered::area, {.name = "area", .doc = "MAPPA area", .format = Format::kName});
  }
  bool operator==(const MappaRegistered&) const = default;
};

struct MappaLevelChanged {
  static constexpr TypeInfo kInfo = {
      EventType::kMappaLevelChanged,
      "mappa.level_changed",
      1,
      Area::kPartnership,
      DataClass::kGeneral,
      "The MAPPA level (or category) of a registered person changed."};
  std::int32_t level = 0;
  std::optional<std::int32_t> category;

  template <class V>
  static void Fields(V& v) {
    v(&MappaLevelChanged::level, {.name = "level", .doc = "new level", .min = 1, .max = 3});
    v(&MappaLevelChanged::category,
      {.name = "category", .doc = "new category, when it changed", .min = 1, .max = 4});
  }
  bool operator==(const MappaLevelChanged&) const = default;
};

struct MappaDeregistered {
  static constexpr TypeInfo kInfo = {EventType::kMappaDeregistered,
                                     "mappa.deregistered",
                                     1,
                                     Area::kPartnership,
                                     DataClass::kGeneral,
                                     "The person is no longer managed under MAPPA."};
  std::optional<std::string> reason;

  template <class V>
  static void Fields(V& v) {
    v(&MappaDeregistered::reason, {.name = "reason", .doc = "why"});
  }
  bool operator==(const MappaDeregistered&) const = default;
};

struct RiskAssessed {
  static constexpr TypeInfo kInfo = {EventType::kRiskAssessed,
                                     "risk.assessed",
                                     1,
                                     Area::kPartnership,
                                     DataClass::kOffences,
                                     "A risk assessment: OGRS reoffending score and/or RoSH."};
  std::optional<std::int32_t> ogrs_2yr;
  std::optional<RiskLevel> ogrs_band;
  std::optional<RiskLevel> rosh;

  template <class V>
  static void Fields(V& v) {
    v(&RiskAssessed::ogrs_2yr,
      {.name = "ogrs_2yr", .doc = "OGRS 2-year reoffending probability, %", .min = 0, .max = 100});
    v(&RiskAssessed::ogrs_band, {.name = "ogrs_band",
                                 .doc = "band of ogrs_2yr: 0-49 low, 50-74 medium, 75-89 high, 90+ "
                                        "very_high; must agree with it"});
    v(&RiskAssessed::rosh, {.name = "rosh", .doc = "risk of serious harm"});
  }
  static void Check(const RiskAssessed& r, CheckContext& c);
  bool operator==(const RiskAssessed&) const = default;
};

struct OcgLinked {
  static constexpr TypeInfo kInfo = {EventType::kOcgLinked,
                                     "intelligence.ocg_linked",
                                     1,
                                     Area::kPartnership,
                                     DataClass::kIntelligence,
                                     "Intelligence links the person to an organised crime group."};
  std::string ocg_ref;
  std::optional<std::string> role;

  template <class V>
  static void Fields(V& v) {
    v(&OcgLinked::ocg_ref,
      {.name = "ocg_ref", .doc = "the group's reference", .format = Format::kId});
    v(&OcgLinked::role,
      {.name = "role", .doc = "the person's role in it", .format = Format::kName});
  }
  bool operator==(const OcgLinked&) const = default;
};

struct OcgUnlinked {
  static constexpr TypeInfo kInfo = {EventType::kOcgUnlinked,
                                     "intelligence.ocg_unlinked",
                                     1,
                                     Area::kPartnership,
                                     DataClass::kIntelligence,
                                     "A link to an organised crime group no longer stands."};
  std::string ocg_ref;
  std::optional<std::string> reason;

  template <class V>
  static void Fields(V& v) {
    v(&OcgUnlinked::ocg_ref,
      {.name = "ocg_ref", .doc = "the group's reference", .format = Format::kId});
    v(&OcgUnlinked::reason, {.name = "reason", .doc = "why"});
  }
  bool operator==(const OcgUnlinked&) const = default;
};

struct SafeguardingConcernRaised {
  static constexpr TypeInfo kInfo = {EventType::kSafeguardingConcernRaised,
                                     "safeguarding.concern_raised",
                                     1,
                                     Area::kPartnership,
                                     DataClass::kSafeguarding,
                                     "A partner raised a safeguarding concern about the person."};
  SafeguardingKind kind{};
  std::optional<std::string> raised_by;
  std::optional<std::string> description;

  template <class V>
  static void Fields(V& v) {
    v(&SafeguardingConcernRaised::kind, {.name = "kind", .doc = "the concern"});
    v(&SafeguardingConcernRaised::raised_by,
      {.name = "raised_by", .doc = "agency that raised it", .format = Format::kName});
    v(&SafeguardingConcernRaised::description, {.name = "description", .doc = "details"});
  }
  bool operator==(const SafeguardingConcernRaised&) const = default;
};

struct ImmigrationStatusChanged {
  static constexpr TypeInfo kInfo = {EventType::kImmigrationStatusChanged,
                                     "immigration.status_changed",
                                     1,
                                     Area::kPartnership,
                                     DataClass::kGeneral,
                                     "Immigration Enforcement recorded a decision or status."};
  ImmigrationStatus status{};
  std::optional<std::string> reference;

  template <class V>
  static void Fields(V& v) {
    v(&ImmigrationStatusChanged::status, {.name = "status", .doc = "the new status"});
    v(&ImmigrationStatusChanged::reference,
      {.name = "reference", .doc = "Home Office reference", .format = Format::kId});
  }
  bool operator==(const ImmigrationStatusChanged&) const = default;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CATALOGUE_PARTNERSHIP_H_
