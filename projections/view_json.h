// A person's view as JSON, for the API and the command line: the view's fields
// (events/record_json.h), plus what is computed from them (the charge-to-conviction rate).

#ifndef THROUGHLINE_PROJECTIONS_VIEW_JSON_H_
#define THROUGHLINE_PROJECTIONS_VIEW_JSON_H_

#include <optional>
#include <string>

#include "events/json_writer.h"
#include "events/record_json.h"
#include "projections/alert.h"
#include "projections/person_view.h"

namespace throughline::projections {

// Convictions / charges to 3 decimal places; nullopt when there are no charges.
std::optional<double> ChargeToConvictionRate(const Counts& counts);

// `omit` leaves members out by path (events/record_json.h): how readers redact. The rate is
// left out with "counts".
void WriteViewJson(const PersonView& view, events::JsonWriter* w,
                   const events::FieldJson::Omit& omit = {});
std::string ViewToJson(const PersonView& view);

// What a cohort list shows of each person: who they are, where they are, and how they are
// managed (identifiers, stage, custody, IOM, MAPPA, risk, flags, expected release, licence).
void WritePersonSummaryJson(const PersonView& view, events::JsonWriter* w,
                            const events::FieldJson::Omit& omit = {});

void WriteAlertJson(const Alert& alert, events::JsonWriter* w);

}  // namespace throughline::projections

#endif  // THROUGHLINE_PROJECTIONS_VIEW_JSON_H_
