#include "projections/view_json.h"

#include <cmath>

#include "events/record_json.h"

namespace throughline::projections {

std::optional<double> ChargeToConvictionRate(const Counts& counts) {
  if (counts.charges == 0)
    return std::nullopt;
  return std::round(1000.0 * counts.convictions / counts.charges) / 1000.0;
}

void WriteViewJson(const PersonView& view, events::JsonWriter* w,
                   const events::FieldJson::Omit& omit) {
  events::FieldJson f(w, omit);
  w->BeginObject();
  f.Fields(view);
  if (!f.Omitted("counts")) {
    w->Key("charge_to_conviction_rate");
    if (auto rate = ChargeToConvictionRate(view.counts)) {
      w->Double(*rate);
    } else {
      w->Null();
    }
  }
  w->EndObject();
}

std::string ViewToJson(const PersonView& view) {
  events::JsonWriter w;
  WriteViewJson(view, &w);
  return w.Take();
}

void WritePersonSummaryJson(const PersonView& v, events::JsonWriter* w,
                            const events::FieldJson::Omit& omit) {
  // Each member is written with its own path as the root, as the view's would be.
  auto member = [&](std::string_view key, const auto& record) {
    if (omit && omit(key))
      return;
    w->Key(key);
    events::FieldJson(w, [&](std::string_view path) {
      return omit && omit(std::string(key) + "." + std::string(path));
    }).Object(record);
  };
  events::FieldJson f(w);
  w->BeginObject();
  w->Key("person");
  w->Int(static_cast<std::int64_t>(v.person));
  w->Key("identifiers");
  w->BeginArray();
  for (const auto& id : v.identifiers)
    f.Object(id);
  w->EndArray();
  w->Key("stage");
  w->String(events::EnumName(v.stage));
  if (v.custody)
    member("custody", *v.custody);
  if (v.iom)
    member("iom", *v.iom);
  if (v.mappa)
    member("mappa", *v.mappa);
  if (v.risk)
    member("risk", *v.risk);
  member("flags", v.flags);
  if (v.custody && v.custody->basis == events::CustodyBasis::kSentenced && v.sentence &&
      v.sentence->kind == events::SentenceKind::kImmediateCustody &&
      v.sentence->expected_release_date && !(omit && omit("sentence"))) {
    w->Key("expected_release_date");
    w->String(events::FormatDate(*v.sentence->expected_release_date));
  }
  if (v.licence)
    member("licence", *v.licence);
  w->EndObject();
}

void WriteAlertJson(const Alert& alert, events::JsonWriter* w) {
  events::WriteRecordJson(alert, w);
}

}  // namespace throughline::projections
