// The adapter as a whole: the envelope and its quirks, ids, persons, external events, and
// messages that cannot be taken. The families' mappings have their own tests.

#include "events/hmpps/hmpps_adapter.h"

#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/event.h"
#include "events/event_codec.h"
#include "events/hmpps/mapping.h"
#include "tests/events/hmpps/hmpps_messages.h"
#include "tests/test_support.h"

namespace throughline::events::hmpps {
namespace {

using testing::Adapt;
using testing::Crn;
using testing::FlagAt;
using testing::HmppsEvent;
using testing::Noms;
using testing::Refused;
using testing::Sns;

constexpr const char* kReceived = "prison-offender-events.prisoner.received";
constexpr const char* kAdmission =
    R"("nomsNumber":"A1234BC","reason":"ADMISSION","prisonId":"SWI","nomisMovementReasonCode":"N")";

std::string Reception(const std::string& occurred_at = "2024-06-14T09:06:52+01:00",
                      const std::string& version = "1") {
  return HmppsEvent(kReceived, occurred_at, Noms("A1234BC"), kAdmission, version);
}

TEST_CASE(
    "Bare and SNS-wrapped, an event is the same event, and its id makes redelivery harmless") {
  const std::string bare = Reception();
  const Event from_bare = Adapt(bare);
  const Event wrapped = Adapt(Sns(bare, "7c2d2a2e-46f5-5c1b-9b6a-3f7e1d2c9a01", kReceived));
  CHECK(wrapped.id == "7c2d2a2e-46f5-5c1b-9b6a-3f7e1d2c9a01");
  CHECK(from_bare.id.starts_with("sha256:"));
  CHECK(from_bare.id.size() == 7 + 32);
  Event same = wrapped;
  same.id = from_bare.id;
  CHECK(same == from_bare);
  // The id is a function of the event: a redelivery has it, a republication too (publishedAt
  // changes), another event has another.
  CHECK(Adapt(bare).id == from_bare.id);
  std::string republished = testing::WithMember(bare, {"publishedAt"}, "2024-07-02T08:00:00Z");
  CHECK(Adapt(republished).id == from_bare.id);
  std::string other = testing::WithMember(bare, {"additionalInformation", "prisonId"}, "CFI");
  CHECK(Adapt(other).id != from_bare.id);
  // Stored the way native events are.
  CHECK(DecodeEvent(EncodeEvent(from_bare)).value() == from_bare);
}

TEST_CASE("version as a number or a string") {
  for (const std::string version : {"1", R"("1")", "2", R"("2")", "1.0"})
    CHECK(Adapt(Reception("2024-06-14T09:06:52+01:00", version)).type_name() == "custody.received");
  for (const std::string version : {R"("one")", "0", "1.5", R"([1])"}) {
    INFO(version);
    const auto errors = Refused(Reception("2024-06-14T09:06:52+01:00", version));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].path == "version");
    CHECK(errors[0].rule == Rule::kWrongType);
  }
}

TEST_CASE("occurredAt with any offset, as a Java Date, or in UK civil time (flagged)") {
  CHECK(FormatTimestamp(Adapt(Reception("2024-06-14T08:06:52Z")).time) == "2024-06-14T08:06:52Z");
  const Event java = Adapt(Reception("Fri Jun 14 09:06:52 BST 2024"));
  CHECK(FormatTimestamp(java.time) == "2024-06-14T08:06:52Z");
  CHECK(java.flags.empty());
  const Event winter = Adapt(Reception("Thu Jan 11 09:06:52 GMT 2024"));
  CHECK(FormatTimestamp(winter.time) == "2024-01-11T09:06:52Z");
  const Event local = Adapt(Reception("2024-06-14T09:06:52"));
  CHECK(FormatTimestamp(local.time) == "2024-06-14T08:06:52Z");
  REQUIRE(FlagAt(local, "time") != nullptr);
  CHECK(FlagAt(local, "time")->message.find("BST") != std::string::npos);
  // No occurredAt: when it was published, flagged.
  const Event published = Adapt(testing::WithoutMember(Reception(), {"occurredAt"}));
  CHECK(FormatTimestamp(published.time) == "2024-07-01T11:00:00.123Z");
  CHECK(FlagAt(published, "time") != nullptr);
  const auto errors = Refused(Reception("14th June"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "occurredAt");
  CHECK(errors[0].rule == Rule::kTimeFormat);
}

TEST_CASE("Numbers and booleans as strings, strings as numbers, empty strings as absent") {
  const std::string as_strings = HmppsEvent(
      "prison-offender-events.prisoner.cell.move", "2024-06-14T09:06:52+01:00", Noms("A1234BC"),
      R"("nomsNumber":"A1234BC","livingUnitId":"5023","bedAssignmentSeq":"2","recall":"true",)"
      R"("comment":"")");
  const std::string as_json = HmppsEvent(
      "prison-offender-events.prisoner.cell.move", "2024-06-14T09:06:52+01:00", Noms("A1234BC"),
      R"("nomsNumber":"A1234BC","livingUnitId":5023,"bedAssignmentSeq":2,"recall":true,)"
      R"("comment":null)");
  const Event a = Adapt(as_strings);
  const Event b = Adapt(as_json);
  CHECK(std::get<External>(a.data).information == std::get<External>(b.data).information);
  CHECK(std::get<External>(a.data).information.size() == 4);
  // A reception's movement reason "" is no reason at all.
  const Event e = Adapt(HmppsEvent(kReceived, "2024-06-14T09:06:52+01:00", Noms("A1234BC"),
                                   R"("reason":"ADMISSION","prisonId":"SWI",)"
                                   R"("nomisMovementReasonCode":"","details":"")"));
  CHECK(FlagAt(e, "data.basis")->message.find("no nomisMovementReasonCode") != std::string::npos);
}

TEST_CASE("Who it is about: personReference and additionalInformation, agreeing") {
  SECTION("a NOMS number only in additionalInformation") {
    const Event e = Adapt(HmppsEvent(kReceived, "2024-06-14T09:06:52+01:00", "[]", kAdmission));
    CHECK(e.person.noms == "A1234BC");
  }
  SECTION("identifiers of kinds the catalogue does not know are passed over") {
    const Event e =
        Adapt(HmppsEvent(kReceived, "2024-06-14T09:06:52+01:00",
                         R"([{"type":"PERSON","value":"123"},{"type":"noms","value":"a1234bc"},)"
                         R"({"type":"CRN","value":""}])",
                         kAdmission));
    CHECK(e.person.noms == "A1234BC");
    CHECK_FALSE(e.person.crn);
  }
  SECTION("two prison numbers: which person?") {
    const auto errors =
        Refused(HmppsEvent(kReceived, "2024-06-14T09:06:52+01:00", Noms("B5678CD"), kAdmission));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].path == "additionalInformation.nomsNumber");
    CHECK(errors[0].rule == Rule::kInconsistent);
  }
  SECTION("nobody") {
    const auto errors = Refused(HmppsEvent(kReceived, "2024-06-14T09:06:52+01:00", "[]",
                                           R"("reason":"ADMISSION","prisonId":"SWI")"));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].path == "personReference.identifiers");
    CHECK(errors[0].rule == Rule::kNoIdentifier);
  }
  SECTION("a malformed identifier, at its path") {
    const auto errors =
        Refused(HmppsEvent(kReceived, "2024-06-14T09:06:52+01:00", Crn("X12345"), kAdmission));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].path == "personReference.identifiers[0].value");
    CHECK(errors[0].rule == Rule::kFormat);
  }
}

TEST_CASE("A type with no mapping is kept as external, with what its producer said") {
  const std::string message =
      HmppsEvent("person.alert.created", "2024-06-14T09:06:52+01:00", Crn("X123456"),
                 R"("alertUuid":"8c1e5f2a","alertCode":"XSA","source":"DPS",)"
                 R"("details":{"nested":[1,2]})");
  const Event e = Adapt(message);
  CHECK(e.type_name() == "external");
  CHECK(e.info().data_class == DataClass::kUnclassified);
  CHECK(e.source == "hmpps/person");
  CHECK(e.id.ends_with("/external"));
  const auto& x = std::get<External>(e.data);
  CHECK(x.event_type == "person.alert.created");
  CHECK(x.description == "person.alert.created, for a test");
  CHECK(x.note == "its type has no mapping to the catalogue");
  REQUIRE(x.information.size() == 4);
  CHECK(x.information[1] == ExternalItem{"alertCode", "XSA"});
  CHECK(x.information[3] == ExternalItem{"details", R"({"nested":[1,2]})"});
  SECTION("what the catalogue cannot hold is cut, not refused") {
    std::string info;
    for (int i = 0; i < 150; ++i)
      info += fmt::format(R"("k{}":"{}",)", i, std::string(1500, 'x'));
    info += R"("tab":"a\u0001b")";
    const Event big = Adapt(
        HmppsEvent("person.alert.created", "2024-06-14T09:06:52+01:00", Crn("X123456"), info));
    const auto& items = std::get<External>(big.data).information;
    CHECK(items.size() == 100);
    CHECK(items[0].value.size() <= 1000);
    CHECK(items.back().value.find("more members") != std::string::npos);
  }
}

TEST_CASE("Garbage is refused with its reason") {
  SECTION("not JSON") {
    const auto errors = Refused("{\"eventType\": ");
    CHECK(errors.at(0).rule == Rule::kJsonSyntax);
  }
  SECTION("not an object") { CHECK(Refused("[1,2]").at(0).rule == Rule::kWrongType); }
  SECTION("no eventType") {
    const auto errors = Refused(testing::WithoutMember(Reception(), {"eventType"}));
    CHECK(errors.at(0).path == "eventType");
    CHECK(errors.at(0).rule == Rule::kRequired);
  }
  SECTION("an SNS notification whose Message is not JSON") {
    const auto errors = Refused(Sns("not json", "m-1", kReceived));
    CHECK(errors.at(0).path == "Message");
    CHECK(errors.at(0).rule == Rule::kJsonSyntax);
  }
  SECTION("an SNS message that is not a notification") {
    std::string confirmation = testing::WithMember(Sns(Reception(), "m-1", kReceived), {"Type"},
                                                   "SubscriptionConfirmation");
    CHECK(Refused(confirmation).at(0).path == "Type");
  }
  SECTION("an SNS eventType attribute that contradicts the event") {
    const auto errors = Refused(Sns(Reception(), "m-1", "probation-case.merge.completed"));
    CHECK(errors.at(0).path == "MessageAttributes.eventType.Value");
    CHECK(errors.at(0).rule == Rule::kInconsistent);
  }
  SECTION("additionalInformation that is not an object") {
    const auto errors =
        Refused(testing::WithMember(Reception(), {"additionalInformation"}, "ADMISSION"));
    CHECK(errors.at(0).path == "additionalInformation");
  }
  SECTION("every truncation and byte flip of a message: refused or taken, never a crash") {
    const std::string message = Sns(Reception(), "m-1", kReceived);
    HmppsAdapter adapter;
    for (std::size_t n = 0; n < message.size(); ++n) {
      (void)adapter.Parse(std::string_view(message).substr(0, n));
      std::string flipped = message;
      flipped[n] = static_cast<char>(flipped[n] ^ 0x5a);
      (void)adapter.Parse(flipped);
    }
  }
}

TEST_CASE("An SNS notification with only the attribute's eventType is read by it") {
  const std::string event = testing::WithoutMember(Reception(), {"eventType"});
  CHECK(Adapt(Sns(event, "m-2", kReceived)).type_name() == "custody.received");
}

TEST_CASE("Every mapping has a producer and a distinct eventType") {
  std::set<std::string_view> types;
  for (const TypeMapping* m : AllMappings()) {
    CHECK(types.insert(m->event_type).second);
    CHECK_FALSE(m->producer.empty());
    CHECK(FindMapping(m->event_type) == m);
  }
  CHECK(types.size() >= 20);
  CHECK(FindMapping("person.alert.created") == nullptr);
}

}  // namespace
}  // namespace throughline::events::hmpps
