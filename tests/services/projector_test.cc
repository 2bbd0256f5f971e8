// The projector on a real store: views, cohorts and alerts kept in the same batches as the
// events; late events, retractions and merges refold; bitemporal replay; time-based alerts on
// the engine's clock; rebuilds that give back the same projections.

#include "services/projector.h"

#include <map>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/projection_codec.h"
#include "services/cohort_query.h"
#include "services/log_changes.h"
#include "services/projection_reader.h"
#include "services/rebuilder.h"
#include "services/store_keys.h"
#include "tests/log_lines.h"
#include "tests/services/store_fixture.h"

namespace throughline::services {
namespace {

using projections::AlertRule;
using testing::ReadFamily;
using testing::StoreFixture;

const char kPnc[] = R"({"pnc":"2015/0100001Z"})";

std::string Event(const std::string& id, const std::string& type, const std::string& time,
                  const std::string& fields, const std::string& person = kPnc) {
  return testing::Envelope(id, type, time, fields, person);
}

std::string Arrest(const std::string& id, const std::string& time,
                   const std::string& person = kPnc) {
  return Event(id, "arrest.recorded", time,
               R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])", person);
}

std::string Retract(const std::string& id, const std::string& time, const std::string& what) {
  return Event(id, "event.retracted", time,
               fmt::format(R"("retracted":{{"source":"test/arrest","id":"{}"}},)"
                           R"("reason":"Recorded against the wrong person")",
                           what));
}

projections::ProjectionState Stored(StoreFixture& f, const std::string& identifier) {
  auto state = ReadProjection(f.store(), f.PersonOf(identifier));
  INFO(state.status().ToString());
  REQUIRE(state.ok());
  return std::move(*state);
}

TEST_CASE("Views follow the log: in order applied, late or retracted refolded", "[integration]") {
  StoreFixture f;
  f.Append({Arrest("a1", "2019-03-04T10:00:00Z"), Arrest("a2", "2019-05-01T10:00:00Z")});
  CHECK(Stored(f, "pnc:2015/0100001Z").view.counts.arrests == 2);
  const auto& metrics = f.log().projector().metrics();
  const std::uint64_t refolds = metrics.refolds;

  SECTION("an event that follows the fold is applied to the stored view") {
    f.Append({Arrest("a3", "2020-01-01T10:00:00Z")});
    CHECK(Stored(f, "pnc:2015/0100001Z").view.counts.arrests == 3);
    CHECK(metrics.refolds == refolds);
  }
  SECTION("a late event refolds the person") {
    f.Append({Arrest("a0", "2015-06-01T10:00:00Z")});
    auto state = Stored(f, "pnc:2015/0100001Z");
    CHECK(state.view.counts.arrests == 3);
    CHECK(state.view.first_event == events::Timestamp{1433152800000});
    CHECK(metrics.refolds == refolds + 1);
  }
  SECTION("a retraction drops the event it names") {
    f.Append({Retract("r1", "2021-01-01T00:00:00Z", "a1")});
    auto state = Stored(f, "pnc:2015/0100001Z");
    CHECK(state.view.counts.arrests == 1);
    CHECK(state.view.retracted.size() == 1);
    // And a redelivery of the retracted event, after it, changes nothing.
    f.Append({Arrest("a1", "2019-03-04T10:00:00Z")});
    CHECK(Stored(f, "pnc:2015/0100001Z").view.counts.arrests == 1);
  }
  SECTION("a retraction that arrives first still holds the event out") {
    f.Append({Retract("r9", "2021-01-01T00:00:00Z", "a9")});
    f.Append({Arrest("a9", "2020-06-01T10:00:00Z")});
    CHECK(Stored(f, "pnc:2015/0100001Z").view.counts.arrests == 2);
  }
  f.ExpectVerified();
}

// A batch of many persons is folded on two threads, each taking 32 persons at a time: one that
// merges a person of one share into a person of another, refolds some and patches others,
// must come out as a fresh fold of the log would.
TEST_CASE("A batch of many people is shared between two threads and folds as one would",
          "[integration]") {
  StoreFixture f;
  const auto& metrics = f.log().projector().metrics();
  constexpr int kPersons = 200;
  auto pnc = [](int i) { return fmt::format(R"({{"pnc":"{}"}})", testing::TestPnc(i)); };
  std::vector<std::string> first;
  for (int i = 0; i < kPersons; ++i) {
    first.push_back(Arrest(fmt::format("a{}", i), "2019-03-04T10:00:00Z", pnc(i)));
    first.push_back(Event(fmt::format("m{}", i), "mappa.registered", "2019-04-10T10:00:00Z",
                          R"("category":1,"level":2,"area":"Gwent")", pnc(i)));
  }
  f.Append(first);
  CHECK(metrics.shared_batches == 1);
  const std::uint64_t survivor = f.PersonOf("pnc:" + testing::TestPnc(kPersons - 1));
  const std::uint64_t merged = f.PersonOf("pnc:" + testing::TestPnc(0));

  // Even persons get a late arrest (a refold), odd ones a later one (applied to the stored
  // view); the first person is merged into the last, six shares of 32 apart, which either
  // thread may take.
  std::vector<std::string> second;
  for (int i = 0; i < kPersons; ++i) {
    second.push_back(Arrest(fmt::format("b{}", i),
                            i % 2 == 0 ? "2015-01-01T10:00:00Z" : "2020-01-01T10:00:00Z", pnc(i)));
  }
  second.push_back(Event("merge", "identity.merged", "2021-01-01T00:00:00Z",
                         fmt::format(R"("merged":{},"reason":"Fingerprint match")", pnc(0)),
                         pnc(kPersons - 1)));
  const std::uint64_t incremental = metrics.incremental;
  const std::uint64_t refolds = metrics.refolds;
  f.Append(second);
  CHECK(metrics.shared_batches == 2);
  CHECK(metrics.incremental - incremental >= kPersons / 2 - 1);
  CHECK(metrics.refolds - refolds >= kPersons / 2 - 1);

  CHECK(ReadProjection(f.store(), merged).status().IsNotFound());
  auto state = ReadProjection(f.store(), survivor);
  REQUIRE(state.ok());
  CHECK(state->view.counts.arrests == 4);
  CHECK(state->view.identifiers.size() == 2);
  for (int i = 1; i < kPersons - 1; ++i) {
    auto other = ReadProjection(f.store(), f.PersonOf("pnc:" + testing::TestPnc(i)));
    REQUIRE(other.ok());
    CHECK(other->view.counts.arrests == 2);
  }
  f.ExpectVerified();
}

TEST_CASE("A merge folds two people into one and the merged one's view goes", "[integration]") {
  StoreFixture f;
  const std::string other = R"({"pnc":"2015/0100002A"})";
  f.Append({Arrest("a1", "2019-03-04T10:00:00Z"), Arrest("b1", "2018-01-01T10:00:00Z", other),
            Arrest("b2", "2018-02-01T10:00:00Z", other)});
  const std::uint64_t merged = f.PersonOf("pnc:2015/0100002A");
  f.Append({Event("m1", "identity.merged", "2021-01-01T00:00:00Z",
                  R"("merged":{"pnc":"2015/0100002A"},"reason":"Fingerprint match")")});
  auto state = Stored(f, "pnc:2015/0100001Z");
  CHECK(state.view.counts.arrests == 3);
  CHECK(state.view.identifiers.size() == 2);
  CHECK(ReadProjection(f.store(), merged).status().IsNotFound());
  f.ExpectVerified();
}

TEST_CASE("The changes a batch keeps for the subscriptions are what the store gives back",
          "[integration]") {
  StoreFixture f;
  Projector& projector = f.log().projector();
  const std::string other = R"({"pnc":"2015/0100002A"})";
  // Each change as ReadLogChanges reads it back after the batch: the subscriptions' other way.
  auto expect_as_read = [&](const AppendResult& result) {
    auto kept = projector.TakeChanges();
    REQUIRE(kept);
    CHECK_FALSE(projector.TakeChanges());  // taken once
    const auto read =
        ReadLogChanges(f.store(), result.first_sequence, result.last_sequence, 1000, "test");
    REQUIRE(read.size() == result.appended);
    REQUIRE(kept->size() == read.size());
    for (std::size_t i = 0; i < read.size(); ++i) {
      INFO("change " << i);
      CHECK((*kept)[i].sequence == read[i].sequence);
      CHECK((*kept)[i].person == read[i].person);
      CHECK((*kept)[i].event == read[i].event);
      REQUIRE((*kept)[i].state);
      REQUIRE(read[i].state);
      CHECK(*(*kept)[i].state == *read[i].state);
    }
    return *kept;
  };

  f.Append({Arrest("a1", "2019-03-04T10:00:00Z")});
  CHECK_FALSE(projector.TakeChanges());  // not kept unless asked
  projector.KeepChanges(true);

  // Two people, one of them twice: the same state shared by both of theirs.
  auto kept = expect_as_read(
      f.Append({Arrest("a2", "2019-05-01T10:00:00Z"), Arrest("b1", "2018-01-01T10:00:00Z", other),
                Arrest("a3", "2019-06-01T10:00:00Z")}));
  CHECK(kept[0].state == kept[2].state);
  CHECK(kept[0].state->view.counts.arrests == 3);
  // A late event and a retraction: the person refolded.
  expect_as_read(f.Append(
      {Arrest("a0", "2015-06-01T10:00:00Z"), Retract("r1", "2021-01-01T00:00:00Z", "a2")}));
  // A duplicate is not a change; the batch's one new event is.
  CHECK(expect_as_read(
            f.Append({Arrest("a3", "2019-06-01T10:00:00Z"), Arrest("a4", "2020-01-01T10:00:00Z")}))
            .size() == 1);

  // A batch that merges away a person with an event of its own in the same batch: that event
  // now lives in the survivor, which the store says, not the batch.
  const std::uint64_t survivor = f.PersonOf("pnc:2015/0100001Z");
  const AppendResult merging =
      f.Append({Arrest("b2", "2018-02-01T10:00:00Z", other),
                Event("m1", "identity.merged", "2021-02-01T00:00:00Z",
                      R"("merged":{"pnc":"2015/0100002A"},"reason":"Fingerprint match")")});
  CHECK_FALSE(projector.TakeChanges());
  const auto read =
      ReadLogChanges(f.store(), merging.first_sequence, merging.last_sequence, 10, "test");
  REQUIRE(read.size() == 2);
  CHECK(read[0].person == survivor);

  projector.KeepChanges(false);
  f.Append({Arrest("a5", "2020-02-01T10:00:00Z")});
  CHECK_FALSE(projector.TakeChanges());
  f.ExpectVerified();
}

TEST_CASE("An event that links two partial records folds them into one view", "[integration]") {
  StoreFixture f;
  // The prison's events, with only the prison number, arrive before the reception that named
  // the PNC beside it: two records for a while, then one.
  f.Append({Arrest("a1", "2019-03-04T10:00:00Z"),
            Event("t1", "custody.transferred", "2019-05-01T10:00:00Z",
                  R"("from_prison":"CFI","to_prison":"PRI","reason":"allocation")",
                  R"({"noms":"A1234BC"})"),
            // An alert raised on the partial record, which must move with its event: its key
            // is global, written by one person's refold and deleted by the other's.
            Event("x1", "licence.recalled", "2019-04-20T10:00:00Z",
                  R"("kind":"standard","reason":"Failed to reside")", R"({"noms":"A1234BC"})")});
  const std::uint64_t prison_only = f.PersonOf("noms:A1234BC");
  REQUIRE(prison_only != f.PersonOf("pnc:2015/0100001Z"));
  f.Append({Event("r1", "custody.received", "2019-04-01T10:00:00Z",
                  R"("prison":"CFI","basis":"sentenced")",
                  R"({"pnc":"2015/0100001Z","noms":"A1234BC"})")});
  CHECK(f.PersonOf("noms:A1234BC") == f.PersonOf("pnc:2015/0100001Z"));
  auto state = Stored(f, "pnc:2015/0100001Z");
  CHECK(state.view.events == 4);
  CHECK(state.view.counts.arrests == 1);
  CHECK(state.view.counts.recalls == 1);
  REQUIRE(state.view.custody);
  CHECK(state.view.custody->prison == "PRI");
  CHECK(ReadProjection(f.store(), prison_only).status().IsNotFound());
  // The recall alert, now the linked person's; and no identity conflict.
  const auto alerts = ReadAlerts(f.store(), "", events::Timestamp{0}, 100);
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].rule == AlertRule::kRecall);
  CHECK(alerts[0].person == f.PersonOf("pnc:2015/0100001Z"));
  f.ExpectVerified();
}

TEST_CASE("Replay: a late event and a retraction change only what was known after them",
          "[integration]") {
  StoreFixture f;
  f.Append({Arrest("a1", "2019-03-04T10:00:00Z")});  // sequence 1
  const events::Timestamp after_first{f.clock().Now().unix_ms - 1};
  f.Append({Arrest("a2", "2019-06-01T10:00:00Z")});         // 2
  f.Append({Arrest("late", "2018-01-10T10:00:00Z")});       // 3: learned late
  f.Append({Retract("r1", "2019-07-01T00:00:00Z", "a1")});  // 4: a1 never happened
  const std::uint64_t person = f.PersonOf("pnc:2015/0100001Z");
  auto arrests = [&](std::optional<events::Timestamp> as_of, projections::Knowledge known) {
    auto replay = ReplayPerson(f.store(), person, as_of, known);
    REQUIRE(replay.ok());
    return replay->state.view.counts.arrests;
  };
  auto known_at = [](std::uint64_t sequence) {
    projections::Knowledge k;
    k.sequence = sequence;
    return k;
  };
  CHECK(arrests(std::nullopt, {}) == 2);           // now: a2 and late
  CHECK(arrests(std::nullopt, known_at(2)) == 2);  // a1 and a2
  CHECK(arrests(std::nullopt, known_at(3)) == 3);  // + late
  CHECK(arrests(std::nullopt, known_at(4)) == 2);  // - a1
  // As it stood at the end of 2018: only the late one had happened, once it was known.
  const events::Timestamp end_2018{1546300799999};
  CHECK(arrests(end_2018, known_at(2)) == 0);
  CHECK(arrests(end_2018, known_at(3)) == 1);
  // The retraction is dated after 2018 but, once known, holds for any as-of.
  CHECK(arrests(events::Timestamp{1552000000000}, known_at(3)) == 2);  // 2019-03-07
  CHECK(arrests(events::Timestamp{1552000000000}, known_at(4)) == 1);
  // Knowledge by append time: after the first batch, only a1 was known.
  projections::Knowledge by_time;
  by_time.time = after_first;
  CHECK(arrests(std::nullopt, by_time) == 1);

  SECTION("the timeline marks a retracted event only once the retraction is known") {
    auto then = ReplayPerson(f.store(), person, std::nullopt, known_at(3));
    auto now = ReplayPerson(f.store(), person, std::nullopt, {});
    REQUIRE(then.ok());
    REQUIRE(now.ok());
    REQUIRE(then->timeline.size() == 3);
    CHECK(then->timeline[0].event.id == "late");  // in time order
    CHECK_FALSE(then->timeline[1].retracted);
    REQUIRE(now->timeline.size() == 4);
    CHECK(now->timeline[1].event.id == "a1");
    CHECK(now->timeline[1].retracted);
    CHECK(now->timeline[3].event.type_name() == "event.retracted");
  }
}

TEST_CASE("Time-based alerts wait for the engine's clock", "[integration]") {
  StoreFixture f;  // the clock reads 2023-11-14T22:13:20Z
  const std::string released = Event("rel", "custody.released", "2023-11-14T10:00:00Z",
                                     R"("prison":"CFI","reason":"licence")");
  std::vector<projections::Alert> raised;
  const events::Timestamp since{0};

  SECTION("released on licence, no licence within 2 days: raised once the 2 days have passed") {
    f.Append({released});
    REQUIRE(f.log().projector().RaiseDue(&raised).ok());
    CHECK(raised.empty());
    CHECK(ReadAlerts(f.store(), "", since, 100).empty());
    f.clock().Advance(2 * events::kMillisPerDay);
    REQUIRE(f.log().projector().RaiseDue(&raised).ok());
    CHECK(raised.size() == 1);
    auto alerts = ReadAlerts(f.store(), "probation", since, 100);
    REQUIRE(alerts.size() == 1);
    CHECK(alerts[0].rule == AlertRule::kNoLicenceAfterRelease);
    CHECK(alerts[0].id == "no_licence_after_release-1");
    CHECK(alerts[0].sequence == 1);
    // Once raised it stays raised, and is not raised again.
    REQUIRE(f.log().projector().RaiseDue(&raised).ok());
    CHECK(raised.empty());
  }
  SECTION("a licence that starts in time answers it: never raised") {
    f.Append({released, Event("lic", "licence.started", "2023-11-15T11:00:00Z",
                              R"("kind":"standard","end_date":"2024-06-01","area":"Cardiff",)"
                              R"("conditions":["Reside at approved premises"])")});
    f.clock().Advance(3 * events::kMillisPerDay);
    REQUIRE(f.log().projector().RaiseDue(&raised).ok());
    CHECK(raised.empty());
    CHECK(ReadAlerts(f.store(), "", since, 100).empty());
  }
  SECTION("an alert of a past event is raised at once") {
    f.Append({Event("old", "custody.released", "2020-01-10T10:00:00Z",
                    R"("prison":"CFI","reason":"licence")")});
    CHECK(ReadAlerts(f.store(), "probation", since, 100).size() == 1);
  }
  f.ExpectVerified();
}

TEST_CASE("A batch's raised alerts are logged one line each up to 20, then counted in one",
          "[integration]") {
  testing::LogLines log;
  StoreFixture f;
  const auto recalls = [](int first, int n) {
    std::vector<std::string> events;
    for (int i = first; i < first + n; ++i) {
      events.push_back(Event(fmt::format("x{}", i), "licence.recalled", "2019-04-20T10:00:00Z",
                             R"("kind":"standard","reason":"Failed to reside")",
                             fmt::format(R"({{"noms":"A{:04d}BC"}})", i)));
    }
    return events;
  };
  const auto& metrics = f.log().projector().metrics();
  f.Append(recalls(1, 3));
  CHECK(log.Count("alert.raised") == 3);
  CHECK(log.Count("alerts.raised") == 0);

  f.Append(recalls(100, 25));
  CHECK(log.Count("alert.raised") == 3 + 20);
  REQUIRE(log.Count("alerts.raised") == 1);
  CHECK(log.Text().find("alerts.raised count=25 ") != std::string::npos);
  // Every one is stored and counted, logged or not.
  CHECK(metrics.alerts_raised == 28);
  CHECK(ReadAlerts(f.store(), "", events::Timestamp{0}, 100).size() == 28);
}

TEST_CASE("Cohorts move with the person: roll, IOM, releases, licence", "[integration]") {
  StoreFixture f;
  f.Append({Event("iom", "iom.adopted", "2022-01-01T10:00:00Z",
                  R"("cohort":"fixed","selection_reason":"Prolific acquisitive offending")"),
            Event("sen", "sentence.imposed", "2022-02-01T10:00:00Z",
                  R"("case_id":"GW-1","court":"Cardiff Crown Court","kind":"immediate_custody",)"
                  R"("length":"P2Y","expected_release_date":"2023-02-01",)"
                  R"("licence_end_date":"2024-02-01")"),
            Event("rec", "custody.received", "2022-02-01T16:00:00Z",
                  R"("prison":"SWI","basis":"sentenced")")});
  const std::uint64_t person = f.PersonOf("pnc:2015/0100001Z");
  auto members = [&](CohortQuery q) {
    auto page = QueryCohort(f.store(), q);
    REQUIRE(page.ok());
    std::vector<std::uint64_t> out;
    for (const auto& v : page->persons)
      out.push_back(v.person);
    return out;
  };
  CohortQuery swi{.kind = CohortKind::kPrison, .prison = "swi"};
  CohortQuery cfi{.kind = CohortKind::kPrison, .prison = "CFI"};
  CohortQuery iom{.kind = CohortKind::kIom};
  CohortQuery releases{.kind = CohortKind::kReleases,
                       .from = events::Date{19374},  // 2023-01-16
                       .within_days = 28};
  CohortQuery licence{.kind = CohortKind::kLicence, .area = "Cardiff"};
  CHECK(members(swi) == std::vector<std::uint64_t>{person});
  CHECK(members(iom) == std::vector<std::uint64_t>{person});
  CHECK(members(releases) == std::vector<std::uint64_t>{person});
  releases.within_days = 10;
  CHECK(members(releases).empty());

  f.Append({Event("tr", "custody.transferred", "2022-06-01T10:00:00Z",
                  R"("from_prison":"SWI","to_prison":"CFI","reason":"allocation")")});
  CHECK(members(swi).empty());
  CHECK(members(cfi) == std::vector<std::uint64_t>{person});

  f.Append({Event("rel", "custody.released", "2023-02-01T09:00:00Z",
                  R"("prison":"CFI","reason":"licence")"),
            Event("lic", "licence.started", "2023-02-01T11:00:00Z",
                  R"("kind":"standard","end_date":"2024-02-01","area":"Cardiff",)"
                  R"("conditions":["Reside at approved premises"])")});
  CHECK(members(cfi).empty());
  CHECK(members(licence) == std::vector<std::uint64_t>{person});
  CHECK(members(iom) == std::vector<std::uint64_t>{person});

  SECTION("pages follow a cursor, each person once") {
    std::vector<std::string> more;
    for (int i = 2; i <= 6; ++i) {
      const std::string pnc = fmt::format(R"({{"pnc":"2015/010000{}{}"}})", i, "ZABCDEF"[i - 1]);
      more.push_back(Event(fmt::format("c{}", i), "custody.received", "2023-03-01T10:00:00Z",
                           R"("prison":"CFI","basis":"remand")", pnc));
    }
    f.Append(more);
    std::vector<std::uint64_t> seen;
    CohortQuery q = cfi;
    q.limit = 2;
    int pages = 0;
    do {
      auto page = QueryCohort(f.store(), q);
      REQUIRE(page.ok());
      CHECK(page->persons.size() <= 2);
      for (const auto& v : page->persons)
        seen.push_back(v.person);
      q.after = page->next;
      ++pages;
    } while (!q.after.empty() && pages < 10);
    CHECK(pages == 3);
    CHECK(seen.size() == 5);
    CHECK(std::set<std::uint64_t>(seen.begin(), seen.end()).size() == 5);
  }
  SECTION("as it stands today: a licence that ran out with nothing published is not listed") {
    f.clock().Advance(400 * events::kMillisPerDay);  // past 2024-02-01, the licence's end
    CohortQuery today = licence;
    today.as_at = f.clock().Now();
    CHECK(members(today).empty());
    CHECK(members(licence) == std::vector<std::uint64_t>{person});  // the index, as stored
  }
  SECTION("on remand, an old sentence's release date is not a release due") {
    f.Append({Event("rem", "custody.received", "2024-06-01T10:00:00Z",
                    R"("prison":"CFI","basis":"remand")")});
    CohortQuery due{.kind = CohortKind::kReleases, .from = events::Date{19374}, .within_days = 28};
    CHECK(members(due).empty());
    CHECK(members(cfi) == std::vector<std::uint64_t>{person});
  }
  SECTION("a query that names nothing is refused") {
    CHECK(QueryCohort(f.store(), {.kind = CohortKind::kPrison, .prison = "C1"})
              .status()
              .IsInvalidArgument());
    CHECK(QueryCohort(f.store(), {.kind = CohortKind::kMappa, .level = 4})
              .status()
              .IsInvalidArgument());
    CHECK(QueryCohort(f.store(), {.kind = CohortKind::kIom, .after = "zz"})
              .status()
              .IsInvalidArgument());
  }
  f.ExpectVerified();
}

TEST_CASE("A rebuild gives back the same views, cohorts and alerts", "[integration]") {
  StoreFixture f;
  for (int i = 1; i <= 6; ++i) {
    const std::string pnc = fmt::format(R"({{"pnc":"2015/010000{}{}"}})", i, "ZABCDEF"[i - 1]);
    std::vector<std::string> batch;
    batch.push_back(Arrest(fmt::format("a{}", i), "2019-03-04T10:00:00Z", pnc));
    batch.push_back(Event(fmt::format("r{}", i), "custody.released", "2020-01-10T10:00:00Z",
                          R"("prison":"CFI","reason":"licence")", pnc));
    batch.push_back(Event(fmt::format("m{}", i), "mappa.registered", "2019-01-10T10:00:00Z",
                          R"("category":1,"level":2,"area":"Gwent")", pnc));
    f.Append(batch);
    // Each person's index entries in table files of their own, as in a store of any size: a
    // scan of the index that starts at one person must not skip the files without them (the
    // person-events family filters by person prefix).
    REQUIRE(f.store().Flush().ok());
  }
  f.Append({Arrest("late", "2010-01-01T10:00:00Z")});
  const auto views = ReadFamily(f.store(), Family::kViews);
  const auto cohorts = ReadFamily(f.store(), Family::kCohorts);
  const auto alerts = ReadFamily(f.store(), Family::kAlerts);
  REQUIRE(views.size() == 6);
  REQUIRE(alerts.size() > 6);

  SECTION("on demand") {
    RebuildProgress progress;
    int calls = 0;
    RebuildOptions options;
    options.progress = [&](const RebuildProgress&) { ++calls; };
    REQUIRE(RebuildProjections(&f.store(), f.clock(), options, &progress).ok());
    CHECK(progress.persons_done == 6);
    CHECK(progress.events_done == 19);
    CHECK(progress.events_read == 19);
    CHECK(progress.events_total == 19);
    CHECK(calls >= 1);
    // Where the time went: each phase ran, and together they are within the whole.
    CHECK(progress.index_seconds > 0);
    CHECK(progress.scan_seconds > 0);
    CHECK(progress.fold_seconds > 0);
    CHECK(progress.index_seconds + progress.scan_seconds + progress.fold_seconds <=
          progress.seconds);
  }
  // Passes of one or two persons (3 or 4 events each): the log is scanned five times, and some
  // threads get no share of a pass's persons.
  auto rebuild_in_passes = [&](int threads) {
    RebuildOptions options;
    options.events_per_pass = 7;
    options.threads = threads;
    RebuildProgress progress;
    REQUIRE(RebuildProjections(&f.store(), f.clock(), options, &progress).ok());
    CHECK(progress.persons_done == 6);
    CHECK(progress.events_done == 19);
    CHECK(progress.index_seconds + progress.scan_seconds + progress.fold_seconds <=
          progress.seconds);
  };
  SECTION("in several passes, on one thread") { rebuild_in_passes(1); }
  SECTION("in several passes, on more threads than a pass has persons") { rebuild_in_passes(3); }
  SECTION("at start, when the views were built by another projection version") {
    REQUIRE(f.store().SetProjectionVersion(projections::kProjectionVersion + 1).ok());
    f.Reopen();
    CHECK(f.store().ProjectionVersion() == projections::kProjectionVersion);
  }
  CHECK(ReadFamily(f.store(), Family::kViews) == views);
  CHECK(ReadFamily(f.store(), Family::kCohorts) == cohorts);
  CHECK(ReadFamily(f.store(), Family::kAlerts) == alerts);
  f.ExpectVerified();
}

TEST_CASE("A rebuild that finds an indexed event missing from the log keeps the views in use",
          "[integration]") {
  StoreFixture f;
  f.Append({Arrest("a1", "2019-03-04T10:00:00Z"), Arrest("a2", "2019-05-01T10:00:00Z")});
  const auto views = ReadFamily(f.store(), Family::kViews);
  REQUIRE(f.store()
              .db()
              ->Delete(rocksdb::WriteOptions(), f.store().family(Family::kLog), U64Key(2))
              .ok());
  Status s = RebuildProjections(&f.store(), f.clock(), RebuildOptions{});
  CHECK(s.IsCorruption());
  CHECK_THAT(s.message(), Catch::Contains(fmt::format(
                              "the person-events index names 1 events of person {} that are not "
                              "in the log: run `throughline admin verify`",
                              f.PersonOf("pnc:2015/0100001Z"))));
  CHECK(ReadFamily(f.store(), Family::kViews) == views);
}

}  // namespace
}  // namespace throughline::services
