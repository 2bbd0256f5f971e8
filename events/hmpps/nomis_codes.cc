#include "events/hmpps/nomis_codes.h"

#include <utility>

namespace throughline::events::hmpps {

namespace {

template <class T, std::size_t N>
std::optional<T> Look(const std::pair<std::string_view, T> (&table)[N], std::string_view code) {
  for (const auto& [c, value] : table) {
    if (c == code)
      return value;
  }
  return std::nullopt;
}

using B = CustodyBasis;
constexpr std::pair<std::string_view, B> kAdmission[] = {
    // Remanded: unconvicted (N), or convicted and awaiting sentence (V).
    {"N", B::kRemand},
    {"V", B::kRemand},
    // Recalled: from licence (L), home detention curfew (B), a detention and training order
    // (Y), emergency temporary release (ETRLR, ETRRIE, ETRB), the early removal scheme (ETB),
    // home leave (H), intermittent custody (24).
    {"L", B::kRecall},
    {"B", B::kRecall},
    {"Y", B::kRecall},
    {"ETRLR", B::kRecall},
    {"ETRRIE", B::kRecall},
    {"ETRB", B::kRecall},
    {"ETB", B::kRecall},
    {"H", B::kRecall},
    {"24", B::kRecall},
    // Sentenced: imprisonment (I), extended (26), intermittent (INTER), partly suspended (P),
    // custody for life (27, 29), detained at His Majesty's pleasure (J), for public protection
    // (25), young offender institution (W), civil committal (C), fine default (F).
    {"I", B::kSentenced},
    {"26", B::kSentenced},
    {"INTER", B::kSentenced},
    {"P", B::kSentenced},
    {"27", B::kSentenced},
    {"29", B::kSentenced},
    {"J", B::kSentenced},
    {"25", B::kSentenced},
    {"W", B::kSentenced},
    {"C", B::kSentenced},
    {"F", B::kSentenced},
    // Detained under immigration powers.
    {"E", B::kImmigration},
};

using R = ReleaseReason;
constexpr std::pair<std::string_view, R> kRelease[] = {
    // Conditional release, automatic release, fixed-term recall ends, end of custody
    // supervised licence, parole, detention and training orders, release after recall.
    {"CR", R::kLicence},
    {"CE", R::kLicence},
    {"AR", R::kLicence},
    {"FR1", R::kLicence},
    {"FR2", R::kLicence},
    {"ECSL", R::kLicence},
    {"ECSLIRC", R::kLicence},
    {"PX", R::kLicence},
    {"D1", R::kLicence},
    {"D2", R::kLicence},
    {"PD", R::kLicence},
    // Home detention curfew.
    {"HD", R::kHomeDetentionCurfew},
    {"HE", R::kHomeDetentionCurfew},
    {"HR", R::kHomeDetentionCurfew},
    {"HU", R::kHomeDetentionCurfew},
    // Removed from the UK under the early removal scheme, or deported.
    {"DE", R::kDeported},
    {"DEIRC", R::kDeported},
    {"DL", R::kDeported},
    {"DD", R::kDeported},
    {"ETR", R::kDeported},
    // Immigration bail.
    {"BD", R::kBail},
};

using A = AbsenceKind;
constexpr std::pair<std::string_view, A> kAbsence[] = {
    {"RDR", A::kResettlementDayRelease},
    {"ROR", A::kResettlementOvernightRelease},
    {"CRL", A::kChildcareResettlementLeave},
    {"SPL", A::kSpecialPurposeLicence},
    {"HP", A::kHospital},
};

}  // namespace

std::optional<CustodyBasis> AdmissionBasis(std::string_view code) { return Look(kAdmission, code); }

std::optional<ReleaseReason> ReleaseReasonOf(std::string_view code) { return Look(kRelease, code); }

std::optional<AbsenceKind> TemporaryAbsenceKindOf(std::string_view code) {
  return Look(kAbsence, code);
}

}  // namespace throughline::events::hmpps
