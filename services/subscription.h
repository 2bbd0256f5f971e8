// Subscriptions: what a live subscriber (GET /v1/subscribe, a WebSocket) asked for, and the
// messages it is sent (docs/api.md, "Subscriptions").
//
// A subscription is a cursor over the log: from `from` (default: the end), every record that
// passes the filter becomes one "change" message, in log order, redacted to the caller. So a
// subscriber that reconnects with from = its last delivered sequence + 1 misses nothing and
// sees nothing twice; and a slow one costs a cursor, not a queue, so it can never hold ingest
// up. Alerts raised later by the clock (a licence that did not start in time) are sent live as
// "alert" messages; after a reconnect they are in GET /v1/alerts.
//
//   {"type":"change","sequence":N,"person":P,"event":{...},"view":{summary},"alerts":[...]}
//   {"type":"alert","alert":{...}}
//   {"type":"caught_up","sequence":N}   once, when the cursor first reaches the end of the log
//   {"type":"position","sequence":N}    now and then: nothing up to N passed the filter

#ifndef THROUGHLINE_SERVICES_SUBSCRIPTION_H_
#define THROUGHLINE_SERVICES_SUBSCRIPTION_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "events/status.h"
#include "projections/alert.h"
#include "services/access.h"
#include "services/cohort_query.h"
#include "services/event_store.h"
#include "services/http_target.h"
#include "services/log_changes.h"

namespace throughline::services {

struct SubscriptionFilter {
  std::set<std::uint64_t> persons;   // persons=pnc:...,id:42; empty: everyone
  std::string prison;                // prison=CFI: people held there now
  std::optional<CohortKind> cohort;  // cohort=iom|mappa
  std::set<std::string> types;       // types=custody.received,licence.recalled
  bool alerts_only = false;          // alerts=only
};

struct SubscriptionPlan {
  SubscriptionFilter filter;
  std::uint64_t from = 0;  // the first sequence to send
};

// From the query of the upgrade request; InvalidArgument naming the parameter, NotFound for a
// person nobody has, a 403-worthy Aborted when the caller's role may not follow that cohort.
Result<SubscriptionPlan> PlanSubscription(const HttpTarget& target, const EventStore& store,
                                          const Caller& caller);

// Whether a change passes the filter and the caller's need to know, at `now` (an alerts=only
// filter asks for an alert raised by the change and visible to the caller).
bool ChangePasses(const LogChange& change, const SubscriptionFilter& filter, const Caller& caller,
                  events::Timestamp now);
// The part of ChangePasses that needs no state (the caller's need to know, types, persons): a
// change it refuses is not worth reading the person's state for.
bool ChangeMayPass(const LogChange& change, const SubscriptionFilter& filter, const Caller& caller);

// The "change" message, redacted to `classes`: the same for every caller with those classes, so
// that one rendering serves them all (change_window.h).
std::string ChangeMessage(const LogChange& change, DataClasses classes, events::Timestamp now);

// A time-based alert raised by the clock, or "" when the filter or need to know leaves it out.
std::string AlertMessage(const EventStore& store, const SubscriptionFilter& filter,
                         const Caller& caller, const projections::Alert& alert);

std::string CaughtUpMessage(std::uint64_t sequence);
// Nothing up to `sequence` passed the filter: resume after it.
std::string PositionMessage(std::uint64_t sequence);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_SUBSCRIPTION_H_
