#include "services/subscription.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "events/event_codec.h"
#include "events/event_json.h"
#include "events/json_writer.h"
#include "projections/view_json.h"
#include "services/person_ref.h"
#include "services/projection_reader.h"
#include "services/redaction.h"

namespace throughline::services {

namespace {

// "a,b,c" -> {"a", "b", "c"}, empty items left out.
std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty())
      out.push_back(item);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

bool IsEventType(const std::string& name) {
  for (const events::TypeInfo* info : events::AllTypeInfos()) {
    if (info->name == name)
      return true;
  }
  return false;
}

// Whether the person's current view passes the filter's prison and cohort.
bool ViewPasses(const SubscriptionFilter& filter, const projections::PersonView* view) {
  if (!filter.prison.empty() && (!view || !view->custody || view->custody->prison != filter.prison))
    return false;
  if (filter.cohort == CohortKind::kIom && (!view || !view->iom))
    return false;
  if (filter.cohort == CohortKind::kMappa && (!view || !view->mappa))
    return false;
  return true;
}

}  // namespace

Result<SubscriptionPlan> PlanSubscription(const HttpTarget& target, const EventStore& store,
                                          const Caller& caller) {
  SubscriptionPlan plan;
  const std::uint64_t end = store.state().next_sequence;
  if (target.Has("from")) {
    const std::string from = target.Param("from");
    std::uint64_t n = 0;
    const auto [p, ec] = std::from_chars(from.data(), from.data() + from.size(), n);
    if (from.empty() || ec != std::errc() || p != from.data() + from.size() || n == 0) {
      return Status::InvalidArgument(
          fmt::format("from: \"{}\" is not a log sequence (1, 2, ...)", from));
    }
    plan.from = n;
  } else {
    plan.from = end;
  }
  for (const auto& ref : SplitList(target.Param("persons"))) {
    auto person = FindPersonByRef(store, ref);
    if (!person.ok())
      return person.status();
    plan.filter.persons.insert(*person);
  }
  if (plan.filter.persons.size() > 1000)
    return Status::InvalidArgument("persons: at most 1000");
  std::string prison = target.Param("prison");
  for (char& ch : prison)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (!prison.empty() &&
      (prison.size() != 3 || !std::all_of(prison.begin(), prison.end(),
                                          [](char ch) { return ch >= 'A' && ch <= 'Z'; }))) {
    return Status::InvalidArgument(
        fmt::format("prison: \"{}\" is not a prison agency code", target.Param("prison")));
  }
  plan.filter.prison = prison;
  const std::string cohort = target.Param("cohort");
  if (cohort == "iom") {
    plan.filter.cohort = CohortKind::kIom;
  } else if (cohort == "mappa") {
    plan.filter.cohort = CohortKind::kMappa;
  } else if (!cohort.empty()) {
    return Status::InvalidArgument(fmt::format("cohort: \"{}\" is not iom or mappa", cohort));
  }
  if (plan.filter.cohort && !caller.Allows(CohortClass(*plan.filter.cohort))) {
    return Status::Aborted(
        fmt::format("your role ({}) may not follow the {} cohort", caller.role->name, cohort));
  }
  for (const auto& type : SplitList(target.Param("types"))) {
    if (!IsEventType(type))
      return Status::InvalidArgument(fmt::format("types: \"{}\" is not an event type", type));
    plan.filter.types.insert(type);
  }
  const std::string alerts = target.Param("alerts");
  if (alerts == "only") {
    plan.filter.alerts_only = true;
  } else if (!alerts.empty()) {
    return Status::InvalidArgument("alerts: the only value is \"only\"");
  }
  return plan;
}

namespace {

// The alerts the change raised that are up at `now` and `classes` may see.
std::vector<const projections::Alert*> RaisedAlerts(const LogChange& change, DataClasses classes,
                                                    events::Timestamp now) {
  std::vector<const projections::Alert*> alerts;
  if (change.state) {
    for (const auto& a : change.state->alerts) {
      if (a.sequence == change.sequence && projections::IsRaised(a, now) && MaySee(classes, a))
        alerts.push_back(&a);
    }
  }
  return alerts;
}

}  // namespace

bool ChangeMayPass(const LogChange& change, const SubscriptionFilter& filter,
                   const Caller& caller) {
  return MaySee(caller.role->classes, change.event) &&
         (filter.types.empty() || filter.types.count(std::string(change.event.type_name()))) &&
         (filter.persons.empty() || filter.persons.count(change.person));
}

bool ChangePasses(const LogChange& change, const SubscriptionFilter& filter, const Caller& caller,
                  events::Timestamp now) {
  const DataClasses classes = caller.role->classes;
  if (!ChangeMayPass(change, filter, caller))
    return false;
  if (!ViewPasses(filter, change.state ? &change.state->view : nullptr))
    return false;
  return !filter.alerts_only || !RaisedAlerts(change, classes, now).empty();
}

std::string ChangeMessage(const LogChange& change, DataClasses classes, events::Timestamp now) {
  events::JsonWriter w;
  w.BeginObject();
  w.Key("type");
  w.String("change");
  w.Key("sequence");
  w.Int(static_cast<std::int64_t>(change.sequence));
  w.Key("person");
  w.Int(static_cast<std::int64_t>(change.person));
  w.Key("event");
  events::WriteEventJson(change.event, &w, EventOmit(classes));
  if (change.state) {
    projections::ProjectionState aged{RedactView(change.state->view, classes), {}};
    projections::AgeTo(&aged, now);
    w.Key("view");
    projections::WritePersonSummaryJson(aged.view, &w, ViewOmit(classes));
  }
  w.Key("alerts");
  w.BeginArray();
  for (const auto* a : RaisedAlerts(change, classes, now))
    projections::WriteAlertJson(*a, &w);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string AlertMessage(const EventStore& store, const SubscriptionFilter& filter,
                         const Caller& caller, const projections::Alert& alert) {
  if (!MaySee(caller.role->classes, alert))
    return "";
  if (!filter.persons.empty() && !filter.persons.count(alert.person))
    return "";
  if (!filter.prison.empty() || filter.cohort) {
    auto state = ReadProjection(store, alert.person);
    if (!ViewPasses(filter, state.ok() ? &state->view : nullptr))
      return "";
  }
  events::JsonWriter w;
  w.BeginObject();
  w.Key("type");
  w.String("alert");
  w.Key("alert");
  projections::WriteAlertJson(alert, &w);
  w.EndObject();
  return w.Take();
}

std::string CaughtUpMessage(std::uint64_t sequence) {
  return fmt::format(R"({{"type":"caught_up","sequence":{}}})", sequence);
}

std::string PositionMessage(std::uint64_t sequence) {
  return fmt::format(R"({{"type":"position","sequence":{}}})", sequence);
}

}  // namespace throughline::services
