// `throughline view` and `throughline cohort`: read the projections of a data directory, even
// while an engine runs (a RocksDB secondary instance, as `log` and `verify` use).

#include <iostream>

#include <fmt/format.h>

#include "projections/as_of.h"
#include "projections/view_json.h"
#include "services/clock.h"
#include "services/cohort_query.h"
#include "services/event_store.h"
#include "services/person_ref.h"
#include "services/person_reply.h"
#include "services/projection_reader.h"
#include "tools/commands.h"
#include "tools/store_reader.h"

namespace throughline::tools {

namespace {

struct ViewFlags {
  std::string data;
  std::string person;
  std::string as_of;
  std::string as_known_at;
  bool fold = false;
  bool timeline = false;
};

events::Timestamp Now() { return services::SystemClock().Now(); }

// 1 when what was asked for is not there, 2 when the question is wrong or the store is.
int Fail(std::string_view command, const Status& s) {
  fmt::print(stderr, "throughline {}: {}\n", command, s.message());
  return s.IsNotFound() ? 1 : 2;
}

int View(const ViewFlags& flags) {
  auto store = OpenStoreToRead(flags.data);
  if (!store.ok())
    return Fail("view", store.status());
  auto person = services::FindPersonByRef(**store, flags.person);
  if (!person.ok())
    return Fail("view", person.status());

  std::optional<events::Timestamp> as_of;
  projections::Knowledge known;
  if (!flags.as_of.empty()) {
    auto t = projections::ParseAsOf(flags.as_of);
    if (!t.ok())
      return Fail("view", Status::InvalidArgument("--as-of: " + t.status().message()));
    as_of = *t;
  }
  if (!flags.as_known_at.empty()) {
    auto k = projections::ParseKnowledge(flags.as_known_at);
    if (!k.ok())
      return Fail("view", Status::InvalidArgument("--as-known-at: " + k.status().message()));
    known = *k;
  }
  services::PersonQuery query;
  query.person = *person;
  query.as_of = as_of;
  query.known = known;
  query.fold = flags.fold;
  query.timeline = flags.timeline;
  auto reply = services::ReadPerson(**store, query, Now());
  if (!reply.ok())
    return Fail("view", reply.status());
  events::JsonWriter w;
  // The command line reads a data directory directly: whoever can read the directory can read
  // everything in it, so nothing is redacted here.
  services::WritePersonReplyJson(*reply, services::kAllClasses, &w);
  std::cout << w.str() << '\n';
  return 0;
}

struct CohortFlags {
  std::string data;
  std::string kind;
  std::string arg;
  int level = 0;
  int within_days = 28;
  std::string from;
  std::string area;
  std::string after;
  std::size_t limit = 1000;
};

int Cohort(const CohortFlags& flags) {
  services::CohortQuery query;
  query.limit = flags.limit;
  query.after = flags.after;
  if (flags.kind == "prison") {
    query.kind = services::CohortKind::kPrison;
    query.prison = flags.arg;
  } else if (flags.kind == "iom") {
    query.kind = services::CohortKind::kIom;
  } else if (flags.kind == "mappa") {
    query.kind = services::CohortKind::kMappa;
    query.level = flags.level;
  } else if (flags.kind == "releases") {
    query.kind = services::CohortKind::kReleases;
    query.within_days = flags.within_days;
    events::Timestamp start = Now();
    if (!flags.from.empty()) {
      auto from = projections::ParseAsOf(flags.from);
      if (!from.ok())
        return Fail("cohort", Status::InvalidArgument("--from: " + from.status().message()));
      start = *from;
    }
    query.from = events::DateOf(start);
  } else if (flags.kind == "licence") {
    query.kind = services::CohortKind::kLicence;
    query.area = flags.area.empty() ? flags.arg : flags.area;
  } else {
    return Fail("cohort", Status::InvalidArgument(fmt::format(
                              "\"{}\" is not a cohort: prison CODE, iom, mappa [--level N], "
                              "releases [--within-days N], licence [AREA]",
                              flags.kind)));
  }
  if (query.kind == services::CohortKind::kPrison && query.prison.empty())
    return Fail("cohort", Status::InvalidArgument("prison: say which, e.g. cohort prison CFI"));

  auto store = OpenStoreToRead(flags.data);
  if (!store.ok())
    return Fail("cohort", store.status());
  query.as_at = Now();
  auto page = services::QueryCohort(**store, query);
  if (!page.ok())
    return Fail("cohort", page.status());
  for (const auto& view : page->persons) {
    events::JsonWriter w;
    projections::WritePersonSummaryJson(view, &w);
    std::cout << w.str() << '\n';
  }
  fmt::print(stderr, "{} persons{}\n", page->persons.size(),
             page->next.empty() ? "" : fmt::format("; more with --after {}", page->next));
  return 0;
}

}  // namespace

void AddViewCommands(CLI::App& app) {
  auto flags = std::make_shared<ViewFlags>();
  auto* view = app.add_subcommand(
      "view", "Print a person's lifetime view as JSON: stored, folded afresh, or as it stood");
  view->add_option("--data", flags->data, "Data directory")->required();
  view->add_option("--person", flags->person, "pnc:..., noms:..., crn:..., cro:... or id:N")
      ->required();
  view->add_option("--as-of", flags->as_of,
                   "As the person stood then: a date (its whole day) or an RFC 3339 time");
  view->add_option("--as-known-at", flags->as_known_at,
                   "As the log knew it then: a log sequence, a date or an RFC 3339 time");
  view->add_flag("--fold", flags->fold, "Fold the person afresh from the log, not the stored view");
  view->add_flag("--timeline", flags->timeline, "Add the events behind the view, in time order");
  view->callback([flags] { throw CLI::RuntimeError(View(*flags)); });

  auto cflags = std::make_shared<CohortFlags>();
  auto* cohort = app.add_subcommand(
      "cohort",
      "List a cohort as NDJSON: prison CODE | iom | mappa [--level N] | releases "
      "[--within-days N] [--from DATE] | licence [AREA]");
  cohort->add_option("--data", cflags->data, "Data directory")->required();
  cohort->add_option("cohort", cflags->kind, "prison, iom, mappa, releases or licence")->required();
  cohort->add_option("code", cflags->arg, "The prison code (prison), or the area (licence)");
  cohort->add_option("--level", cflags->level, "MAPPA level 1-3 (0: all)")->capture_default_str();
  cohort->add_option("--within-days", cflags->within_days, "Releases due within this many days")
      ->capture_default_str();
  cohort->add_option("--from", cflags->from, "Releases: the first day (default: today)");
  cohort->add_option("--area", cflags->area, "Licence: the probation area");
  cohort->add_option("--after", cflags->after, "Cursor from the previous page");
  cohort->add_option("--limit", cflags->limit, "Most persons to list")->capture_default_str();
  cohort->callback([cflags] { throw CLI::RuntimeError(Cohort(*cflags)); });
}

}  // namespace throughline::tools
