// Redaction: what a caller's data classes (access.h) let them see of a person's view, an event,
// an alert or a cohort, as docs/access.md tables it. Pure functions of the data and the classes.
//
// Redacted information is absent, never false or zero: a housing officer's copy of a view has
// no `counts` and no `flags.ocg_linked` at all, rather than counts of 0 or "not linked".

#ifndef THROUGHLINE_SERVICES_REDACTION_H_
#define THROUGHLINE_SERVICES_REDACTION_H_

#include "events/event.h"
#include "events/record_json.h"
#include "projections/alert.h"
#include "projections/person_view.h"
#include "services/access.h"
#include "services/cohort_query.h"

namespace throughline::services {

// The class of what an event says: the type, and for interventions their kind.
DataClass EventClass(const events::Event& event);
inline bool MaySee(DataClasses classes, const events::Event& event) {
  return Allows(classes, EventClass(event));
}
// Members of `data` of a visible event to leave out (licence conditions and order requirements
// without the offences class).
events::FieldJson::Omit EventOmit(DataClasses classes);

// The view with list items the classes do not reach taken out (interventions of a health or
// safeguarding kind); write it with ViewOmit.
projections::PersonView RedactView(projections::PersonView view, DataClasses classes);
// Members of a view to leave out, by path.
events::FieldJson::Omit ViewOmit(DataClasses classes);

// The classes an alert needs: all of them to see it.
DataClasses AlertClasses(const projections::Alert& alert);
inline bool MaySee(DataClasses classes, const projections::Alert& alert) {
  const DataClasses needed = AlertClasses(alert);
  return (classes & needed) == needed;
}

// The cohorts: a prison roll, releases and licence lists are general; membership of the IOM
// cohort or a MAPPA level says something of the offending.
DataClass CohortClass(CohortKind kind);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_REDACTION_H_
