// Cohort queries: the people a team manages, read from the cohort indexes the projector keeps
// (projections/cohorts.h), one page at a time, each with their stored view.
//
//   prison roll      everyone held in one prison now, with IOM / MAPPA / OCG / FN flags
//   iom              the IOM cohort
//   mappa            MAPPA nominals, of one level or all
//   releases         people in custody whose expected release date falls in [from, from + days)
//   licence          people on licence, in one probation area or all
//
// Pages follow key order; `after` is the cursor a page returns. Thread-safe (RocksDB reads).

#ifndef THROUGHLINE_SERVICES_COHORT_QUERY_H_
#define THROUGHLINE_SERVICES_COHORT_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/calendar.h"
#include "events/status.h"
#include "projections/person_view.h"
#include "services/event_store.h"

namespace throughline::services {

enum class CohortKind { kPrison, kIom, kMappa, kReleases, kLicence };

struct CohortQuery {
  CohortKind kind = CohortKind::kIom;
  std::string prison{};  // kPrison: the agency code, e.g. CFI
  int level = 0;         // kMappa: 1-3, or 0 for every level
  events::Date from{};   // kReleases: the first day
  int within_days = 28;
  std::string area{};   // kLicence: the probation area, or "" for every area
  std::string after{};  // the cursor of the previous page; "" for the first
  std::size_t limit = 100;
  // Members are shown, and checked against the cohort, as their views stand at this moment
  // (projections::AgeTo): a licence that ran out with nothing published since is not a
  // licence. Absent: as stored.
  std::optional<events::Timestamp> as_at{};
};

struct CohortPage {
  std::vector<projections::PersonView> persons;
  std::string next;  // cursor of the next page; "" when this is the last
};

// InvalidArgument for a query that names nothing (a prison code that is not one, a level
// outside 0-3); Corruption when a stored view does not decode.
Result<CohortPage> QueryCohort(const EventStore& store, const CohortQuery& query);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_COHORT_QUERY_H_
