#include "services/api_router.h"

#include <charconv>
#include <chrono>

#include <fmt/format.h>

#include "events/event_codec.h"
#include "events/event_json.h"
#include "projections/as_of.h"
#include "projections/view_json.h"
#include "services/cohort_query.h"
#include "services/person_ref.h"
#include "services/person_reply.h"
#include "services/projection_reader.h"
#include "services/redaction.h"
#include "services/store_admin.h"
#include "services/store_stats.h"
#include "services/web_assets.h"

namespace throughline::services {

namespace {

constexpr std::size_t kMaxReasonBytes = 500;

// X-Reason, percent-decoded when it decodes to UTF-8 (a header is Latin-1 on the wire: a
// browser sends other text percent-encoded).
std::string ReasonOf(const HttpRequest& request) {
  const std::string& raw = request.Header("x-reason");
  if (raw.find('%') == std::string::npos)
    return raw;
  auto decoded = PercentDecode(raw, false);
  return decoded.ok() ? *decoded : raw;
}

std::string_view CodeOf(const Status& s) {
  if (s.IsNotFound())
    return "not_found";
  if (s.IsInvalidArgument())
    return "invalid_argument";
  if (s.IsNotSupported())
    return "not_supported";
  if (s.IsBusy())
    return "busy";
  return "internal";
}

int HttpStatusOf(const Status& s) {
  if (s.IsNotFound())
    return 404;
  if (s.IsInvalidArgument())
    return 400;
  if (s.IsBusy())
    return 503;
  return 500;
}

HttpResponse FromStatus(const Status& s, std::string_view path = "") {
  return ErrorResponse(HttpStatusOf(s), CodeOf(s), s.message(), path);
}

HttpResponse Json(events::JsonWriter&& w) {
  HttpResponse r;
  r.body = w.Take();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// An unsigned query parameter in [min, max], or `otherwise` when absent.
Result<std::uint64_t> Number(const HttpTarget& t, std::string_view name, std::uint64_t otherwise,
                             std::uint64_t min, std::uint64_t max) {
  if (!t.Has(name))
    return otherwise;
  const std::string text = t.Param(name);
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < min || n > max) {
    return Status::InvalidArgument(
        fmt::format("{}: \"{}\" is not a whole number from {} to {}", name, text, min, max));
  }
  return n;
}

// The parts of a request every handler needs.
struct Context {
  const HttpRequest& request;
  const HttpTarget& target;
  const ReadModels& models;
  const Caller& caller;
  DataClasses classes() const { return caller.role->classes; }
  events::Timestamp now() const { return models.clock->Now(); }
  std::uint64_t position() const { return models.store->state().next_sequence - 1; }
};

HttpResponse Forbidden(const Context& c, std::string_view action, std::string_view what,
                       std::string_view target) {
  Audit(c.models, &c.caller, action, target, 0, 403, c.request);
  return ErrorResponse(403, "forbidden",
                       fmt::format("your role ({}) may not {}", c.caller.role->name, what));
}

HttpResponse Refused(const Context& c, std::string_view action, std::string_view target,
                     const HttpResponse& response, std::uint64_t person = 0) {
  Audit(c.models, &c.caller, action, target, person, response.status, c.request);
  return response;
}

// GET /v1/persons/{ref} and /v1/persons/{ref}/timeline.
HttpResponse Person(const Context& c, const std::string& ref, bool timeline) {
  const bool bitemporal = c.target.Has("as_of") || c.target.Has("as_known_at");
  const std::string_view action = bitemporal ? "replay" : timeline ? "timeline" : "view";
  if (!c.caller.role->read_persons)
    return Forbidden(c, action, "read a person's record", ref);
  if (bitemporal && !timeline) {
    return Refused(c, action, ref,
                   ErrorResponse(400, "invalid_argument",
                                 "as_of and as_known_at go on the timeline: "
                                 "/v1/persons/{ref}/timeline?as_of=...",
                                 "as_of"));
  }
  PersonQuery query;
  query.timeline = timeline;
  if (bitemporal) {
    if (!c.caller.role->replay)
      return Forbidden(c, action, "replay a record as it stood or was known", ref);
    const std::string reason = ReasonOf(c.request);
    if (reason.empty() || reason.size() > kMaxReasonBytes) {
      return Refused(c, action, ref,
                     ErrorResponse(400, "invalid_argument",
                                   fmt::format("a replay needs its reason in the X-Reason header "
                                               "(up to {} bytes): it is kept in the audit log",
                                               kMaxReasonBytes),
                                   "X-Reason"));
    }
    if (c.target.Has("as_of")) {
      auto as_of = projections::ParseAsOf(c.target.Param("as_of"));
      if (!as_of.ok())
        return Refused(c, action, ref, FromStatus(as_of.status(), "as_of"));
      query.as_of = *as_of;
    }
    if (c.target.Has("as_known_at")) {
      auto known = projections::ParseKnowledge(c.target.Param("as_known_at"));
      if (!known.ok())
        return Refused(c, action, ref, FromStatus(known.status(), "as_known_at"));
      query.known = *known;
    }
  }
  auto person = FindPersonByRef(*c.models.store, ref);
  if (!person.ok())
    return Refused(c, action, ref, FromStatus(person.status(), "person"));
  query.person = *person;
  auto reply = ReadPerson(*c.models.store, query, c.now());
  if (!reply.ok())
    return Refused(c, action, ref, FromStatus(reply.status(), "person"), *person);
  Audit(c.models, &c.caller, action, ref, *person, 200, c.request, query.as_of,
        c.target.Param("as_known_at"));
  events::JsonWriter w;
  WritePersonReplyJson(*reply, c.classes(), &w);
  return Json(std::move(w));
}

HttpResponse NoSuchCohort() {
  return ErrorResponse(404, "not_found",
                       "no such cohort: prisons/{code}, iom, mappa, releases or licence");
}

// GET /v1/cohorts/...
HttpResponse Cohort(const Context& c, const std::vector<std::string>& segments) {
  CohortQuery query;
  std::string name;
  const std::string kind = segments.size() > 2 ? segments[2] : "";
  if (kind == "prisons" && segments.size() == 4) {
    query.kind = CohortKind::kPrison;
    query.prison = segments[3];
    name = "prison " + segments[3];
  } else if (segments.size() != 3) {
    return Refused(c, "cohort", "cohort " + kind, NoSuchCohort());
  } else if (kind == "iom") {
    query.kind = CohortKind::kIom;
    name = "iom";
  } else if (kind == "mappa") {
    query.kind = CohortKind::kMappa;
    name = "mappa";
  } else if (kind == "releases") {
    query.kind = CohortKind::kReleases;
    name = "releases";
  } else if (kind == "licence") {
    query.kind = CohortKind::kLicence;
    name = "licence";
  } else {
    return Refused(c, "cohort", "cohort " + kind, NoSuchCohort());
  }
  const std::string audit_target = "cohort " + name;
  if (!c.caller.role->read_persons || !c.caller.Allows(CohortClass(query.kind))) {
    return Forbidden(c, "cohort", fmt::format("list the {} cohort", name), audit_target);
  }
  auto limit = Number(c.target, "limit", 100, 1, 1000);
  auto level = Number(c.target, "level", 0, 0, 3);
  auto within = Number(c.target, "within_days", 28, 0, 3660);
  for (const auto* n : {&limit, &level, &within}) {
    if (!n->ok())
      return Refused(c, "cohort", audit_target, FromStatus(n->status()));
  }
  query.limit = *limit;
  query.level = static_cast<int>(*level);
  query.within_days = static_cast<int>(*within);
  query.area = c.target.Param("area");
  query.after = c.target.Param("after");
  events::Timestamp from = c.now();
  if (c.target.Has("from")) {
    auto t = projections::ParseAsOf(c.target.Param("from"));
    if (!t.ok())
      return Refused(c, "cohort", audit_target, FromStatus(t.status(), "from"));
    from = *t;
  }
  query.from = events::DateOf(from);
  const std::uint64_t position = c.position();
  query.as_at = c.now();
  auto page = QueryCohort(*c.models.store, query);
  if (!page.ok())
    return Refused(c, "cohort", audit_target, FromStatus(page.status()));
  Audit(c.models, &c.caller, "cohort", audit_target, 0, 200, c.request);
  events::JsonWriter w;
  w.BeginObject();
  w.Key("log_position");
  w.Int(static_cast<std::int64_t>(position));
  w.Key("cohort");
  w.String(name);
  w.Key("persons");
  w.BeginArray();
  const auto omit = ViewOmit(c.classes());
  for (const auto& view : page->persons)
    projections::WritePersonSummaryJson(RedactView(view, c.classes()), &w, omit);
  w.EndArray();
  w.Key("next");
  if (page->next.empty()) {
    w.Null();
  } else {
    w.String(page->next);
  }
  w.EndObject();
  return Json(std::move(w));
}

// GET /v1/alerts?agency=&since=&before=&order=oldest|newest&limit=
HttpResponse Alerts(const Context& c) {
  const std::string agency = c.target.Param("agency");
  const std::string audit_target = agency.empty() ? "alerts" : "alerts " + agency;
  if (!c.caller.role->read_persons)
    return Forbidden(c, "alerts", "read alerts", audit_target);
  auto limit = Number(c.target, "limit", 100, 1, 1000);
  if (!limit.ok())
    return Refused(c, "alerts", audit_target, FromStatus(limit.status()));
  AlertQuery query;
  query.agency = agency;
  query.limit = *limit * 4;  // more than asked: some may be hidden from the caller
  // A date means from the start of that day, and before the start of that day.
  for (const std::string_view name : {"since", "before"}) {
    if (!c.target.Has(name))
      continue;
    const std::string text = c.target.Param(name);
    auto t = projections::ParseAsOf(text);
    if (!t.ok())
      return Refused(c, "alerts", audit_target, FromStatus(t.status(), name));
    const events::Timestamp at =
        text.size() == 10 ? events::Timestamp{t->unix_ms + 1 - events::kMillisPerDay} : *t;
    (name == "since" ? query.since : query.before.emplace()) = at;
  }
  const std::string order = c.target.Param("order", "oldest");
  if (order != "oldest" && order != "newest") {
    return Refused(c, "alerts", audit_target,
                   ErrorResponse(400, "invalid_argument", "order: oldest or newest", "order"));
  }
  query.newest_first = order == "newest";
  const std::uint64_t position = c.position();
  Audit(c.models, &c.caller, "alerts", audit_target, 0, 200, c.request);
  events::JsonWriter w;
  w.BeginObject();
  w.Key("log_position");
  w.Int(static_cast<std::int64_t>(position));
  w.Key("alerts");
  w.BeginArray();
  std::size_t shown = 0;
  for (const auto& alert : ReadAlerts(*c.models.store, query)) {
    if (shown == *limit)
      break;
    if (!MaySee(c.classes(), alert))
      continue;
    projections::WriteAlertJson(alert, &w);
    ++shown;
  }
  w.EndArray();
  w.EndObject();
  return Json(std::move(w));
}

// GET /v1/events?from_seq=&limit=: the log, for catching up. Events the caller may not see
// keep their place, as {"sequence":N,"redacted":true}, so that a reader can tell it missed
// nothing.
HttpResponse Events(const Context& c) {
  if (!c.caller.role->read_persons)
    return Forbidden(c, "events", "read the log", "events");
  auto from = Number(c.target, "from_seq", 1, 1, std::numeric_limits<std::int64_t>::max());
  auto limit = Number(c.target, "limit", 100, 1, 1000);
  for (const auto* n : {&from, &limit}) {
    if (!n->ok())
      return Refused(c, "events", "events", FromStatus(n->status()));
  }
  const std::uint64_t position = c.position();
  const std::uint64_t end = std::min(position + 1, *from + *limit);
  Audit(c.models, &c.caller, "events", fmt::format("events from {}", *from), 0, 200, c.request);
  events::JsonWriter w;
  w.BeginObject();
  w.Key("log_position");
  w.Int(static_cast<std::int64_t>(position));
  w.Key("events");
  w.BeginArray();
  const auto omit = EventOmit(c.classes());
  for (std::uint64_t seq = *from; seq < end; ++seq) {
    auto record = c.models.store->ReadRecord(seq);
    auto event =
        record.ok() ? events::DecodeEvent(record->event) : Result<events::Event>(record.status());
    w.BeginObject();
    w.Key("sequence");
    w.Int(static_cast<std::int64_t>(seq));
    if (!event.ok() || !MaySee(c.classes(), *event)) {
      w.Key("redacted");
      w.Bool(true);
    } else {
      w.Key("appended_at");
      w.String(events::FormatTimestamp(record->appended_at));
      w.Key("person");
      w.Int(static_cast<std::int64_t>(c.models.store->CurrentPerson(record->person)));
      w.Key("event");
      events::WriteEventJson(*event, &w, omit);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("next_seq");
  w.Int(static_cast<std::int64_t>(std::max(end, *from)));
  w.EndObject();
  return Json(std::move(w));
}

// GET /v1/audit?from=&limit=: for auditors.
HttpResponse AuditTrail(const Context& c) {
  if (!c.caller.role->audit)
    return Forbidden(c, "audit", "read the audit log", "audit");
  auto from = Number(c.target, "from", 1, 1, std::numeric_limits<std::int64_t>::max());
  auto limit = Number(c.target, "limit", 100, 1, 1000);
  for (const auto* n : {&from, &limit}) {
    if (!n->ok())
      return Refused(c, "audit", "audit", FromStatus(n->status()));
  }
  if (c.models.audit == nullptr)
    return ErrorResponse(404, "not_found", "this server keeps no audit log");
  const std::string person = c.target.Param("person");
  auto records = c.models.audit->Read(*from, *limit, [&](const AuditRecord& r) {
    return person.empty() || std::to_string(r.person) == person;
  });
  Audit(c.models, &c.caller, "audit", fmt::format("audit from {}", *from), 0, 200, c.request);
  events::JsonWriter w;
  w.BeginObject();
  w.Key("records");
  w.BeginArray();
  for (const auto& r : records)
    WriteAuditRecordJson(r, &w);
  w.EndArray();
  w.Key("next");
  w.Int(static_cast<std::int64_t>(records.empty() ? *from : records.back().sequence + 1));
  w.EndObject();
  return Json(std::move(w));
}

// GET /v1/me: who the token says the caller is, and what they may see and do, so that a
// client can tell "hidden from you" from "there is none".
HttpResponse Me(const Context& c) {
  events::JsonWriter w;
  w.BeginObject();
  w.Key("token_id");
  w.String(c.caller.token_id);
  w.Key("role");
  w.String(c.caller.role->name);
  w.Key("agency");
  w.String(c.caller.agency);
  w.Key("classes");
  w.BeginArray();
  for (DataClass d : kDataClasses) {
    if (c.caller.Allows(d))
      w.String(DataClassName(d));
  }
  w.EndArray();
  w.Key("read_persons");
  w.Bool(c.caller.role->read_persons);
  w.Key("replay");
  w.Bool(c.caller.role->replay);
  w.Key("audit");
  w.Bool(c.caller.role->audit);
  w.EndObject();
  return Json(std::move(w));
}

// /v1/admin/...: for operators, on the engine's own store.
//   POST /v1/admin/backup?to=DIR   a consistent copy of the store, while ingest goes on
//   POST /v1/admin/compact         every column family compacted
//   GET  /v1/admin/stats           what is in the store (store_stats.h)
HttpResponse Admin(const Context& c, const std::string& what) {
  const std::string target = "admin " + what;
  if (!c.caller.role->admin)
    return Forbidden(c, "admin", "look after the engine", target);
  const bool post = c.request.method == "POST";
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  events::JsonWriter w;
  if (what == "backup" && post) {
    const std::string to = c.target.Param("to");
    if (to.empty() || to.front() != '/') {
      return Refused(c, "admin", target,
                     ErrorResponse(400, "invalid_argument",
                                   "to: the backup's directory, an absolute path on the engine's "
                                   "machine that does not exist yet",
                                   "to"));
    }
    std::uint64_t position = 0;
    if (Status s = BackupStore(*c.models.store, to, &position); !s.ok())
      return Refused(c, "admin", target, FromStatus(s, "to"));
    Audit(c.models, &c.caller, "admin", target + " " + to, 0, 200, c.request);
    w.BeginObject();
    w.Key("backup");
    w.String(to);
    w.Key("log_position");
    w.Int(static_cast<std::int64_t>(position));
    w.Key("seconds");
    w.Double(seconds());
    w.EndObject();
  } else if (what == "compact" && post) {
    if (Status s = CompactStore(*c.models.store); !s.ok())
      return Refused(c, "admin", target, FromStatus(s));
    Audit(c.models, &c.caller, "admin", target, 0, 200, c.request);
    w.BeginObject();
    w.Key("compacted");
    w.Bool(true);
    w.Key("seconds");
    w.Double(seconds());
    w.EndObject();
  } else if (what == "stats" && !post) {
    Audit(c.models, &c.caller, "admin", target, 0, 200, c.request);
    WriteStoreStatsJson(CollectStoreStats(*c.models.store, {}), &w);
  } else {
    return Refused(c, "admin", target,
                   ErrorResponse(404, "not_found",
                                 "admin: POST /v1/admin/backup?to=DIR, POST /v1/admin/compact, "
                                 "GET /v1/admin/stats"));
  }
  return Json(std::move(w));
}

HttpResponse Health() {
  HttpResponse r;
  r.body = R"({"status":"ok"})";
  return r;
}

HttpResponse Ready(const ReadModels& m) {
  const Readiness readiness = m.readiness ? m.readiness() : Readiness{true, {}};
  events::JsonWriter w;
  w.BeginObject();
  w.Key("ready");
  w.Bool(readiness.ready);
  w.Key("log_position");
  w.Int(static_cast<std::int64_t>(m.store->state().next_sequence - 1));
  w.Key("reasons");
  w.BeginArray();
  for (const auto& reason : readiness.reasons)
    w.String(reason);
  w.EndArray();
  w.EndObject();
  HttpResponse r;
  r.status = readiness.ready ? 200 : 503;
  r.body = w.Take();
  return r;
}

// "/" is the dashboard; "/static/{file}" what it loads.
HttpResponse Static(const std::vector<std::string>& segments) {
  const WebAsset* asset = nullptr;
  if (segments.empty())
    asset = FindWebAsset("index.html");
  else if (segments.size() == 2 && segments[0] == "static")
    asset = FindWebAsset(segments[1]);
  if (asset == nullptr)
    return ErrorResponse(404, "not_found", "no such page");
  HttpResponse r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->body);
  r.headers.emplace_back("Cache-Control", "no-cache");
  // The page loads nothing from anywhere else (no CDN), and runs no inline script.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                         "frame-ancestors 'none'");
  return r;
}

}  // namespace

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                           std::string_view path) {
  events::JsonWriter w;
  w.BeginObject();
  w.Key("error");
  w.BeginObject();
  w.Key("status");
  w.Int(status);
  w.Key("code");
  w.String(code);
  w.Key("message");
  w.String(message);
  if (!path.empty()) {
    w.Key("path");
    w.String(path);
  }
  w.EndObject();
  w.EndObject();
  HttpResponse r;
  r.status = status;
  r.body = w.Take();
  r.headers.emplace_back("Cache-Control", "no-store");
  if (status == 401)
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"throughline\"");
  return r;
}

void Audit(const ReadModels& models, const Caller* caller, std::string_view action,
           std::string_view target, std::uint64_t person, int status, const HttpRequest& request,
           std::optional<events::Timestamp> as_of, std::string_view as_known_at) {
  if (models.audit == nullptr)
    return;
  AuditRecord r;
  r.at = models.clock->Now();
  if (caller != nullptr) {
    r.token_id = caller->token_id;
    r.role = std::string(caller->role->name);
    r.agency = caller->agency;
  }
  r.action = action;
  r.target = target.substr(0, 1000);
  r.person = person;
  r.as_of = as_of;
  r.as_known_at = as_known_at.substr(0, 100);
  r.reason = ReasonOf(request).substr(0, kMaxReasonBytes);
  r.status = status;
  // An audit log that cannot be written is the engine's problem to report (its metrics and
  // log), not a reason to refuse the read: the store is the same disk and will say so itself.
  (void)models.audit->Append(std::move(r));
}

Authenticated Authenticate(const HttpRequest& request, const HttpTarget& target,
                           const ReadModels& models, std::string_view action) {
  std::string_view token;
  const std::string& header = request.Header("authorization");
  if (header.size() > 7 && (header.starts_with("Bearer ") || header.starts_with("bearer "))) {
    token = std::string_view(header).substr(7);
  } else if (header.empty() && target.Has("access_token") &&
             request.Header("upgrade") == "websocket") {
    token = target.query.find("access_token")->second;
  }
  Authenticated out;
  if (token.empty()) {
    out.refusal = ErrorResponse(401, "unauthenticated",
                                "a bearer token is required: Authorization: Bearer <token>");
  } else if (models.tokens == nullptr) {
    out.refusal = ErrorResponse(401, "unauthenticated", "this server accepts no tokens");
  } else {
    auto caller = models.tokens->Authenticate(token, events::DateOf(models.clock->Now()));
    if (caller.ok()) {
      out.caller = *caller;
      return out;
    }
    out.refusal = ErrorResponse(401, "unauthenticated", caller.status().message());
  }
  Audit(models, nullptr, action, "", 0, 401, request);
  return out;
}

void AuditRefusal(const ReadModels& models, const HttpRequest& request, std::string_view action,
                  std::string_view target, int status) {
  if (models.audit == nullptr)
    return;
  std::optional<Caller> caller;
  const std::string& header = request.Header("authorization");
  if (models.tokens != nullptr && header.size() > 7 &&
      (header.starts_with("Bearer ") || header.starts_with("bearer "))) {
    auto found = models.tokens->Authenticate(std::string_view(header).substr(7),
                                             events::DateOf(models.clock->Now()));
    if (found.ok())
      caller = *found;
  }
  Audit(models, caller ? &*caller : nullptr, action, target, 0, status, request);
}

HttpResponse Route(const HttpRequest& request, const ReadModels& models) {
  // Refusals of /v1 requests are audited even when decided before the caller is known.
  const bool api = request.target == "/v1" || request.target.starts_with("/v1/") ||
                   request.target.starts_with("/v1?");
  auto target = ParseTarget(request.target);
  if (!target.ok()) {
    HttpResponse r = FromStatus(target.status(), "target");
    if (api)
      AuditRefusal(models, request, "v1", request.target, r.status);
    return r;
  }
  const std::vector<std::string>& s = target->segments;
  const bool admin = s.size() == 3 && s[0] == "v1" && s[1] == "admin";
  if (request.method != "GET" && !(admin && request.method == "POST")) {
    HttpResponse r = ErrorResponse(405, "method_not_allowed",
                                   fmt::format("{} is not served here: GET (and POST on /v1/admin)",
                                               request.method.substr(0, 32)));
    r.headers.emplace_back("Allow", admin ? "GET, POST" : "GET");
    if (!s.empty() && s[0] == "v1")
      AuditRefusal(models, request, s.size() > 1 ? s[1] : "v1", request.target, r.status);
    return r;
  }
  if (s.size() == 1 && s[0] == "healthz")
    return Health();
  if (s.size() == 1 && s[0] == "readyz")
    return Ready(models);
  if (s.size() == 1 && s[0] == "metrics") {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = models.metrics ? models.metrics() : "";
    return r;
  }
  if (s.empty() || s[0] != "v1")
    return Static(s);

  const std::string_view action = s.size() > 1 ? std::string_view(s[1]) : "v1";
  Authenticated auth = Authenticate(request, *target, models, action);
  if (!auth.caller)
    return auth.refusal;
  const Context c{request, *target, models, *auth.caller};

  // Read your own write: wait (in the server, bounded) until the views are that far.
  if (target->Has("min_seq")) {
    auto min_seq = Number(*target, "min_seq", 0, 0, std::numeric_limits<std::int64_t>::max());
    if (!min_seq.ok())
      return Refused(c, action, request.target, FromStatus(min_seq.status(), "min_seq"));
    if (*min_seq > c.position()) {
      HttpResponse wait;
      wait.wait_for_sequence = *min_seq;
      return wait;
    }
  }

  if (s.size() >= 3 && s.size() <= 4 && s[1] == "persons") {
    if (s.size() == 3)
      return Person(c, s[2], false);
    if (s[3] == "timeline")
      return Person(c, s[2], true);
  }
  if (s.size() >= 3 && s[1] == "cohorts")
    return Cohort(c, s);
  if (s.size() == 2 && s[1] == "alerts")
    return Alerts(c);
  if (s.size() == 2 && s[1] == "events")
    return Events(c);
  if (s.size() == 2 && s[1] == "audit")
    return AuditTrail(c);
  if (s.size() == 2 && s[1] == "me")
    return Me(c);
  if (admin)
    return Admin(c, s[2]);
  return Refused(c, action, request.target,
                 ErrorResponse(404, "not_found", "no such endpoint: see docs/api.md"));
}

}  // namespace throughline::services
