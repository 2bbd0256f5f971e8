// NOMIS movement reason codes, which the prison producers pass on as `nomisMovementReasonCode`,
// read for what the catalogue needs to know of a movement.
//
// NOMIS has hundreds of codes; these tables hold the ones whose meaning is settled (the
// reception screens of Welcome People into Prison and the release types that probation's own
// integration with NOMIS recognises). A code not here answers nullopt, and the caller chooses
// a default and flags it as inferred: a reception still happened, whatever its code.

#ifndef THROUGHLINE_EVENTS_HMPPS_NOMIS_CODES_H_
#define THROUGHLINE_EVENTS_HMPPS_NOMIS_CODES_H_

#include <optional>
#include <string_view>

#include "events/catalogue/custody.h"

namespace throughline::events::hmpps {

// Why a person was admitted: N remand, L/B/Y/ETRLR... recall, I/26/27... sentenced, E
// immigration.
std::optional<CustodyBasis> AdmissionBasis(std::string_view code);

// Why a person was released: CR/ECSL/PX... licence, HD... home detention curfew, DE...
// removed under the early removal scheme, BD immigration bail.
std::optional<ReleaseReason> ReleaseReasonOf(std::string_view code);

// What a temporary absence is for: RDR/ROR resettlement, CRL childcare, SPL special purpose,
// HP hospital.
std::optional<AbsenceKind> TemporaryAbsenceKindOf(std::string_view code);

}  // namespace throughline::events::hmpps

#endif  // THROUGHLINE_EVENTS_HMPPS_NOMIS_CODES_H_
