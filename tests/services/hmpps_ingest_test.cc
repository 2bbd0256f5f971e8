// HMPPS domain events through the real Kafka protocol, on their own topic, into the same
// timelines as native events: one person's years in prison and on probation as the prison and
// probation services publish them (bare and SNS-wrapped, numbers as strings, Java dates, UK
// civil times), every message delivered twice and out of order, with garbage among them.

#include <algorithm>
#include <map>
#include <random>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/calendar.h"
#include "projections/projection_codec.h"
#include "services/engine.h"
#include "services/event_publisher.h"
#include "services/log_verifier.h"
#include "services/person_ref.h"
#include "services/projection_reader.h"
#include "tests/events/hmpps/hmpps_messages.h"
#include "tests/kafka_topic_reader.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using namespace std::chrono_literals;
using testing::Crn;
using testing::CrnAndNoms;
using testing::HmppsEvent;
using testing::Noms;
using testing::Sns;

constexpr const char* kTopic = "hmpps.domain-events";

std::string Movement(const std::string& type, const std::string& at, const std::string& reason,
                     const std::string& prison, const std::string& code) {
  return HmppsEvent(fmt::format("prison-offender-events.prisoner.{}", type), at, Noms("A1234BC"),
                    fmt::format(R"("nomsNumber":"A1234BC","reason":"{}","prisonId":"{}",)"
                                R"("nomisMovementReasonCode":"{}","details":"")",
                                reason, prison, code));
}

std::string Registration(const std::string& crn, const std::string& at, const std::string& type,
                         const std::string& more) {
  return HmppsEvent("probation-case.registration.added", at, Crn(crn),
                    fmt::format(R"("registrationId":"2500012345","registerTypeCode":"{}",)"
                                R"("registrationDate":"{}",{})",
                                type, at.substr(0, 10), more));
}

// The person's life, in the order it happened; each message with its eventType.
std::vector<std::pair<std::string, std::string>> Story() {
  std::vector<std::pair<std::string, std::string>> s;
  auto add = [&](std::string message) {
    const std::string type = boost::json::parse(message).at("eventType").as_string().c_str();
    s.emplace_back(std::move(message), type);
  };
  add(Movement("received", "2023-01-10T14:20:00Z", "ADMISSION", "SWI", "N"));
  // A prison event no mapping knows.
  add(HmppsEvent("prison-offender-events.prisoner.cell.move", "2023-01-11T09:00:00",
                 Noms("A1234BC"),
                 R"("nomsNumber":"A1234BC","livingUnitId":"5023","bedAssignmentSeq":"1",)"
                 R"("bookingId":"1208804")"));
  add(HmppsEvent("probation-case.prison-identifier.added", "Thu Jan 12 10:00:00 GMT 2023",
                 CrnAndNoms("X123456", "A1234BC"), R"("bookingNumber":"45680A")"));
  add(Movement("released", "2023-03-01T09:00:00Z", "TRANSFERRED", "SWI", "INT"));
  add(Movement("received", "2023-03-01T15:30:00Z", "TRANSFERRED", "CFI", "INT"));
  add(Movement("released", "2023-09-01T08:00:00+01:00", "RELEASED", "CFI", "CR"));
  add(HmppsEvent("create-and-vary-a-licence.licence.activated", "2023-09-01T09:00:00+01:00",
                 Crn("X123456"),
                 R"("licenceId":"1234","licenceExpiryDate":"01/09/2024",)"
                 R"("probationPduDescription":"Cardiff and Vale")"));
  add(Registration("X123456", "2023-09-05T10:00:00+01:00", "MAPP",
                   R"("registerCategoryCode":"M2","registerLevelCode":"M2")"));
  // Registered for IOM on a second probation case, merged into the first a month later.
  add(Registration("X654321", "2023-09-10T10:00:00+01:00", "IIOM",
                   R"("registerLevelCode":"IOM_FIXED")"));
  add(HmppsEvent("probation-case.merge.completed", "2023-10-01T09:00:00+01:00", Crn("X654321"),
                 R"("sourceCRN":"X654321","targetCRN":"X123456")"));
  add(HmppsEvent("risk-assessment.scores.ogrs.determined", "2023-10-05T10:00:00+01:00",
                 Crn("X123456"), R"("ogrs2Yr":"67")"));
  add(Registration("X123456", "2023-10-06T10:00:00+01:00", "RHRH", R"("registerLevelCode":"")"));
  add(HmppsEvent("intervention.referral.sent", "2023-10-10T10:00:00Z", Crn("X123456"),
                 R"("referralId":"c1a2b3d4-0000-4000-8000-000000000001",)"
                 R"("contractTypeName":"Accommodation","primeProviderName":"Harmony Living")"));
  add(HmppsEvent("recall.inserted", "2023-11-01T09:00:00Z", Noms("A1234BC"),
                 R"("recallId":"5a4d2f1e","sentenceIds":["s1"],"source":"DPS",)"
                 R"("recallType":"FTR_28")"));
  add(Movement("received", "2023-11-02T11:00:00Z", "ADMISSION", "CFI", "L"));
  add(Movement("received", "2023-12-01T17:00:00Z", "RETURN_FROM_COURT", "CFI", "CRT"));
  // Every other one arrives wrapped in its SNS notification.
  for (std::size_t i = 1; i < s.size(); i += 2)
    s[i].first = Sns(s[i].first, fmt::format("6f1c8a3e-0000-4000-8000-{:012}", i), s[i].second);
  return s;
}

struct Garbage {
  std::string message;
  std::string path;
  std::string rule;
};

std::vector<Garbage> GarbageMessages() {
  return {
      {"this is not json", "", "json_syntax"},
      {Sns("{\"eventType\":", "6f1c8a3e-dead-4000-8000-000000000001",
           "prison-offender-events.prisoner.received"),
       "Message", "json_syntax"},
      {HmppsEvent("prison-offender-events.prisoner.received", "2023-05-01T10:00:00Z", "[]",
                  R"("reason":"ADMISSION","prisonId":"SWI")"),
       "personReference.identifiers", "no_identifier"},
      {Registration("X123456", "2023-09-05T10:00:00Z", "MAPP",
                    R"("registerCategoryCode":"M5","registerLevelCode":"M2")"),
       "additionalInformation.registerCategoryCode", "range"},
      {HmppsEvent("recall.inserted", "2023-11-01T09:00:00Z", Noms("A1234BC"),
                  R"("recallType":"FTR_99")"),
       "additionalInformation.recallType", "enum_value"},
      {HmppsEvent("prison-offender-events.prisoner.received", "yesterday", Noms("A1234BC"),
                  R"("reason":"ADMISSION","prisonId":"SWI")"),
       "occurredAt", "time_format"},
  };
}

TEST_CASE("HMPPS domain events through Kafka: a lifetime, redelivered, with garbage",
          "[integration]") {
  const auto story = Story();
  const auto garbage = GarbageMessages();
  std::vector<std::string> deliveries;
  for (int copy = 0; copy < 2; ++copy) {
    for (const auto& [message, type] : story)
      deliveries.push_back(message);
  }
  for (const auto& g : garbage)
    deliveries.push_back(g.message);
  std::mt19937 rng(2024);
  std::shuffle(deliveries.begin(), deliveries.end(), rng);

  testing::TempDir dir;
  SystemClock clock;
  EngineOptions options;  // on its embedded Kafka, which creates the HMPPS topic
  options.data_dir = dir.path();
  options.write_batch_messages = 4;
  auto engine = Engine::Start(options, &clock);
  REQUIRE(engine.ok());
  PublishOptions publish;
  publish.connection.bootstrap = (*engine)->bootstrap();
  publish.topic = kTopic;
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  // Unkeyed, as the bridge from SNS publishes them: spread over every partition.
  for (const auto& d : deliveries)
    REQUIRE((*publisher)->Publish(std::nullopt, d).ok());
  REQUIRE((*publisher)->Flush().ok());

  const IngestMetrics& m = (*engine)->metrics();
  testing::WaitFor([&] { return m.appended + m.duplicates + m.dead_letters >= deliveries.size(); },
                   60s, "the engine to take every delivery");
  CHECK(m.appended == story.size());
  CHECK(m.duplicates == story.size());
  CHECK(m.dead_letters == garbage.size());

  const EventStore& store = *(*engine)->store();
  auto person = FindPersonByRef(store, "noms:A1234BC");
  REQUIRE(person.ok());
  for (const char* ref : {"crn:X123456", "crn:X654321"}) {
    auto other = FindPersonByRef(store, ref);
    REQUIRE(other.ok());
    CHECK(*other == *person);
  }
  auto state = ReadProjection(store, *person);
  REQUIRE(state.ok());
  const projections::PersonView& v = state->view;

  CHECK(v.stage == projections::Stage::kInCustody);
  REQUIRE(v.custody);
  CHECK(v.custody->prison == "CFI");
  CHECK(v.custody->basis == events::CustodyBasis::kRecall);
  REQUIRE(v.custody_episodes.size() == 2);
  const auto& first = v.custody_episodes[0];
  CHECK(first.basis == events::CustodyBasis::kRemand);
  CHECK(first.prisons == std::vector<std::string>{"SWI", "CFI"});
  CHECK(first.release_reason == events::ReleaseReason::kLicence);
  CHECK(events::FormatTimestamp(*first.released) == "2023-09-01T07:00:00Z");
  CHECK(v.custody_episodes[1].prisons == std::vector<std::string>{"CFI"});

  REQUIRE(v.licence);
  CHECK(v.licence->recalled);
  CHECK(v.licence->recall_kind == events::RecallKind::kFixedTerm28);
  CHECK(events::FormatDate(v.licence->end_date) == "2024-09-01");
  CHECK(v.licence->area == "Cardiff and Vale");

  projections::Counts expected_counts;
  expected_counts.recalls = 1;
  CHECK(v.counts == expected_counts);

  REQUIRE(v.mappa);
  CHECK(v.mappa->category == 2);
  CHECK(v.mappa->level == 2);
  REQUIRE(v.iom);
  CHECK(v.iom->cohort == events::IomCohort::kFixed);
  REQUIRE(v.risk);
  CHECK(v.risk->ogrs_2yr == 67);
  CHECK(v.risk->ogrs_band == events::RiskLevel::kMedium);
  CHECK(v.risk->rosh == events::RiskLevel::kHigh);
  REQUIRE(v.interventions.size() == 1);
  CHECK(v.interventions[0].kind == events::InterventionKind::kAccommodation);

  const std::vector<events::Identifier> identifiers = {
      {events::IdentifierKind::kNoms, "A1234BC"},
      {events::IdentifierKind::kCrn, "X123456"},
      {events::IdentifierKind::kCrn, "X654321"},
  };
  CHECK(v.identifiers == identifiers);
  CHECK(v.events == static_cast<std::int32_t>(story.size()));

  // The alerts the partners need: a MAPPA and IOM person received into CFI, and the recall.
  std::set<projections::AlertRule> rules;
  for (const auto& a : state->alerts)
    rules.insert(a.rule);
  CHECK(rules.count(projections::AlertRule::kFlaggedPersonReceived) == 1);
  CHECK(rules.count(projections::AlertRule::kRecall) == 1);
  CHECK(rules.count(projections::AlertRule::kNoLicenceAfterRelease) == 0);

  // On the timeline: every event, those with no meaning in the catalogue as external.
  auto replay = ReplayPerson(store, *person, std::nullopt, {});
  REQUIRE(replay.ok());
  REQUIRE(replay->timeline.size() == story.size());
  std::map<std::string, std::string> externals;  // event_type -> note
  for (const auto& entry : replay->timeline) {
    CHECK(entry.event.source.starts_with("hmpps/"));
    if (const auto* x = std::get_if<events::External>(&entry.event.data))
      externals[x->event_type] = x->note.value_or("");
  }
  CHECK(externals.size() == 3);
  CHECK(externals["prison-offender-events.prisoner.cell.move"] ==
        "its type has no mapping to the catalogue");
  CHECK(externals.count("prison-offender-events.prisoner.released") == 1);
  CHECK(externals["prison-offender-events.prisoner.received"].find("court") != std::string::npos);

  // Built batch by batch from shuffled, repeated arrivals, the view is the fold of the log.
  auto fresh = FoldFromLog(store, *person);
  REQUIRE(fresh.ok());
  CHECK(projections::EncodeView(fresh->view) == projections::EncodeView(v));
  auto report = VerifyStore(store);
  INFO(fmt::format("{}", fmt::join(report.problems, "\n")));
  CHECK(report.ok());

  // The garbage is on the dead-letter topic, byte for byte, with its reason.
  testing::WaitFor([&] { return m.dead_letters_published >= garbage.size(); }, 30s,
                   "dead letters to reach the DLQ topic");
  auto dlq = testing::ReadTopic((*engine)->bootstrap(), "justice.events.dlq", garbage.size(), 30s);
  REQUIRE(dlq.size() == garbage.size());
  for (const auto& g : garbage) {
    auto it = std::find_if(dlq.begin(), dlq.end(),
                           [&](const testing::TopicMessage& d) { return d.value == g.message; });
    INFO(g.message);
    REQUIRE(it != dlq.end());
    CHECK(it->headers["throughline.source.topic"] == kTopic);
    CHECK(it->headers["throughline.error.path"] == g.path);
    CHECK(it->headers["throughline.error.rule"] == g.rule);
  }
}

}  // namespace
}  // namespace throughline::services
