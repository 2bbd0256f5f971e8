// Story: the fold's tests write a person's events as the agencies would publish them (one
// CloudEvents envelope each, parsed and upcast as the log's read path does) and fold them.
// Shared by tests/projections/*_test.cc.

#ifndef THROUGHLINE_TESTS_PROJECTIONS_STORY_H_
#define THROUGHLINE_TESTS_PROJECTIONS_STORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/event.h"
#include "events/upcaster.h"
#include "projections/alert.h"
#include "projections/fold.h"
#include "projections/person_view.h"
#include "tests/test_support.h"

namespace Catch {
template <>
struct StringMaker<throughline::projections::Stage> {
  static std::string convert(throughline::projections::Stage s) {
    return std::string(throughline::events::EnumName(s));
  }
};
template <>
struct StringMaker<throughline::projections::AlertRule> {
  static std::string convert(throughline::projections::AlertRule r) {
    return std::string(throughline::events::EnumName(r));
  }
};
template <>
struct StringMaker<throughline::events::Timestamp> {
  static std::string convert(throughline::events::Timestamp t) {
    return throughline::events::FormatTimestamp(t);
  }
};
template <>
struct StringMaker<throughline::events::Date> {
  static std::string convert(throughline::events::Date d) {
    return throughline::events::FormatDate(d);
  }
};
}  // namespace Catch

namespace throughline::projections {

using events::Timestamp;

constexpr std::uint64_t kPerson = 42;
constexpr std::string_view kPnc = "2012/0123456Y";

inline Timestamp At(std::string_view text) {
  Timestamp t;
  INFO(text);
  REQUIRE_FALSE(events::ParseTimestamp(text, &t).has_value());
  return t;
}

inline events::Date Day(std::string_view text) {
  events::Date d;
  INFO(text);
  REQUIRE_FALSE(events::ParseDate(text, &d).has_value());
  return d;
}

inline Timestamp Plus(Timestamp t, std::int64_t ms) { return Timestamp{t.unix_ms + ms}; }

inline std::uint16_t CurrentVersion(std::string_view type) {
  for (const events::TypeInfo* info : events::CurrentTypeInfos()) {
    if (info->name == type)
      return info->version;
  }
  FAIL("no event type " << type);
  return 0;
}

// One CloudEvents envelope about the test person. `data` is the type's fields after
// data.person, e.g. R"("prison":"CFI","basis":"remand")".
inline std::string Envelope(std::string_view type, std::string_view time, std::string_view data,
                            std::string_view source, std::string_view id, int dataversion) {
  return fmt::format(R"({{"specversion":"1.0","id":"{}","source":"{}","type":"{}","time":"{}",)"
                     R"("dataversion":{},"data":{{"person":{{"pnc":"{}"}}{}{}}}}})",
                     id, source, type, time, dataversion, kPnc, data.empty() ? "" : ",", data);
}

struct EventOptions {
  std::string source = "test/fold";
  std::string id;                       // default: "e<sequence>"
  std::optional<std::string> appended;  // default: a minute after the event happened
  std::uint32_t identity_conflicts = 0;
  int dataversion = 0;  // default: the type's current version
};

inline EventOptions From(std::string source, std::string id = "") {
  EventOptions o;
  o.source = std::move(source);
  o.id = std::move(id);
  return o;
}
inline EventOptions AppendedAt(std::string time) {
  EventOptions o;
  o.appended = std::move(time);
  return o;
}
inline EventOptions Version(int dataversion) {
  EventOptions o;
  o.dataversion = dataversion;
  return o;
}
inline EventOptions WithConflicts(std::uint32_t conflicts, std::string source = "test/fold") {
  EventOptions o = From(std::move(source));
  o.identity_conflicts = conflicts;
  return o;
}

inline Knowledge KnownUpTo(std::optional<std::uint64_t> sequence,
                           std::optional<Timestamp> time = std::nullopt) {
  Knowledge k;
  k.sequence = sequence;
  k.time = time;
  return k;
}
inline Knowledge KnownAt(Timestamp time) { return KnownUpTo(std::nullopt, time); }

// A person's events in the order the log received them: each gets the next sequence.
class Story {
 public:
  FoldInput Add(std::string_view type, std::string_view time, std::string_view data = "",
                EventOptions options = {}) {
    const std::uint64_t sequence = inputs_.size() + 1;
    const std::string id = options.id.empty() ? fmt::format("e{}", sequence) : options.id;
    const int version = options.dataversion ? options.dataversion : CurrentVersion(type);
    events::Event event =
        testing::ParseValid(Envelope(type, time, data, options.source, id, version));
    events::Upcast(&event);
    const Timestamp appended = options.appended ? At(*options.appended) : Plus(event.time, 60'000);
    inputs_.push_back(FoldInput{sequence, appended, std::move(event), options.identity_conflicts});
    return inputs_.back();
  }

  // An event.retracted naming `earlier`, from its source.
  FoldInput Retract(const FoldInput& earlier, std::string_view time, EventOptions options = {}) {
    options.source = earlier.event.source;
    return Add("event.retracted", time,
               fmt::format(R"("retracted":{{"source":"{}","id":"{}"}},"reason":"Wrong person")",
                           earlier.event.source, earlier.event.id),
               options);
  }

  ProjectionState Fold() const { return projections::Fold(kPerson, inputs_); }
  PersonView View() const { return Fold().view; }
  Stage StageNow() const { return View().stage; }
  const std::vector<FoldInput>& inputs() const { return inputs_; }

 private:
  std::vector<FoldInput> inputs_;
};

inline std::vector<Alert> AlertsOf(const ProjectionState& state, AlertRule rule) {
  std::vector<Alert> out;
  for (const auto& a : state.alerts) {
    if (a.rule == rule)
      out.push_back(a);
  }
  return out;
}

// The alerts without the id and sequence, which name the log position of the event that raised
// them.
inline std::vector<Alert> WithoutPositions(std::vector<Alert> alerts) {
  for (Alert& a : alerts) {
    a.id.clear();
    a.sequence = 0;
  }
  return alerts;
}

// Checks what every alert says of where it came from.
inline void CheckAlert(const Alert& alert, AlertRule rule, const FoldInput& from,
                       std::string agency) {
  CHECK(alert.rule == rule);
  CHECK(alert.person == kPerson);
  CHECK(alert.sequence == from.sequence);
  CHECK(alert.id == fmt::format("{}-{}", events::EnumName(rule), from.sequence));
  CHECK(alert.agency == agency);
  CHECK(alert.event_time == from.event.time);
  CHECK_FALSE(alert.message.empty());
}

// A realistic history of one person, with events from several publishers, two of them at the
// same instant, in the order they happened.
inline Story RealisticHistory() {
  Story s;
  s.Add("safeguarding.concern_raised", "2018-02-10T16:00:00Z", R"("kind":"county_lines")",
        From("partnership/mash"));
  s.Add("out_of_court.disposal", "2018-07-21T19:00:00Z",
        R"("kind":"conditional_caution","offence":{"code":"PL96001"},"force":"gwent")",
        From("police/gwent"));
  s.Add("intelligence.ocg_linked", "2019-02-01T12:00:00Z", R"("ocg_ref":"DP-OCG-0042")",
        From("police/intel"));
  s.Add("arrest.recorded", "2019-03-04T10:15:00Z",
        R"("mode":"arrest","force":"dyfed-powys","offences":[{"code":"TH68001"}])",
        From("police/dyfed-powys"));
  s.Add("charge.recorded", "2019-03-04T18:40:00Z",
        R"("charge_id":"C1","case_id":"K1","offence":{"code":"TH68001"})",
        From("police/dyfed-powys"));
  s.Add("charge.recorded", "2019-03-04T18:40:00Z",
        R"("charge_id":"C2","case_id":"K1","offence":{"code":"TH68001"})", From("police/charging"));
  s.Add("bail.granted", "2019-03-04T19:05:00Z",
        R"("granted_by":"police","case_id":"K1","until":"2019-03-18")", From("police/dyfed-powys"));
  s.Add("arrest.recorded", "2019-03-10T22:00:00Z",
        R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])", From("police/gwent"));
  s.Add("court.hearing", "2019-03-18T10:00:00Z",
        R"("case_id":"K1","court":"Llanelli","outcome":"remanded_in_custody")",
        From("courts/llanelli"));
  s.Add("custody.received", "2019-03-18T16:20:00Z", R"("prison":"CFI","basis":"remand")",
        From("prison/cfi"));
  s.Add("conviction.recorded", "2019-04-08T10:30:00Z",
        R"("case_id":"K1","charge_ids":["C1"],"offences":[{"code":"TH68001"}])",
        From("courts/swansea"));
  s.Add("charge.disposed", "2019-04-08T10:31:00Z", R"("charge_id":"C2","outcome":"withdrawn")",
        From("police/charging"));
  s.Add("sentence.imposed", "2019-04-08T11:15:00Z",
        R"("case_id":"K1","kind":"immediate_custody","length":"P18M",)"
        R"("expected_release_date":"2019-12-20","licence_end_date":"2020-10-07")",
        From("courts/swansea"));
  s.Add("custody.transferred", "2019-05-02T08:00:00Z",
        R"("from_prison":"CFI","to_prison":"SWI","reason":"allocation")", From("prison/cfi"));
  s.Add("risk.assessed", "2019-11-28T14:00:00Z", R"("ogrs_2yr":67,"rosh":"medium")",
        From("probation/oasys"));
  s.Add("mappa.registered", "2019-12-10T10:00:00Z", R"("category":2,"level":2,"area":"Gwent")",
        From("partnership/mappa"));
  // Released, and the licence recorded at the very same instant by probation.
  s.Add("custody.released", "2019-12-20T09:30:00Z", R"("prison":"SWI","reason":"licence")",
        From("prison/swi"));
  s.Add("licence.started", "2019-12-20T09:30:00Z",
        R"("end_date":"2020-10-07","area":"Carmarthenshire","conditions":["Curfew"])",
        From("probation/delius"));
  s.Add("iom.adopted", "2019-12-21T09:00:00Z",
        R"("cohort":"fixed","selection_reason":"Acquisitive offending")", From("partnership/iom"));
  s.Add("em.tag.fitted", "2019-12-21T15:00:00Z", R"("kind":"curfew")", From("em/capita"));
  s.Add("intervention.referred", "2020-01-05T10:00:00Z",
        R"("referral_id":"R1","kind":"substance_misuse","provider":"Dyfodol")",
        From("interventions/dyfodol"));
  s.Add("licence.breached", "2020-01-13T10:00:00Z", R"("action":"recall_requested")",
        From("probation/delius"));
  s.Add("licence.recalled", "2020-01-14T14:00:00Z", R"("kind":"fixed_term_28")",
        From("probation/delius"));
  s.Add("em.tag.removed", "2020-01-15T09:00:00Z", R"("kind":"curfew")", From("em/capita"));
  s.Add("custody.received", "2020-01-15T13:10:00Z", R"("prison":"SWI","basis":"recall")",
        From("prison/swi"));
  s.Add("custody.released", "2020-02-12T09:15:00Z", R"("prison":"SWI","reason":"licence")",
        From("prison/swi"));
  s.Add("licence.varied", "2020-02-12T12:00:00Z",
        R"("conditions_added":["Drug testing"],"conditions_removed":["Curfew"])",
        From("probation/delius"));
  s.Add("intervention.started", "2020-02-20T10:00:00Z",
        R"("referral_id":"R1","kind":"substance_misuse")", From("interventions/dyfodol"));
  s.Add("arrest.recorded", "2020-03-01T02:00:00Z",
        R"("mode":"arrest","force":"dyfed-powys","offences":[{"code":"TH68001"}])",
        From("police/dyfed-powys"));
  return s;
}

}  // namespace throughline::projections

#endif  // THROUGHLINE_TESTS_PROJECTIONS_STORY_H_
