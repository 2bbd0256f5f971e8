// The HTTP API as a function: Route(request, models) -> response (docs/api.md). No sockets,
// no threads of its own: the server (http_server.h) parses, calls Route, and writes; tests call
// Route directly.
//
// Every /v1 request is authenticated (access.h), checked against the caller's role, answered
// redacted to the caller's data classes (redaction.h), and written to the audit log with its
// outcome, refusals included. Errors are JSON:
//
//   {"error":{"status":400,"code":"invalid_argument","message":"...","path":"as_of"}}
//
// A 401 or 403 is decided before anything is looked up, so it never says whether a person
// exists.

#ifndef THROUGHLINE_SERVICES_API_ROUTER_H_
#define THROUGHLINE_SERVICES_API_ROUTER_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "events/status.h"
#include "services/access.h"
#include "services/audit_log.h"
#include "services/clock.h"
#include "services/event_store.h"
#include "services/http_message.h"
#include "services/http_target.h"
#include "services/readiness.h"

namespace throughline::services {

// What the router reads. Not owned; each must be safe to use from any thread.
struct ReadModels {
  const EventStore* store = nullptr;
  const Authenticator* tokens = nullptr;
  AuditLog* audit = nullptr;  // null: nothing is audited (tests of routing alone)
  const Clock* clock = nullptr;
  std::function<std::string()> metrics;  // Prometheus text for /metrics
  std::function<Readiness()> readiness;  // for /readyz
};

HttpResponse Route(const HttpRequest& request, const ReadModels& models);

// The JSON error body and status.
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                           std::string_view path = "");

// The caller of a /v1 request, or the 401 to answer (audited). A bearer token comes in the
// Authorization header; a WebSocket upgrade may carry it as ?access_token= instead, because
// browsers cannot set headers on one.
struct Authenticated {
  std::optional<Caller> caller;
  HttpResponse refusal;
};
Authenticated Authenticate(const HttpRequest& request, const HttpTarget& target,
                           const ReadModels& models, std::string_view action);

// Appends one audit record for a request (no-op without an audit log).
void Audit(const ReadModels& models, const Caller* caller, std::string_view action,
           std::string_view target, std::uint64_t person, int status, const HttpRequest& request,
           std::optional<events::Timestamp> as_of = std::nullopt,
           std::string_view as_known_at = "");

// Audits a refusal decided before, or without, authentication (a target that does not parse,
// a method not served, a request the server could not read, a cap): the caller is the
// request's bearer token when it is valid, else none.
void AuditRefusal(const ReadModels& models, const HttpRequest& request, std::string_view action,
                  std::string_view target, int status);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_API_ROUTER_H_
