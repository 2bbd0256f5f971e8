// The fold (projections/fold.cc), story by story: each test writes a person's events as the
// agencies would publish them, folds them, and reads the view the partners would see: counts,
// stages, order, retraction, replay and upcasting. Alerts: alerts_test.cc.

#include "projections/fold.h"

#include <algorithm>
#include <random>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/projection_codec.h"
#include "projections/view_json.h"
#include "tests/projections/story.h"

namespace throughline::projections {
namespace {

// ---------------------------------------------------------------------------------------------
// Counts

TEST_CASE("Counts follow the brief's definitions") {
  Story story;

  SECTION("arrests count arrests, summonses and voluntary attendances") {
    story.Add("arrest.recorded", "2019-03-04T10:15:00Z",
              R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])");
    story.Add("arrest.recorded", "2019-05-04T10:15:00Z",
              R"("mode":"summons","force":"gwent","offences":[{"code":"TH68001"}])");
    story.Add("arrest.recorded", "2019-07-04T10:15:00Z",
              R"("mode":"voluntary_attendance","force":"south-wales",)"
              R"("offences":[{"code":"TH68001"}])");
    const PersonView v = story.View();
    CHECK(v.counts.arrests == 3);
    CHECK(v.force == "south-wales");  // of the last arrest
  }

  SECTION("remands are hearings that remand in custody or on bail, and nothing else") {
    for (const char* outcome : {"remanded_in_custody", "adjourned", "remanded_on_bail",
                                "sent_to_crown_court", "committed_for_sentence", "case_closed"}) {
      story.Add(
          "court.hearing", fmt::format("2019-03-{:02}T10:00:00Z", story.inputs().size() + 1),
          fmt::format(R"("case_id":"K1","court":"Cardiff Magistrates","outcome":"{}")", outcome));
    }
    const PersonView v = story.View();
    CHECK(v.counts.remands == 2);
    CHECK(v.counts.court_cases == 1);
  }

  SECTION("court cases are the distinct case ids the courts dealt with") {
    story.Add("court.hearing", "2019-03-01T10:00:00Z",
              R"("case_id":"K1","court":"Cardiff","outcome":"adjourned")");
    story.Add("court.hearing", "2019-03-08T10:00:00Z",
              R"("case_id":"K1","court":"Cardiff","outcome":"remanded_on_bail")");
    story.Add("court.hearing", "2019-03-09T10:00:00Z",
              R"("case_id":"K2","court":"Newport","outcome":"adjourned")");
    story.Add("conviction.recorded", "2019-04-01T10:00:00Z",
              R"("case_id":"K3","charge_ids":["C3"],"offences":[{"code":"TH68001"}])");
    story.Add("sentence.imposed", "2019-04-02T10:00:00Z", R"("case_id":"K4","kind":"fine")");
    story.Add("sentence.imposed", "2019-04-03T10:00:00Z", R"("case_id":"K1","kind":"fine")");
    const PersonView v = story.View();
    CHECK(v.counts.court_cases == 4);
    CHECK(v.cases == std::vector<std::string>{"K1", "K2", "K3", "K4"});
  }

  SECTION("cautions are simple and conditional cautions; every disposal is out of court") {
    for (const char* kind : {"caution", "conditional_caution", "community_resolution",
                             "penalty_notice", "diversion", "caution"}) {
      story.Add("out_of_court.disposal",
                fmt::format("2019-03-{:02}T10:00:00Z", story.inputs().size() + 1),
                fmt::format(R"("kind":"{}","offence":{{"code":"PL96001"}})", kind));
    }
    const PersonView v = story.View();
    CHECK(v.counts.cautions == 3);
    CHECK(v.counts.out_of_court_disposals == 6);
    CHECK(v.counts.convictions == 0);
  }

  SECTION("convictions, custodial sentences, recalls and licence breaches are counted") {
    story.Add("conviction.recorded", "2018-01-10T10:00:00Z",
              R"("case_id":"K1","charge_ids":["C1","C2"],"offences":[{"code":"TH68001"}])");
    story.Add("sentence.imposed", "2018-01-10T11:00:00Z",
              R"("case_id":"K1","kind":"suspended","length":"P12M")");
    story.Add("conviction.recorded", "2019-02-10T10:00:00Z",
              R"("case_id":"K2","charge_ids":["C3"],"offences":[{"code":"TH68001"}])");
    story.Add("sentence.imposed", "2019-02-10T11:00:00Z",
              R"("case_id":"K2","kind":"immediate_custody","length":"P6M",)"
              R"("expected_release_date":"2019-05-10","licence_end_date":"2019-08-10")");
    story.Add("sentence.imposed", "2019-02-11T11:00:00Z",
              R"("case_id":"K3","kind":"community_order","length":"P12M")");
    story.Add("sentence.imposed", "2019-02-12T11:00:00Z", R"("case_id":"K4","kind":"fine")");
    story.Add("sentence.imposed", "2019-02-13T11:00:00Z",
              R"("case_id":"K5","kind":"immediate_custody","length":"P2M")");
    story.Add("licence.started", "2019-05-10T12:00:00Z",
              R"("end_date":"2019-08-10","area":"Cardiff and Vale")");
    story.Add("licence.breached", "2019-06-01T12:00:00Z", R"("action":"warning")");
    story.Add("licence.breached", "2019-06-20T12:00:00Z", R"("action":"recall_requested")");
    story.Add("licence.recalled", "2019-06-21T12:00:00Z", R"("kind":"fixed_term_28")");
    const PersonView v = story.View();
    CHECK(v.counts.convictions == 2);
    CHECK(v.counts.custodial_sentences == 2);
    CHECK(v.counts.licence_breaches == 2);
    CHECK(v.counts.recalls == 1);
    CHECK(v.counts.charges == 0);
  }

  SECTION("an arrest while on bail is an offence on bail") {
    const auto arrest = [&](std::string_view time) {
      story.Add("arrest.recorded", time,
                R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])");
    };
    arrest("2019-03-01T10:00:00Z");  // not on bail
    story.Add("bail.granted", "2019-03-01T20:00:00Z",
              R"("granted_by":"police","case_id":"K1","until":"2019-03-18")");
    arrest("2019-03-10T10:00:00Z");  // on police bail
    arrest("2019-03-19T10:00:00Z");  // bail lapsed after 2019-03-18
    CHECK(story.View().counts.offences_on_bail == 1);

    story.Add("court.hearing", "2019-04-01T10:00:00Z",
              R"("case_id":"K1","court":"Newport","outcome":"remanded_on_bail",)"
              R"("next_hearing":"2019-05-01")");
    arrest("2019-04-10T10:00:00Z");  // on court bail
    CHECK(story.View().counts.offences_on_bail == 2);

    story.Add("court.hearing", "2019-05-01T10:00:00Z",
              R"("case_id":"K1","court":"Newport","outcome":"remanded_in_custody")");
    story.Add("custody.received", "2019-05-01T16:00:00Z", R"("prison":"CFI","basis":"remand")");
    story.Add("custody.released", "2019-05-20T10:00:00Z", R"("prison":"CFI","reason":"bail")");
    arrest("2019-05-25T10:00:00Z");  // released on bail
    story.Add("sentence.imposed", "2019-06-01T10:00:00Z", R"("case_id":"K1","kind":"fine")");
    arrest("2019-06-10T10:00:00Z");  // sentence ends bail
    const PersonView v = story.View();
    CHECK(v.counts.arrests == 6);
    CHECK(v.counts.offences_on_bail == 3);
    CHECK(v.counts.offences_on_licence_or_suspended == 0);
  }

  SECTION("an arrest on licence or under a suspended sentence counts as on licence or suspended") {
    const auto arrest = [&](std::string_view time) {
      story.Add("arrest.recorded", time,
                R"("mode":"summons","force":"north-wales","offences":[{"code":"TH68001"}])");
    };
    story.Add("sentence.imposed", "2018-01-10T11:00:00Z",
              R"("case_id":"K1","kind":"suspended","length":"P6M")");
    arrest("2018-03-01T10:00:00Z");  // under the suspended sentence
    arrest("2018-08-01T10:00:00Z");  // it ran out on 2018-07-10
    CHECK(story.View().counts.offences_on_licence_or_suspended == 1);

    story.Add("licence.started", "2019-05-10T12:00:00Z",
              R"("end_date":"2019-08-10","area":"North Wales")");
    arrest("2019-06-01T10:00:00Z");  // on licence
    arrest("2019-08-11T10:00:00Z");  // the licence expired on 2019-08-10
    CHECK(story.View().counts.offences_on_licence_or_suspended == 2);

    story.Add("supervision.started", "2020-01-10T12:00:00Z",
              R"("kind":"suspended_sentence_order","area":"North Wales")");
    story.Add("bail.granted", "2020-02-01T12:00:00Z", R"("granted_by":"police")");
    arrest("2020-02-10T10:00:00Z");  // on a suspended sentence order, and on bail
    const PersonView v = story.View();
    CHECK(v.counts.arrests == 5);
    CHECK(v.counts.offences_on_licence_or_suspended == 3);
    CHECK(v.counts.offences_on_bail == 1);
  }

  SECTION("the charge-to-conviction rate is convictions over charges, to 3 places") {
    Counts counts;
    CHECK_FALSE(ChargeToConvictionRate(counts).has_value());
    counts.charges = 3;
    counts.convictions = 1;
    CHECK(ChargeToConvictionRate(counts) == 0.333);
    counts.convictions = 2;
    CHECK(ChargeToConvictionRate(counts) == 0.667);
    counts.charges = 76;
    counts.convictions = 12;
    CHECK(ChargeToConvictionRate(counts) == 0.158);
  }
}

TEST_CASE("The brief's case study comes out as 31, 76, 53, 44, 3, 12 and 0.158") {
  Story story;
  std::int64_t day = 0;
  const Timestamp start = At("2008-01-01T10:00:00Z");
  const auto next_time = [&] {
    return events::FormatTimestamp(Plus(start, (day++) * events::kMillisPerDay));
  };
  for (int i = 0; i < 31; ++i) {
    const char* mode = i % 10 == 3 ? "summons" : i % 10 == 7 ? "voluntary_attendance" : "arrest";
    story.Add(
        "arrest.recorded", next_time(),
        fmt::format(R"("mode":"{}","force":"gwent","offences":[{{"code":"TH68001"}}])", mode));
  }
  for (int i = 0; i < 76; ++i) {
    story.Add("charge.recorded", next_time(),
              fmt::format(R"("charge_id":"C{}","case_id":"K{}","offence":{{"code":"TH68001"}})", i,
                          i % 44));
  }
  for (int i = 0; i < 63; ++i) {
    const char* outcome = i >= 53 ? "adjourned"
                          : i % 2 ? "remanded_on_bail"
                                  : "remanded_in_custody";
    story.Add("court.hearing", next_time(),
              fmt::format(R"("case_id":"K{}","court":"Newport","outcome":"{}")", i % 44, outcome));
  }
  for (const char* kind :
       {"caution", "community_resolution", "conditional_caution", "penalty_notice", "caution"}) {
    story.Add("out_of_court.disposal", next_time(),
              fmt::format(R"("kind":"{}","offence":{{"code":"PL96001"}})", kind));
  }
  for (int i = 0; i < 12; ++i) {
    story.Add(
        "conviction.recorded", next_time(),
        fmt::format(R"("case_id":"K{}","charge_ids":["C{}"],"offences":[{{"code":"TH68001"}}])", i,
                    i));
  }
  const PersonView v = story.View();
  CHECK(v.counts.arrests == 31);
  CHECK(v.counts.charges == 76);
  CHECK(v.counts.remands == 53);
  CHECK(v.counts.court_cases == 44);
  CHECK(v.counts.cautions == 3);
  CHECK(v.counts.out_of_court_disposals == 5);
  CHECK(v.counts.convictions == 12);
  CHECK(ChargeToConvictionRate(v.counts) == 0.158);
  CHECK(v.open_charges.size() == 76 - 12);
  CHECK(v.awaiting_sentence.size() == 12);
}

// ---------------------------------------------------------------------------------------------
// Stages

TEST_CASE("A custodial sentence moves the person from remand to licence and beyond") {
  Story story;
  story.Add("arrest.recorded", "2019-03-04T10:15:00Z",
            R"("mode":"arrest","force":"dyfed-powys","offences":[{"code":"TH68001"}])");
  story.Add("charge.recorded", "2019-03-04T18:40:00Z",
            R"("charge_id":"C1","case_id":"K1","offence":{"code":"TH68001"})");
  CHECK(story.StageNow() == Stage::kPreConviction);
  CHECK(story.View().open_charges == std::vector<std::string>{"C1"});

  story.Add("bail.granted", "2019-03-04T19:05:00Z",
            R"("granted_by":"police","case_id":"K1","until":"2019-03-18")");
  {
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kPreConviction);
    REQUIRE(v.bail.has_value());
    CHECK(v.bail->granted_by == events::BailGrantor::kPolice);
    CHECK(v.bail->until == Day("2019-03-18"));
  }

  story.Add("court.hearing", "2019-03-18T10:00:00Z",
            R"("case_id":"K1","court":"Llanelli","outcome":"remanded_in_custody")");
  story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"CFI","basis":"remand")");
  {
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kInCustody);
    CHECK_FALSE(v.bail.has_value());
    REQUIRE(v.custody.has_value());
    CHECK(v.custody->prison == "CFI");
    CHECK(v.custody->basis == events::CustodyBasis::kRemand);
    CHECK(v.custody->since == At("2019-03-18T16:20:00Z"));
  }

  story.Add("conviction.recorded", "2019-04-08T10:30:00Z",
            R"("case_id":"K1","charge_ids":["C1"],"offences":[{"code":"TH68001"}])");
  CHECK(story.StageNow() == Stage::kInCustody);  // inside while awaiting sentence
  CHECK(story.View().awaiting_sentence == std::vector<std::string>{"K1"});

  story.Add("sentence.imposed", "2019-04-08T11:15:00Z",
            R"("case_id":"K1","kind":"immediate_custody","length":"P18M",)"
            R"("expected_release_date":"2019-12-20","licence_end_date":"2020-10-07")");
  // The prison records the new basis of the same spell.
  story.Add("custody.received", "2019-04-08T16:00:00Z", R"("prison":"CFI","basis":"sentenced")");
  story.Add("custody.transferred", "2019-05-02T08:00:00Z",
            R"("from_prison":"CFI","to_prison":"SWI","reason":"allocation")");
  story.Add("custody.transferred", "2019-08-14T07:30:00Z",
            R"("from_prison":"SWI","to_prison":"UPI","reason":"resettlement")");
  {
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kInCustody);
    CHECK(v.awaiting_sentence.empty());
    CHECK(v.open_charges.empty());
    REQUIRE(v.sentence.has_value());
    CHECK(v.sentence->kind == events::SentenceKind::kImmediateCustody);
    CHECK(v.sentence->expected_release_date == Day("2019-12-20"));
    REQUIRE(v.custody.has_value());
    CHECK(v.custody->prison == "UPI");
    CHECK(v.custody->basis == events::CustodyBasis::kSentenced);
    CHECK(v.custody->since == At("2019-03-18T16:20:00Z"));  // the same spell
    CHECK(v.custody_episodes.size() == 1);
  }

  story.Add("custody.released", "2019-12-20T09:30:00Z", R"("prison":"UPI","reason":"licence")");
  story.Add("licence.started", "2019-12-20T11:00:00Z",
            R"("kind":"standard","end_date":"2020-10-07","area":"Carmarthenshire",)"
            R"("conditions":["Reside at approved premises","Not to contact victim"])");
  {
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kOnLicence);
    CHECK_FALSE(v.custody.has_value());
    REQUIRE(v.licence.has_value());
    CHECK(v.licence->end_date == Day("2020-10-07"));
    CHECK(v.licence->area == "Carmarthenshire");
    CHECK(v.licence->conditions ==
          std::vector<std::string>{"Reside at approved premises", "Not to contact victim"});
    CHECK_FALSE(v.licence->recalled);
  }

  story.Add("licence.recalled", "2020-01-14T14:00:00Z", R"("kind":"fixed_term_28")");
  {
    const PersonView v = story.View();
    REQUIRE(v.licence.has_value());
    CHECK(v.licence->recalled);
    CHECK(v.licence->recall_kind == events::RecallKind::kFixedTerm28);
  }
  story.Add("custody.received", "2020-01-15T13:10:00Z", R"("prison":"SWI","basis":"recall")");
  {
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kInCustody);
    REQUIRE(v.custody.has_value());
    CHECK(v.custody->basis == events::CustodyBasis::kRecall);
    CHECK(v.custody->since == At("2020-01-15T13:10:00Z"));
  }

  story.Add("custody.released", "2020-02-12T09:15:00Z", R"("prison":"SWI","reason":"licence")");
  {
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kOnLicence);
    REQUIRE(v.licence.has_value());
    CHECK_FALSE(v.licence->recalled);  // back on the same licence
    CHECK(v.licence->since == At("2019-12-20T11:00:00Z"));
  }

  story.Add("licence.ended", "2020-10-07T22:59:00Z", R"("reason":"Licence expired")");
  const PersonView v = story.View();
  CHECK(v.stage == Stage::kPostSentence);
  CHECK_FALSE(v.licence.has_value());
  CHECK(v.counts.recalls == 1);
  CHECK(v.counts.custodial_sentences == 1);

  REQUIRE(v.custody_episodes.size() == 2);
  const CustodyEpisode& first = v.custody_episodes[0];
  CHECK(first.received == At("2019-03-18T16:20:00Z"));
  CHECK(first.released == At("2019-12-20T09:30:00Z"));
  CHECK(first.basis == events::CustodyBasis::kRemand);
  CHECK(first.prisons == std::vector<std::string>{"CFI", "SWI", "UPI"});
  CHECK(first.release_reason == events::ReleaseReason::kLicence);
  const CustodyEpisode& second = v.custody_episodes[1];
  CHECK(second.received == At("2020-01-15T13:10:00Z"));
  CHECK(second.released == At("2020-02-12T09:15:00Z"));
  CHECK(second.basis == events::CustodyBasis::kRecall);
  CHECK(second.prisons == std::vector<std::string>{"SWI"});

  CHECK(v.events == static_cast<std::int32_t>(story.inputs().size()));
  CHECK(v.first_event == At("2019-03-04T10:15:00Z"));
  CHECK(v.last_event == At("2020-10-07T22:59:00Z"));
  CHECK(v.identifiers ==
        std::vector<events::Identifier>{{events::IdentifierKind::kPnc, std::string(kPnc)}});
}

TEST_CASE("Stages outside prison and at the end") {
  Story story;

  SECTION("convicted and not yet sentenced is awaiting_sentence") {
    story.Add("charge.recorded", "2019-03-04T18:40:00Z",
              R"("charge_id":"C1","case_id":"K1","offence":{"code":"TH68001"})");
    story.Add("court.hearing", "2019-03-18T10:00:00Z",
              R"("case_id":"K1","court":"Newport","outcome":"remanded_on_bail",)"
              R"("next_hearing":"2019-04-08")");
    story.Add("conviction.recorded", "2019-04-08T10:30:00Z",
              R"("case_id":"K1","charge_ids":["C1"],"offences":[{"code":"TH68001"}])");
    CHECK(story.StageNow() == Stage::kAwaitingSentence);

    SECTION("a community order with supervision is community_supervision, then post_sentence") {
      story.Add("sentence.imposed", "2019-05-01T10:00:00Z",
                R"("case_id":"K1","kind":"community_order","length":"P12M")");
      story.Add("supervision.started", "2019-05-02T10:00:00Z",
                R"("kind":"community_order","area":"Gwent","end_date":"2020-05-01",)"
                R"("requirements":["Unpaid work 100 hours"])");
      {
        const PersonView v = story.View();
        CHECK(v.stage == Stage::kCommunitySupervision);
        REQUIRE(v.supervision.has_value());
        CHECK(v.supervision->kind == events::SupervisionKind::kCommunityOrder);
        CHECK(v.supervision->end_date == Day("2020-05-01"));
        CHECK_FALSE(v.bail.has_value());
      }
      story.Add("supervision.ended", "2020-05-01T10:00:00Z",
                R"("kind":"community_order","reason":"completed")");
      CHECK(story.StageNow() == Stage::kPostSentence);
    }

    SECTION("a case closed without sentence leaves awaiting_sentence") {
      story.Add("court.hearing", "2019-05-01T10:00:00Z",
                R"("case_id":"K1","court":"Newport","outcome":"case_closed")");
      CHECK(story.StageNow() == Stage::kPreConviction);
    }
  }

  SECTION("released on bail from remand is out of custody and on bail") {
    story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"CFI","basis":"remand")");
    story.Add("custody.released", "2019-03-25T10:00:00Z", R"("prison":"CFI","reason":"bail")");
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kPreConviction);
    CHECK_FALSE(v.custody.has_value());
    REQUIRE(v.bail.has_value());
    CHECK(v.bail->granted_by == events::BailGrantor::kCourt);
    CHECK(v.bail->since == At("2019-03-25T10:00:00Z"));
    REQUIRE(v.custody_episodes.size() == 1);
    CHECK(v.custody_episodes[0].release_reason == events::ReleaseReason::kBail);
  }

  SECTION(
      "a temporary absence leaves them in custody; a failure to return is unlawfully at large") {
    story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"UPI","basis":"sentenced")");
    story.Add("custody.temporary_absence.started", "2019-10-05T07:00:00Z",
              R"("prison":"UPI","kind":"resettlement_day_release",)"
              R"("expected_return":"2019-10-05T17:00:00Z")");
    {
      const PersonView v = story.View();
      CHECK(v.stage == Stage::kInCustody);
      REQUIRE(v.custody.has_value());
      CHECK(v.custody->temporarily_absent);
      CHECK_FALSE(v.custody->unlawfully_at_large);
    }
    SECTION("returned") {
      story.Add("custody.temporary_absence.ended", "2019-10-05T16:40:00Z",
                R"("prison":"UPI","outcome":"returned")");
      const PersonView v = story.View();
      REQUIRE(v.custody.has_value());
      CHECK_FALSE(v.custody->temporarily_absent);
      CHECK_FALSE(v.custody->unlawfully_at_large);
    }
    SECTION("failed to return") {
      story.Add("custody.temporary_absence.ended", "2019-10-05T18:00:00Z",
                R"("prison":"UPI","outcome":"failed_to_return")");
      const PersonView v = story.View();
      CHECK(v.stage == Stage::kInCustody);
      REQUIRE(v.custody.has_value());
      CHECK(v.custody->unlawfully_at_large);
    }
  }

  SECTION("a death ends every stage") {
    story.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"CFI","basis":"sentenced")");
    story.Add("person.deceased", "2019-06-01T08:00:00Z", R"("date_of_death":"2019-05-31")");
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kDeceased);
    CHECK(v.deceased == At("2019-06-01T08:00:00Z"));
  }

  SECTION("removal by immigration is removed_from_uk") {
    story.Add("immigration.status_changed", "2019-02-01T09:00:00Z",
              R"("status":"foreign_national_offender")");
    story.Add("licence.started", "2019-03-01T09:00:00Z",
              R"("end_date":"2020-01-01","area":"Cardiff and Vale")");
    story.Add("immigration.status_changed", "2019-04-01T09:00:00Z", R"("status":"removed")");
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kRemovedFromUk);
    CHECK(v.removed_from_uk);
    CHECK(v.flags.foreign_national);
  }

  SECTION("a release to deportation is removed_from_uk") {
    story.Add("custody.received", "2019-03-18T16:20:00Z",
              R"("prison":"CFI","basis":"immigration")");
    story.Add("custody.released", "2019-04-18T06:00:00Z", R"("prison":"CFI","reason":"deported")");
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kRemovedFromUk);
    CHECK_FALSE(v.custody.has_value());
    REQUIRE(v.custody_episodes.size() == 1);
    CHECK(v.custody_episodes[0].release_reason == events::ReleaseReason::kDeported);
  }

  SECTION("a licence past its end date has ended by the next event") {
    story.Add("sentence.imposed", "2019-01-10T11:00:00Z",
              R"("case_id":"K1","kind":"immediate_custody","length":"P6M")");
    story.Add("licence.started", "2019-04-10T12:00:00Z",
              R"("end_date":"2019-07-10","area":"Cardiff and Vale")");
    CHECK(story.StageNow() == Stage::kOnLicence);
    story.Add("risk.assessed", "2019-07-11T12:00:00Z", R"("ogrs_2yr":80,"rosh":"high")");
    const PersonView v = story.View();
    CHECK(v.stage == Stage::kPostSentence);
    REQUIRE(v.risk.has_value());
    CHECK(v.risk->ogrs_2yr == 80);
    CHECK(v.risk->ogrs_band == events::RiskLevel::kHigh);
  }
}

// The catalogue has no "bail ended" event, so bail ends with what ends the case: a remand in
// custody, a sentence, a reception, its `until` date, the case closed or its last charge
// dropped (a conviction keeps bail until sentence).
TEST_CASE("Bail in a case ends when the court closes the case") {
  Story story;
  const char* arrest = R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])";
  SECTION("closed by the court") {
    story.Add("bail.granted", "2019-03-04T19:05:00Z", R"("granted_by":"police","case_id":"K1")");
    story.Add("court.hearing", "2019-04-01T10:00:00Z",
              R"("case_id":"K1","court":"Newport","outcome":"case_closed")");
    story.Add("arrest.recorded", "2019-06-01T10:00:00Z", arrest);
    const PersonView v = story.View();
    CHECK_FALSE(v.bail.has_value());
    CHECK(v.counts.offences_on_bail == 0);
  }
  SECTION("its last charge withdrawn; another case's closing leaves it") {
    story.Add("charge.recorded", "2019-03-04T18:00:00Z",
              R"("charge_id":"K1-1","case_id":"K1","offence":{"code":"TH68001"})");
    story.Add("bail.granted", "2019-03-04T19:05:00Z", R"("granted_by":"police","case_id":"K1")");
    story.Add("court.hearing", "2019-03-20T10:00:00Z",
              R"("case_id":"K9","court":"Newport","outcome":"case_closed")");
    CHECK(story.View().bail.has_value());
    story.Add("charge.disposed", "2019-04-01T10:00:00Z",
              R"("charge_id":"K1-1","case_id":"K1","outcome":"withdrawn")");
    CHECK_FALSE(story.View().bail.has_value());
  }
  SECTION("convicted, it lasts until sentence") {
    story.Add("charge.recorded", "2019-03-04T18:00:00Z",
              R"("charge_id":"K1-1","case_id":"K1","offence":{"code":"TH68001"})");
    story.Add("court.hearing", "2019-03-20T10:00:00Z",
              R"("case_id":"K1","court":"Newport","outcome":"remanded_on_bail")");
    story.Add("conviction.recorded", "2019-04-01T10:00:00Z",
              R"("case_id":"K1","court":"Newport","charge_ids":["K1-1"],)"
              R"("offences":[{"code":"TH68001"}])");
    story.Add("charge.disposed", "2019-04-01T10:01:00Z",
              R"("charge_id":"K1-1","case_id":"K1","outcome":"convicted")");
    story.Add("court.hearing", "2019-04-01T10:05:00Z",
              R"("case_id":"K1","court":"Newport","outcome":"adjourned")");
    story.Add("arrest.recorded", "2019-04-10T10:00:00Z", arrest);
    CHECK(story.View().counts.offences_on_bail == 1);
    story.Add("sentence.imposed", "2019-05-01T10:00:00Z",
              R"("case_id":"K1","court":"Newport","kind":"fine")");
    CHECK_FALSE(story.View().bail.has_value());
  }
  SECTION("bail tied to no case ends when nothing is left open") {
    story.Add("charge.recorded", "2019-03-04T18:00:00Z",
              R"("charge_id":"K1-1","case_id":"K1","offence":{"code":"TH68001"})");
    story.Add("custody.released", "2019-03-10T10:00:00Z", R"("prison":"CFI","reason":"bail")");
    CHECK(story.View().bail.has_value());
    story.Add("charge.disposed", "2019-04-01T10:00:00Z",
              R"("charge_id":"K1-1","case_id":"K1","outcome":"discontinued")");
    CHECK_FALSE(story.View().bail.has_value());
  }
}

// Time-bound states lapse as events are folded; a replay as of a date long after a licence's
// end, with no event since, is aged to that date (AgeTo).
TEST_CASE("FoldAt as of a date after the licence end shows the licence ended") {
  Story story;
  story.Add("sentence.imposed", "2019-01-10T11:00:00Z",
            R"("case_id":"K1","kind":"immediate_custody","length":"P6M")");
  story.Add("licence.started", "2019-04-10T12:00:00Z",
            R"("end_date":"2019-07-10","area":"Cardiff and Vale")");
  const PersonView v = FoldAt(kPerson, story.inputs(), At("2019-12-01T00:00:00Z"), {}).view;
  CHECK(v.stage == Stage::kPostSentence);
  CHECK_FALSE(v.licence.has_value());
}

// ---------------------------------------------------------------------------------------------
// Order

TEST_CASE("A realistic history folds to the view the partners expect") {
  const Story story = RealisticHistory();
  const PersonView v = story.View();
  CHECK(v.stage == Stage::kOnLicence);
  CHECK(v.counts.arrests == 3);
  CHECK(v.counts.charges == 2);
  CHECK(v.counts.convictions == 1);
  CHECK(v.counts.cautions == 1);
  CHECK(v.counts.remands == 1);
  CHECK(v.counts.recalls == 1);
  CHECK(v.counts.licence_breaches == 1);
  CHECK(v.counts.offences_on_bail == 1);                  // 2019-03-10, on police bail
  CHECK(v.counts.offences_on_licence_or_suspended == 1);  // 2020-03-01, on licence
  CHECK(ChargeToConvictionRate(v.counts) == 0.5);
  CHECK(v.open_charges.empty());  // C1 convicted, C2 withdrawn
  CHECK(v.force == "dyfed-powys");
  REQUIRE(v.licence.has_value());
  CHECK(v.licence->conditions == std::vector<std::string>{"Drug testing"});
  CHECK(v.licence->area == "Carmarthenshire");
  REQUIRE(v.mappa.has_value());
  CHECK(v.mappa->category == 2);
  CHECK(v.mappa->level == 2);
  REQUIRE(v.iom.has_value());
  CHECK(v.iom->cohort == events::IomCohort::kFixed);
  REQUIRE(v.risk.has_value());
  CHECK(v.risk->ogrs_2yr == 67);
  CHECK(v.risk->ogrs_band == events::RiskLevel::kMedium);
  CHECK(v.risk->rosh == events::RiskLevel::kMedium);
  CHECK(v.flags.ocg_linked);
  CHECK(v.flags.ocg_refs == std::vector<std::string>{"DP-OCG-0042"});
  CHECK(v.flags.safeguarding ==
        std::vector<events::SafeguardingKind>{events::SafeguardingKind::kCountyLines});
  CHECK_FALSE(v.flags.electronic_monitoring.has_value());  // fitted, then removed at recall
  REQUIRE(v.interventions.size() == 1);
  CHECK(v.interventions[0].referral_id == "R1");
  CHECK(v.interventions[0].started);
  CHECK(v.interventions[0].provider == "Dyfodol");
  REQUIRE(v.custody_episodes.size() == 2);
  CHECK(v.custody_episodes[0].prisons == std::vector<std::string>{"CFI", "SWI"});
  CHECK(v.custody_episodes[1].basis == events::CustodyBasis::kRecall);
}

// `inputs` in a new arrival order: the log gives sequences (and append times) as they come.
std::vector<FoldInput> Arrived(std::vector<FoldInput> inputs) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    inputs[i].sequence = i + 1;
    inputs[i].appended_at = Timestamp{1'700'000'000'000 + static_cast<std::int64_t>(i)};
  }
  return inputs;
}

TEST_CASE("The same events give the same view whatever order they arrive in") {
  const Story story = RealisticHistory();
  const ProjectionState reference = story.Fold();
  const std::string reference_bytes = EncodeView(reference.view);
  const std::vector<Alert> reference_alerts = WithoutPositions(reference.alerts);
  REQUIRE(reference.view.events == static_cast<std::int32_t>(story.inputs().size()));
  std::vector<AlertRule> rules;
  for (const auto& a : reference.alerts)
    rules.push_back(a.rule);
  REQUIRE(rules == std::vector<AlertRule>{AlertRule::kFlaggedPersonReceived,
                                          AlertRule::kMappaRelease, AlertRule::kRecall,
                                          AlertRule::kFlaggedPersonReceived,
                                          AlertRule::kMappaRelease});
  REQUIRE(reference.view.stage == Stage::kOnLicence);

  // Kafka redelivers: some events arrive twice, with the same source and id.
  std::vector<FoldInput> deliveries = story.inputs();
  for (std::size_t i : {0, 9, 16, 17, 24})
    deliveries.push_back(story.inputs()[i]);

  std::mt19937 rng(20240614);
  for (int round = 0; round < 300; ++round) {
    std::shuffle(deliveries.begin(), deliveries.end(), rng);
    const ProjectionState state = Fold(kPerson, Arrived(deliveries));
    INFO("round " << round);
    REQUIRE(EncodeView(state.view) == reference_bytes);
    // Alerts name the log position of the event that raised them, so their ids move with
    // arrival; nothing else about them does.
    REQUIRE(WithoutPositions(state.alerts) == reference_alerts);
  }
}

TEST_CASE("Applying each event that follows the fold gives what a full fold gives") {
  const Story story = RealisticHistory();
  std::vector<FoldInput> deliveries = story.inputs();
  // Mostly in time order, with a few late ones and a duplicate, as the log receives them.
  std::rotate(deliveries.begin() + 3, deliveries.begin() + 4, deliveries.begin() + 12);
  std::rotate(deliveries.begin() + 15, deliveries.begin() + 16, deliveries.end());
  deliveries.push_back(story.inputs()[20]);
  deliveries = Arrived(deliveries);

  ProjectionState state = Fold(kPerson, {});
  std::vector<FoldInput> so_far;
  int applied = 0, refolded = 0;
  for (const FoldInput& input : deliveries) {
    so_far.push_back(input);
    if (FollowsFold(state, input)) {
      Apply(&state, input);
      ++applied;
    } else {
      state = Fold(kPerson, so_far);
      ++refolded;
    }
    INFO("after sequence " << input.sequence << " " << input.event.type_name());
    REQUIRE(state == Fold(kPerson, so_far));
  }
  CHECK(applied > 20);
  CHECK(refolded >= 3);  // two late events and one duplicate
  CHECK(EncodeView(state.view) == EncodeView(story.Fold().view));
}

TEST_CASE("FollowsFold: only an event after the fold position can be applied") {
  Story story;
  const FoldInput arrest =
      story.Add("arrest.recorded", "2019-03-04T10:15:00Z",
                R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])");
  story.Add("charge.recorded", "2019-03-05T10:00:00Z",
            R"("charge_id":"C1","case_id":"K1","offence":{"code":"TH68001"})");
  const ProjectionState state = story.Fold();

  CHECK(FollowsFold(Fold(kPerson, {}), arrest));
  CHECK(FollowsFold(state,
                    story.Add("bail.granted", "2019-03-05T11:00:00Z", R"("granted_by":"police")")));
  CHECK_FALSE(FollowsFold(
      state, story.Add("bail.granted", "2019-03-04T11:00:00Z", R"("granted_by":"police")")));
  CHECK_FALSE(FollowsFold(state, story.Retract(arrest, "2019-06-01T10:00:00Z")));
  CHECK_FALSE(FollowsFold(state, story.Add("identity.merged", "2019-06-02T10:00:00Z",
                                           R"("merged":{"crn":"X123456"})")));
  // The same event again sorts at the fold position, not after it.
  CHECK_FALSE(FollowsFold(state, story.inputs()[1]));

  // An event retracted before it arrived is never applied, however late it sorts.
  Story retracted_first;
  retracted_first.Add("iom.adopted", "2019-03-01T09:00:00Z",
                      R"("cohort":"free","selection_reason":"Neighbourhood crime")");
  retracted_first.Add("event.retracted", "2019-03-02T10:00:00Z",
                      R"("retracted":{"source":"police/gwent","id":"A9"},"reason":"Wrong person")",
                      From("police/gwent", "X9"));
  const ProjectionState before = retracted_first.Fold();
  const FoldInput late_arrest =
      retracted_first.Add("arrest.recorded", "2019-03-04T10:15:00Z",
                          R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])",
                          From("police/gwent", "A9"));
  CHECK_FALSE(FollowsFold(before, late_arrest));
  CHECK(retracted_first.View().counts.arrests == 0);
}

// ---------------------------------------------------------------------------------------------
// Retraction

TEST_CASE("A retracted event leaves the view, whichever arrives first") {
  Story story;
  story.Add("iom.adopted", "2019-03-01T10:00:00Z",
            R"("cohort":"free","selection_reason":"Neighbourhood crime")");
  story.Add("arrest.recorded", "2019-03-04T10:15:00Z",
            R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])",
            From("police/gwent", "A1"));
  // An arrest and a reception that were another person's.
  const auto add_wrong = [&] {
    story.Add("arrest.recorded", "2019-03-10T10:15:00Z",
              R"("mode":"arrest","force":"south-wales","offences":[{"code":"TH68001"}])",
              From("police/south-wales", "A2"));
    story.Add("custody.received", "2019-03-11T10:15:00Z", R"("prison":"CFI","basis":"remand")",
              From("prison/cfi", "R1"));
  };
  const auto add_retractions = [&](std::string_view time) {
    story.Add("event.retracted", time,
              R"("retracted":{"source":"police/south-wales","id":"A2"},"reason":"Wrong person")",
              From("police/south-wales", "X1"));
    story.Add("event.retracted", time,
              R"("retracted":{"source":"prison/cfi","id":"R1"},"reason":"Wrong person")",
              From("prison/cfi", "X2"));
  };

  SECTION("the retractions arrive after the events") {
    add_wrong();
    {
      const ProjectionState before = story.Fold();
      CHECK(before.view.counts.arrests == 2);
      CHECK(before.view.stage == Stage::kInCustody);
      CHECK(AlertsOf(before, AlertRule::kFlaggedPersonReceived).size() == 1);
    }
    add_retractions("2019-04-01T09:00:00Z");
  }
  SECTION("the retractions arrive before the events") {
    add_retractions("2019-04-01T09:00:00Z");
    add_wrong();
  }
  SECTION("the retractions say they happened before the events did") {
    add_retractions("2019-03-01T09:00:00Z");
    add_wrong();
  }

  const ProjectionState state = story.Fold();
  const PersonView& v = state.view;
  CHECK(v.counts.arrests == 1);
  CHECK(v.force == "gwent");
  CHECK(v.stage == Stage::kPreConviction);
  CHECK_FALSE(v.custody.has_value());
  CHECK(v.custody_episodes.empty());
  CHECK(state.alerts.empty());
  CHECK(v.events == 2);  // the IOM adoption and the first arrest; retractions are not events
  CHECK(v.last_event == At("2019-03-04T10:15:00Z"));
  CHECK(v.retracted ==
        std::vector<events::EventRef>{{"police/south-wales", "A2"}, {"prison/cfi", "R1"}});
}

// ---------------------------------------------------------------------------------------------
// Bitemporal

TEST_CASE("FoldAt: the person as they stood, as it was then known") {
  Story story;
  const FoldInput arrest =
      story.Add("arrest.recorded", "2019-03-04T10:15:00Z",
                R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])",
                AppendedAt("2019-03-04T10:20:00Z"));  // 1
  story.Add("charge.recorded", "2019-03-04T18:40:00Z",
            R"("charge_id":"C1","case_id":"K1","offence":{"code":"TH68001"})",
            AppendedAt("2019-03-04T18:45:00Z"));  // 2
  story.Add("conviction.recorded", "2019-04-08T10:30:00Z",
            R"("case_id":"K1","charge_ids":["C1"],"offences":[{"code":"TH68001"}])",
            AppendedAt("2019-04-08T10:35:00Z"));  // 3
  // Happened on the day of the conviction; the prison published it two months late.
  story.Add("custody.received", "2019-04-08T16:00:00Z", R"("prison":"CFI","basis":"remand")",
            AppendedAt("2019-06-01T09:00:00Z"));  // 4
  // The first arrest was recorded against the wrong person; corrected in July.
  const FoldInput retraction =
      story.Retract(arrest, "2019-07-01T09:00:00Z", AppendedAt("2019-07-01T09:01:00Z"));  // 5
  REQUIRE(retraction.sequence == 5);
  const std::vector<FoldInput>& log = story.inputs();

  SECTION("with no limits it is the fold of everything") {
    CHECK(FoldAt(kPerson, log, std::nullopt, Knowledge{}) == story.Fold());
  }

  SECTION("as of a time, events that happened later are left out") {
    const PersonView v = FoldAt(kPerson, log, At("2019-03-31T00:00:00Z"), Knowledge{}).view;
    CHECK(v.counts.convictions == 0);
    CHECK(v.counts.charges == 1);
    CHECK(v.stage == Stage::kPreConviction);
    CHECK(v.last_event == At("2019-03-04T18:40:00Z"));
    // The retraction is known, though it happened after: the arrest is not shown.
    CHECK(v.counts.arrests == 0);
  }

  SECTION("known up to a sequence, events appended later are left out") {
    const PersonView v = FoldAt(kPerson, log, std::nullopt, KnownUpTo(3)).view;
    CHECK(v.counts.convictions == 1);
    CHECK(v.stage == Stage::kAwaitingSentence);  // the reception was not yet known
    CHECK(v.counts.arrests == 1);
  }

  SECTION("known up to a time, events appended later are left out") {
    const Knowledge known = KnownAt(At("2019-05-01T00:00:00Z"));
    const PersonView v = FoldAt(kPerson, log, At("2019-04-30T00:00:00Z"), known).view;
    CHECK(v.stage == Stage::kAwaitingSentence);
    CHECK(v.counts.arrests == 1);
    const PersonView later =
        FoldAt(kPerson, log, At("2019-04-30T00:00:00Z"), KnownAt(At("2019-06-02T00:00:00Z"))).view;
    CHECK(later.stage == Stage::kInCustody);
    CHECK(later.counts.arrests == 1);
  }

  SECTION("a retraction counts only once it is known, whatever the as_of") {
    const auto as_of = GENERATE(as<std::optional<Timestamp>>{}, std::nullopt,
                                At("2019-03-05T00:00:00Z"), At("2019-12-31T00:00:00Z"));
    CHECK(FoldAt(kPerson, log, as_of, KnownUpTo(4)).view.counts.arrests == 1);
    CHECK(FoldAt(kPerson, log, as_of, KnownUpTo(5)).view.counts.arrests == 0);
    CHECK(FoldAt(kPerson, log, as_of, KnownAt(At("2019-07-01T09:00:59Z"))).view.counts.arrests ==
          1);
    CHECK(FoldAt(kPerson, log, as_of, KnownAt(At("2019-07-01T09:01:00Z"))).view.counts.arrests ==
          0);
    CHECK(
        FoldAt(kPerson, log, as_of, KnownUpTo(5, At("2019-06-01T00:00:00Z"))).view.counts.arrests ==
        1);
  }

  SECTION("before anything was known there is no view") {
    CHECK_FALSE(HasView(FoldAt(kPerson, log, std::nullopt, KnownUpTo(0))));
    CHECK_FALSE(HasView(FoldAt(kPerson, log, At("2019-01-01T00:00:00Z"), KnownUpTo(4))));
  }
}

// ---------------------------------------------------------------------------------------------
// Upcasting

TEST_CASE("Custody events of dataversion 1 fold as dataversion 2 does") {
  const auto history = [](int version) {
    const bool v1 = version == 1;
    const std::string prison = v1 ? "establishment" : "prison";
    const std::string from = v1 ? "from_establishment" : "from_prison";
    const std::string to = v1 ? "to_establishment" : "to_prison";
    Story s;
    s.Add("mappa.registered", "2019-01-01T09:00:00Z", R"("category":2,"level":2,"area":"Gwent")");
    s.Add("custody.received", "2019-03-18T16:20:00Z",
          fmt::format(R"("{}":"CFI","basis":"remand")", prison), Version(version));
    s.Add("custody.transferred", "2019-05-02T08:00:00Z",
          fmt::format(R"("{}":"CFI","{}":"SWI","reason":"allocation")", from, to),
          Version(version));
    s.Add("custody.released", "2019-12-20T09:30:00Z",
          fmt::format(R"("{}":"SWI","reason":"licence")", prison), Version(version));
    return s.Fold();
  };
  const ProjectionState v1 = history(1);
  const ProjectionState v2 = history(2);
  CHECK(EncodeView(v1.view) == EncodeView(v2.view));
  CHECK(v1.alerts == v2.alerts);
  REQUIRE(v1.view.custody_episodes.size() == 1);
  CHECK(v1.view.custody_episodes[0].prisons == std::vector<std::string>{"CFI", "SWI"});
  CHECK(AlertsOf(v1, AlertRule::kFlaggedPersonReceived).size() == 1);
  CHECK(AlertsOf(v1, AlertRule::kMappaRelease).size() == 1);

  // The stories above really did publish dataversion 1: it parses as the V1 struct.
  const events::Event raw = testing::ParseValid(
      Envelope("custody.received", "2019-03-18T16:20:00Z",
               R"("establishment":"CFI","basis":"remand")", "prison/cfi", "v1", 1));
  CHECK(std::holds_alternative<events::CustodyReceivedV1>(raw.data));
}

}  // namespace
}  // namespace throughline::projections
