// The brief's case study (domain.md, "The problem"): 31 arrests or summonses, 76 charges,
// 53 remands, 44 court cases, 3 cautions and 12 convictions over years of custody and licence,
// published through the real Kafka protocol in shuffled order with redeliveries, must come out
// as exactly those counts and a charge-to-conviction rate of 0.158.

#include <algorithm>
#include <random>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/calendar.h"
#include "projections/projection_codec.h"
#include "projections/view_json.h"
#include "services/engine.h"
#include "services/event_publisher.h"
#include "services/log_verifier.h"
#include "services/person_ref.h"
#include "services/projection_reader.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using namespace std::chrono_literals;

// The case-study person's life as envelopes, in the order it happened.
class CaseStudy {
 public:
  std::vector<std::string> Build() {
    t_ = Day(2009, 1, 5);
    // Out of court: two simple cautions, a conditional caution, and a community resolution
    // (an out-of-court disposal that is not a caution).
    const char* disposals[] = {"caution", "caution", "conditional_caution", "community_resolution"};
    for (const char* kind : disposals) {
      Emit("police/gwent/custody", "out_of_court.disposal",
           fmt::format(R"("kind":"{}","offence":{{"code":"TH68001","description":"Theft from a )"
                       R"(shop"}},"force":"gwent")",
                       kind));
      t_ += 40 * kDay;
    }
    // 44 court cases: 32 with two charges and 12 with one (76 charges); the first 31 start with
    // an arrest, summons or voluntary attendance, the rest with a postal requisition; 9 are
    // remanded twice and 35 once (53 remands); 12 end in conviction.
    int convictions = 0;
    for (int c = 0; c < 44; ++c) {
      const std::string case_id = fmt::format("GW-CS-{:03}", c);
      if (c < 31) {
        const char* mode = c % 10 == 3   ? "summons"
                           : c % 15 == 7 ? "voluntary_attendance"
                                         : "arrest";
        Emit("police/gwent/custody", "arrest.recorded",
             fmt::format(R"("mode":"{}","force":"gwent","offences":[{{"code":"TH68001"}}])", mode));
        t_ += kHour * 6;
      }
      const int charges = c < 32 ? 2 : 1;
      for (int k = 0; k < charges; ++k) {
        Emit("police/gwent/charging", "charge.recorded",
             fmt::format(R"("charge_id":"{}-{}","case_id":"{}","offence":{{"code":"TH68001"}},)"
                         R"("force":"gwent")",
                         case_id, k + 1, case_id));
      }
      t_ += 2 * kDay;
      const int remands = c < 9 ? 2 : 1;
      for (int r = 0; r < remands; ++r) {
        Emit("courts/hmcts/newport-magistrates", "court.hearing",
             fmt::format(R"("case_id":"{}","court":"Newport Magistrates' Court",)"
                         R"("outcome":"{}")",
                         case_id, (c + r) % 3 == 0 ? "remanded_in_custody" : "remanded_on_bail"));
        t_ += 14 * kDay;
      }
      const bool convicted = c % 4 == 0 || c == 43;
      if (convicted) {
        ++convictions;
        Emit("courts/hmcts/cardiff-crown", "conviction.recorded",
             fmt::format(R"("case_id":"{}","court":"Cardiff Crown Court","charge_ids":["{}-1"],)"
                         R"("offences":[{{"code":"TH68001"}}])",
                         case_id, case_id));
        Dispose(case_id, 1, "convicted");
        if (charges == 2)
          Dispose(case_id, 2, "withdrawn");
        t_ += kHour;
        Sentence(case_id, convictions);
      } else {
        for (int k = 1; k <= charges; ++k)
          Dispose(case_id, k, k == 1 ? "acquitted" : "discontinued");
        Emit("courts/hmcts/newport-magistrates", "court.hearing",
             fmt::format(R"("case_id":"{}","court":"Newport Magistrates' Court",)"
                         R"("outcome":"case_closed")",
                         case_id));
      }
      t_ += 30 * kDay;
    }
    return events_;
  }

 private:
  static constexpr std::int64_t kHour = 3'600'000;
  static constexpr std::int64_t kDay = events::kMillisPerDay;

  static std::int64_t Day(int y, unsigned m, unsigned d) {
    return std::int64_t{events::DaysFromCivil(y, m, d)} * kDay + 10 * kHour;
  }
  static std::string Date(std::int64_t t) {
    return events::FormatDate(events::DateOf(events::Timestamp{t}));
  }

  void Emit(const std::string& source, const std::string& type, const std::string& fields) {
    events_.push_back(fmt::format(
        R"({{"specversion":"1.0","id":"cs-{:04}","source":"{}","type":"{}","time":"{}",)"
        R"("dataversion":{},)"
        R"("data":{{"person":{{"pnc":"2012/0123456Y","noms":"A1234BC","crn":"X123456"}},{}}}}})",
        events_.size(), source, type, events::FormatTimestamp(events::Timestamp{t_}),
        type.starts_with("custody.") ? 2 : 1, fields));
    t_ += kHour;
  }

  void Dispose(const std::string& case_id, int charge, const char* outcome) {
    Emit("police/gwent/charging", "charge.disposed",
         fmt::format(R"("charge_id":"{}-{}","case_id":"{}","outcome":"{}")", case_id, charge,
                     case_id, outcome));
  }

  // Every third conviction is a prison sentence served partly on licence; the others are
  // suspended sentences and community orders.
  void Sentence(const std::string& case_id, int n) {
    const char* court = R"("court":"Cardiff Crown Court")";
    if (n % 3 == 1) {
      const std::int64_t release = t_ + 120 * kDay, end = t_ + 240 * kDay;
      Emit("courts/hmcts/cardiff-crown", "sentence.imposed",
           fmt::format(R"("case_id":"{}",{},"kind":"immediate_custody","length":"P8M",)"
                       R"("expected_release_date":"{}","licence_end_date":"{}")",
                       case_id, court, Date(release), Date(end)));
      Emit("prison/cfi/nomis", "custody.received", R"("prison":"CFI","basis":"sentenced")");
      t_ = release;
      Emit("prison/cfi/nomis", "custody.released", R"("prison":"CFI","reason":"licence")");
      Emit("probation/wales/delius", "licence.started",
           fmt::format(R"("kind":"standard","end_date":"{}","area":"Gwent",)"
                       R"("conditions":["Reside at approved premises"])",
                       Date(end)));
      t_ = end;
      Emit("probation/wales/delius", "licence.ended", R"("reason":"Licence expired")");
    } else if (n % 3 == 2) {
      Emit("courts/hmcts/cardiff-crown", "sentence.imposed",
           fmt::format(R"("case_id":"{}",{},"kind":"suspended","length":"P6M")", case_id, court));
    } else {
      Emit("courts/hmcts/cardiff-crown", "sentence.imposed",
           fmt::format(R"("case_id":"{}",{},"kind":"community_order","length":"P12M")", case_id,
                       court));
    }
  }

  std::int64_t t_ = 0;
  std::vector<std::string> events_;
};

TEST_CASE("The brief's case study, shuffled and redelivered through Kafka, gives its counts",
          "[integration]") {
  const std::vector<std::string> unique = CaseStudy().Build();
  // Every one valid, or the counts below would mean nothing.
  for (const auto& e : unique)
    testing::ParseValid(e);

  std::mt19937 rng(2019);
  std::vector<std::string> deliveries = unique;
  for (std::size_t i = 0; i < unique.size() / 10; ++i)
    deliveries.push_back(unique[rng() % unique.size()]);
  std::shuffle(deliveries.begin(), deliveries.end(), rng);

  testing::TempDir dir;
  SystemClock clock;
  EngineOptions options;  // on its embedded Kafka
  options.data_dir = dir.path();
  // Small batches, so the person is folded incrementally and refolded across many of them.
  options.write_batch_messages = 16;
  auto engine = Engine::Start(options, &clock);
  REQUIRE(engine.ok());

  PublishOptions publish;
  publish.connection.bootstrap = (*engine)->bootstrap();
  auto publisher = EventPublisher::Open(publish);
  REQUIRE(publisher.ok());
  // Unkeyed, so the shuffled deliveries spread over every partition and arrive interleaved.
  for (const auto& d : deliveries)
    REQUIRE((*publisher)->Publish(std::nullopt, d).ok());
  REQUIRE((*publisher)->Flush().ok());

  const IngestMetrics& m = (*engine)->metrics();
  testing::WaitFor([&] { return m.appended + m.duplicates >= deliveries.size(); }, 60s,
                   "the engine to take every delivery");
  CHECK(m.appended == unique.size());
  CHECK(m.dead_letters == 0);

  const EventStore& store = *(*engine)->store();
  auto person = FindPersonByRef(store, "pnc:2012/0123456Y");
  REQUIRE(person.ok());
  auto state = ReadProjection(store, *person);
  REQUIRE(state.ok());
  const projections::Counts& counts = state->view.counts;
  CHECK(counts.arrests == 31);
  CHECK(counts.charges == 76);
  CHECK(counts.remands == 53);
  CHECK(counts.court_cases == 44);
  CHECK(counts.cautions == 3);
  CHECK(counts.out_of_court_disposals == 4);
  CHECK(counts.convictions == 12);
  CHECK(counts.custodial_sentences == 4);
  REQUIRE(projections::ChargeToConvictionRate(counts));
  CHECK(*projections::ChargeToConvictionRate(counts) == Approx(0.158).margin(1e-9));
  CHECK(projections::ViewToJson(state->view).find(R"("charge_to_conviction_rate":0.158)") !=
        std::string::npos);
  // The last case ends in a community order with no supervision recorded yet.
  CHECK(state->view.stage == projections::Stage::kPostSentence);
  CHECK(state->view.custody_episodes.size() == 4);

  // The stored view, built batch by batch from shuffled arrivals, is the fold of the log.
  auto fresh = FoldFromLog(store, *person);
  REQUIRE(fresh.ok());
  CHECK(projections::EncodeView(fresh->view) == projections::EncodeView(state->view));
  auto report = VerifyStore(store);
  INFO(fmt::format("{}", fmt::join(report.problems, "\n")));
  CHECK(report.ok());
}

}  // namespace
}  // namespace throughline::services
