#include "projections/view_json.h"

#include <cmath>

#include "events/record_json.h"

namespace throughline::projections {

std::optional<double> ChargeToConvictionRate(const Counts& counts) {
  if (counts.charges == 0)
    return std::nullopt;
  return std::round(1000.0 * counts.convictions / counts.charges) / 1000.0;
}

void WriteViewJson(const PersonView& view, events::JsonWriter* w) {
  events::FieldJson f(w);
  w->BeginObject();
  f.Fields(view);
  w->Key("charge_to_conviction_rate");
  if (auto rate = ChargeToConvictionRate(view.counts)) {
    w->Double(*rate);
  } else {
    w->Null();
  }
  w->EndObject();
}

std::string ViewToJson(const PersonView& view) {
  events::JsonWriter w;
  WriteViewJson(view, &w);
  return w.Take();
}

void WriteAlertJson(const Alert& alert, events::JsonWriter* w) {
  events::WriteRecordJson(alert, w);
}

}  // namespace throughline::projections
