// The alerts the fold raises (projections/alert.h): for each rule, stories that raise it and
// stories that must not.

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/alert.h"
#include "projections/cohorts.h"
#include "projections/fold.h"
#include "tests/projections/story.h"

namespace throughline::projections {
namespace {

// The keys of the view's entries in the releases cohort.
std::vector<std::string> ReleasesEntries(const PersonView& view) {
  std::vector<std::string> keys;
  for (const CohortEntry& entry : CohortEntries(view)) {
    if (entry.key.rfind(ReleasesPrefix(), 0) == 0)
      keys.push_back(entry.key);
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Alerts

TEST_CASE("Alert: an IOM, MAPPA or OCG-linked person received into custody") {
  Story story;

  SECTION("raised for the receiving prison, whichever flag") {
    const auto flag = GENERATE(as<std::string>{}, "iom", "mappa", "ocg");
    if (flag == "iom") {
      story.Add("iom.adopted", "2019-01-01T09:00:00Z",
                R"("cohort":"fixed","selection_reason":"Neighbourhood crime")");
    } else if (flag == "mappa") {
      story.Add("mappa.registered", "2019-01-01T09:00:00Z",
                R"("category":1,"level":1,"area":"Gwent")");
    } else {
      story.Add("intelligence.ocg_linked", "2019-01-01T09:00:00Z", R"("ocg_ref":"GW-OCG-7")");
    }
    const FoldInput received =
        story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"PRI","basis":"remand")");
    const ProjectionState state = story.Fold();
    INFO(flag);
    const auto alerts = AlertsOf(state, AlertRule::kFlaggedPersonReceived);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kFlaggedPersonReceived, received, "prison:PRI");
    CHECK_FALSE(alerts[0].due.has_value());
    CHECK(IsRaised(alerts[0], At("2019-03-18T16:20:00Z")));
    CHECK(state.alerts.size() == 1);
  }

  SECTION("not raised again when the prison holding them records a new basis") {
    story.Add("iom.adopted", "2019-01-01T09:00:00Z",
              R"("cohort":"fixed","selection_reason":"Neighbourhood crime")");
    const FoldInput received =
        story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"PRI","basis":"remand")");
    story.Add("custody.received", "2019-06-03T10:00:00Z", R"("prison":"PRI","basis":"sentenced")");
    story.Add("custody.received", "2019-12-20T09:00:00Z",
              R"("prison":"PRI","basis":"immigration")");
    const ProjectionState state = story.Fold();
    const auto alerts = AlertsOf(state, AlertRule::kFlaggedPersonReceived);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kFlaggedPersonReceived, received, "prison:PRI");
    REQUIRE(state.view.custody.has_value());
    CHECK(state.view.custody->basis == events::CustodyBasis::kImmigration);
  }

  SECTION("raised when a reception puts them in another prison, or back in after a release") {
    story.Add("iom.adopted", "2019-01-01T09:00:00Z",
              R"("cohort":"fixed","selection_reason":"Neighbourhood crime")");
    story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"PRI","basis":"remand")");
    const FoldInput elsewhere =
        story.Add("custody.received", "2019-04-02T10:00:00Z", R"("prison":"CFI","basis":"remand")");
    story.Add("custody.released", "2019-05-01T10:00:00Z", R"("prison":"CFI","reason":"bail")");
    const FoldInput again =
        story.Add("custody.received", "2019-08-01T17:00:00Z", R"("prison":"CFI","basis":"remand")");
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kFlaggedPersonReceived);
    REQUIRE(alerts.size() == 3);
    CheckAlert(alerts[1], AlertRule::kFlaggedPersonReceived, elsewhere, "prison:CFI");
    CheckAlert(alerts[2], AlertRule::kFlaggedPersonReceived, again, "prison:CFI");
  }

  SECTION("not raised for a person with no flag, or whose flags were lifted") {
    story.Add("iom.adopted", "2019-01-01T09:00:00Z",
              R"("cohort":"flex","selection_reason":"Neighbourhood crime")");
    story.Add("intelligence.ocg_linked", "2019-01-02T09:00:00Z", R"("ocg_ref":"GW-OCG-7")");
    story.Add("mappa.registered", "2019-01-03T09:00:00Z",
              R"("category":2,"level":1,"area":"Gwent")");
    story.Add("iom.exited", "2019-02-01T09:00:00Z");
    story.Add("intelligence.ocg_unlinked", "2019-02-02T09:00:00Z", R"("ocg_ref":"GW-OCG-7")");
    story.Add("mappa.deregistered", "2019-02-03T09:00:00Z");
    story.Add("safeguarding.concern_raised", "2019-02-04T09:00:00Z", R"("kind":"county_lines")");
    story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"PRI","basis":"remand")");
    const ProjectionState state = story.Fold();
    CHECK(state.alerts.empty());
    CHECK_FALSE(state.view.flags.ocg_linked);
    CHECK(state.view.flags.safeguarding ==
          std::vector<events::SafeguardingKind>{events::SafeguardingKind::kCountyLines});
  }
}

TEST_CASE("Alert: released on licence and no licence started within 2 days") {
  Story story;
  story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"CFI","basis":"sentenced")");
  const FoldInput released =
      story.Add("custody.released", "2019-12-20T09:30:00Z", R"("prison":"CFI","reason":"licence")");
  const Timestamp due = Plus(At("2019-12-20T09:30:00Z"), 2 * events::kMillisPerDay);

  SECTION("pending for probation until 2 days after the release, then raised") {
    const ProjectionState state = story.Fold();
    const auto alerts = AlertsOf(state, AlertRule::kNoLicenceAfterRelease);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kNoLicenceAfterRelease, released, "probation");
    CHECK(alerts[0].due == due);
    CHECK(alerts[0].due == At("2019-12-22T09:30:00Z"));
    CHECK_FALSE(IsRaised(alerts[0], At("2019-12-21T09:30:00Z")));
    CHECK_FALSE(IsRaised(alerts[0], Plus(due, -1)));
    CHECK(IsRaised(alerts[0], due));
  }

  SECTION("a licence started after the 2 days does not take back the alert") {
    story.Add("licence.started", "2019-12-23T10:00:00Z",
              R"("end_date":"2020-10-07","area":"Cardiff and Vale")");
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kNoLicenceAfterRelease);
    REQUIRE(alerts.size() == 1);
    CHECK(alerts[0].due == due);
  }

  SECTION("not raised when the licence starts within 2 days, even if published first") {
    const auto when = GENERATE(as<std::string>{}, "2019-12-20T11:00:00Z", "2019-12-22T09:30:00Z");
    story.Add("licence.started", when, R"("end_date":"2020-10-07","area":"Cardiff and Vale")");
    INFO(when);
    CHECK(AlertsOf(story.Fold(), AlertRule::kNoLicenceAfterRelease).empty());
  }

  SECTION("not raised when the licence was already running (a re-release after recall)") {
    Story recall;
    recall.Add("licence.started", "2019-12-20T11:00:00Z",
               R"("end_date":"2020-10-07","area":"Cardiff and Vale")");
    recall.Add("licence.recalled", "2020-01-14T14:00:00Z", R"("kind":"standard")");
    recall.Add("custody.received", "2020-01-15T13:10:00Z", R"("prison":"SWI","basis":"recall")");
    recall.Add("custody.released", "2020-02-12T09:15:00Z",
               R"("prison":"SWI","reason":"home_detention_curfew")");
    CHECK(AlertsOf(recall.Fold(), AlertRule::kNoLicenceAfterRelease).empty());
  }

  SECTION("not raised for a release at the end of the sentence") {
    Story end;
    end.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"CFI","basis":"sentenced")");
    end.Add("custody.released", "2019-12-20T09:30:00Z",
            R"("prison":"CFI","reason":"end_of_sentence")");
    CHECK(end.Fold().alerts.empty());
  }

  SECTION("not raised when the person died within the 2 days") {
    story.Add("person.deceased", "2019-12-21T09:30:00Z");
    CHECK(AlertsOf(story.Fold(), AlertRule::kNoLicenceAfterRelease).empty());
  }
}

TEST_CASE("Alert: a MAPPA level 2 or 3 person released") {
  Story story;

  SECTION("raised for the MAPPA area at level 2 or 3") {
    const int level = GENERATE(2, 3);
    story.Add("mappa.registered", "2019-01-01T09:00:00Z",
              fmt::format(R"("category":2,"level":{},"area":"Dyfed-Powys")", level));
    story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"SWI","basis":"sentenced")");
    const FoldInput released = story.Add("custody.released", "2019-12-20T09:30:00Z",
                                         R"("prison":"SWI","reason":"end_of_sentence")");
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kMappaRelease);
    INFO("level " << level);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kMappaRelease, released, "mappa:Dyfed-Powys");
    CHECK_FALSE(alerts[0].due.has_value());
  }

  SECTION("raised after the level went up to 3") {
    story.Add("mappa.registered", "2019-01-01T09:00:00Z",
              R"("category":1,"level":1,"area":"South Wales")");
    story.Add("mappa.level_changed", "2019-06-01T09:00:00Z", R"("level":3)");
    const FoldInput released = story.Add("custody.released", "2019-12-20T09:30:00Z",
                                         R"("prison":"CFI","reason":"end_of_sentence")");
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kMappaRelease);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kMappaRelease, released, "mappa:South Wales");
  }

  SECTION("not raised at level 1") {
    story.Add("mappa.registered", "2019-01-01T09:00:00Z",
              R"("category":2,"level":2,"area":"Gwent")");
    story.Add("mappa.level_changed", "2019-06-01T09:00:00Z", R"("level":1)");
    story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"SWI","basis":"sentenced")");
    story.Add("custody.released", "2019-12-20T09:30:00Z",
              R"("prison":"SWI","reason":"end_of_sentence")");
    const ProjectionState state = story.Fold();
    CHECK(AlertsOf(state, AlertRule::kMappaRelease).empty());
    REQUIRE(state.view.mappa.has_value());
    CHECK(state.view.mappa->level == 1);
  }
}

TEST_CASE("Alert: recalled from licence") {
  Story story;
  story.Add("licence.started", "2019-12-20T11:00:00Z",
            R"("end_date":"2020-10-07","area":"Cardiff and Vale")");

  SECTION("raised for the force of the last arrest") {
    story.Add("arrest.recorded", "2020-01-10T10:00:00Z",
              R"("mode":"arrest","force":"south-wales","offences":[{"code":"TH68001"}])");
    const FoldInput recalled =
        story.Add("licence.recalled", "2020-01-14T14:00:00Z", R"("kind":"standard")");
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kRecall);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kRecall, recalled, "police:south-wales");
    CHECK_FALSE(alerts[0].due.has_value());
  }

  SECTION("raised for the police when no arrest is known") {
    const FoldInput recalled =
        story.Add("licence.recalled", "2020-01-14T14:00:00Z", R"("kind":"hdc_curfew_breach")");
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kRecall);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kRecall, recalled, "police");
  }

  SECTION("not raised by a breach without a recall") {
    story.Add("licence.breached", "2020-01-13T10:00:00Z", R"("action":"recall_requested")");
    const ProjectionState state = story.Fold();
    CHECK(state.alerts.empty());
    CHECK(state.view.counts.licence_breaches == 1);
  }
}

TEST_CASE("Alert: an expected release date passed with no release") {
  Story story;
  story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"CFI","basis":"remand")");
  const FoldInput sentenced =
      story.Add("sentence.imposed", "2019-04-08T11:15:00Z",
                R"("case_id":"K1","kind":"immediate_custody","length":"P18M",)"
                R"("expected_release_date":"2019-12-20","licence_end_date":"2020-10-07")");
  const Timestamp due = At("2019-12-21T00:00:00Z");  // the day after the expected release

  SECTION("pending for the prison that holds them until the day after, then raised") {
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kReleaseOverdue);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kReleaseOverdue, sentenced, "prison:CFI");
    CHECK(alerts[0].due == due);
    CHECK_FALSE(IsRaised(alerts[0], At("2019-12-20T23:59:59.999Z")));
    CHECK(IsRaised(alerts[0], due));
  }

  SECTION("follows the person to the prison they are transferred to") {
    story.Add("custody.transferred", "2019-05-02T08:00:00Z",
              R"("from_prison":"CFI","to_prison":"SWI","reason":"allocation")");
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kReleaseOverdue);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kReleaseOverdue, sentenced, "prison:SWI");
  }

  SECTION("stays raised when the release comes after the date") {
    story.Add("custody.released", "2019-12-23T09:30:00Z",
              R"("prison":"CFI","reason":"end_of_sentence")");
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kReleaseOverdue);
    REQUIRE(alerts.size() == 1);
    CHECK(alerts[0].due == due);
  }

  SECTION("not raised when the release comes on or before the date") {
    const auto when = GENERATE(as<std::string>{}, "2019-11-01T09:30:00Z", "2019-12-20T23:00:00Z");
    story.Add("custody.released", when, R"("prison":"CFI","reason":"end_of_sentence")");
    INFO(when);
    CHECK(AlertsOf(story.Fold(), AlertRule::kReleaseOverdue).empty());
  }

  SECTION("answered when the prison holds them on, on remand or under immigration powers") {
    const auto basis = GENERATE(as<std::string>{}, "remand", "immigration");
    story.Add("custody.received", "2019-12-20T09:00:00Z",
              fmt::format(R"("prison":"CFI","basis":"{}")", basis));
    INFO(basis);
    const ProjectionState state = story.Fold();
    CHECK(AlertsOf(state, AlertRule::kReleaseOverdue).empty());
    // No longer serving: not on the releases cohort either.
    CHECK(ReleasesEntries(state.view).empty());
  }

  SECTION("answered when they fail to return from a temporary absence before the date") {
    story.Add("custody.temporary_absence.started", "2019-12-10T08:00:00Z",
              R"("prison":"CFI","kind":"resettlement_day_release")");
    story.Add("custody.temporary_absence.ended", "2019-12-10T22:00:00Z",
              R"("prison":"CFI","outcome":"failed_to_return")");
    const ProjectionState state = story.Fold();
    CHECK(AlertsOf(state, AlertRule::kReleaseOverdue).empty());
    REQUIRE(state.view.custody.has_value());
    CHECK(state.view.custody->unlawfully_at_large);
  }

  SECTION("still raised when the new basis comes after the date") {
    story.Add("custody.received", "2019-12-23T09:00:00Z", R"("prison":"CFI","basis":"remand")");
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kReleaseOverdue);
    REQUIRE(alerts.size() == 1);
    CHECK(alerts[0].due == due);
  }

  SECTION("a sentence that releases them sooner, imposed while serving, leaves the later date") {
    const auto later = GENERATE(as<std::string>{},
                                R"("case_id":"K2","kind":"immediate_custody","length":"P6M",)"
                                R"("expected_release_date":"2019-07-05","licence_end_date":)"
                                R"("2019-10-07")",
                                R"("case_id":"K2","kind":"immediate_custody","length":"P6M")",
                                R"("case_id":"K2","kind":"community_order","length":"P12M")");
    story.Add("sentence.imposed", "2019-05-10T11:00:00Z", later);
    INFO(later);
    const ProjectionState state = story.Fold();
    const auto alerts = AlertsOf(state, AlertRule::kReleaseOverdue);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kReleaseOverdue, sentenced, "prison:CFI");
    CHECK(alerts[0].due == due);
    REQUIRE(state.view.sentence.has_value());
    CHECK(state.view.sentence->case_id == "K1");
    CHECK(state.view.sentence->expected_release_date == Day("2019-12-20"));
    CHECK(state.view.cases == std::vector<std::string>{"K1", "K2"});
    const std::vector<std::string> releases = ReleasesEntries(state.view);
    REQUIRE(releases.size() == 1);
    CHECK(releases[0].rfind(ReleasesKey(Day("2019-12-20")), 0) == 0);
  }

  SECTION("a sentence that releases them later, imposed while serving, moves the date") {
    const FoldInput longer =
        story.Add("sentence.imposed", "2019-05-10T11:00:00Z",
                  R"("case_id":"K2","kind":"immediate_custody","length":"P36M",)"
                  R"("expected_release_date":"2020-11-06","licence_end_date":"2022-05-09")");
    const ProjectionState state = story.Fold();
    const auto alerts = AlertsOf(state, AlertRule::kReleaseOverdue);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kReleaseOverdue, longer, "prison:CFI");
    CHECK(alerts[0].due == At("2020-11-07T00:00:00Z"));
    CHECK(state.view.sentence->case_id == "K2");
    // Sentenced while on remand: serving now, though no reception said so.
    REQUIRE(state.view.custody.has_value());
    CHECK(state.view.custody->basis == events::CustodyBasis::kSentenced);
  }

  SECTION("not raised for a sentence that is not immediate custody") {
    Story other;
    other.Add("sentence.imposed", "2019-04-08T11:15:00Z",
              R"("case_id":"K1","kind":"suspended","length":"P12M")");
    CHECK(other.Fold().alerts.empty());
  }
}

TEST_CASE("Alert: a foreign national released with no immigration decision") {
  Story story;
  story.Add("immigration.status_changed", "2019-02-01T09:00:00Z",
            R"("status":"foreign_national_offender","reference":"HO-FNO-1")");
  story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"CFI","basis":"sentenced")");

  SECTION("raised for immigration") {
    const FoldInput released = story.Add("custody.released", "2019-12-20T09:30:00Z",
                                         R"("prison":"CFI","reason":"end_of_sentence")");
    const ProjectionState state = story.Fold();
    const auto alerts = AlertsOf(state, AlertRule::kForeignNationalReleased);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kForeignNationalReleased, released, "immigration");
    CHECK_FALSE(alerts[0].due.has_value());
    CHECK(state.view.flags.foreign_national);
    CHECK_FALSE(state.view.flags.deportation_order);
  }

  SECTION("not raised when a deportation order was made") {
    story.Add("immigration.status_changed", "2019-09-01T09:00:00Z",
              R"("status":"deportation_order")");
    story.Add("custody.released", "2019-12-20T09:30:00Z",
              R"("prison":"CFI","reason":"end_of_sentence")");
    const ProjectionState state = story.Fold();
    CHECK(AlertsOf(state, AlertRule::kForeignNationalReleased).empty());
    CHECK(state.view.flags.deportation_order);
  }

  SECTION("not raised when the release is the deportation") {
    story.Add("custody.released", "2019-12-20T09:30:00Z", R"("prison":"CFI","reason":"deported")");
    CHECK(AlertsOf(story.Fold(), AlertRule::kForeignNationalReleased).empty());
  }

  SECTION("not raised for a British national") {
    Story british;
    british.Add("custody.received", "2019-03-18T16:20:00Z",
                R"("prison":"CFI","basis":"sentenced")");
    british.Add("custody.released", "2019-12-20T09:30:00Z",
                R"("prison":"CFI","reason":"end_of_sentence")");
    CHECK(british.Fold().alerts.empty());
  }
}

TEST_CASE("Alert: an event carried identifiers of two people") {
  Story story;
  story.Add("arrest.recorded", "2019-03-04T10:15:00Z",
            R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])");

  SECTION("raised for the publisher of the event") {
    const FoldInput conflicted =
        story.Add("risk.assessed", "2019-03-05T10:00:00Z", R"("rosh":"medium")",
                  WithConflicts(2, "probation/wales/oasys"));
    const auto alerts = AlertsOf(story.Fold(), AlertRule::kIdentityConflict);
    REQUIRE(alerts.size() == 1);
    CheckAlert(alerts[0], AlertRule::kIdentityConflict, conflicted,
               "publisher:probation/wales/oasys");
    CHECK_FALSE(alerts[0].due.has_value());
  }

  SECTION("not raised when no identifier belongs to anyone else") {
    story.Add("risk.assessed", "2019-03-05T10:00:00Z", R"("rosh":"medium")",
              WithConflicts(0, "probation/wales/oasys"));
    CHECK(story.Fold().alerts.empty());
  }
}

TEST_CASE("One release can raise several alerts, each with its own id") {
  Story story;
  story.Add("mappa.registered", "2019-01-01T09:00:00Z", R"("category":1,"level":3,"area":"Gwent")");
  story.Add("immigration.status_changed", "2019-02-01T09:00:00Z",
            R"("status":"foreign_national_offender")");
  const FoldInput received = story.Add("custody.received", "2019-03-18T16:20:00Z",
                                       R"("prison":"UKI","basis":"sentenced")");
  const FoldInput released = story.Add("custody.released", "2019-12-20T09:30:00Z",
                                       R"("prison":"UKI","reason":"licence")", WithConflicts(1));
  const ProjectionState state = story.Fold();
  std::vector<std::string> ids;
  for (const auto& a : state.alerts)
    ids.push_back(a.id);
  const auto r = released.sequence;
  CHECK(ids == std::vector<std::string>{
                   fmt::format("flagged_person_received-{}", received.sequence),
                   fmt::format("no_licence_after_release-{}", r),
                   fmt::format("mappa_release-{}", r),
                   fmt::format("foreign_national_released-{}", r),
                   fmt::format("identity_conflict-{}", r),
               });
}

}  // namespace
}  // namespace throughline::projections
