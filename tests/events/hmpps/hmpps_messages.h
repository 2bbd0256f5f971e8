// HMPPS domain event messages for tests, shaped as their producers publish them: the envelope
// of prison-offender-events (every additionalInformation value a string), bare or wrapped in
// an SNS notification.

#ifndef THROUGHLINE_TESTS_EVENTS_HMPPS_HMPPS_MESSAGES_H_
#define THROUGHLINE_TESTS_EVENTS_HMPPS_HMPPS_MESSAGES_H_

#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/hmpps/hmpps_adapter.h"

namespace throughline::testing {

// personReference.identifiers of a prison number, of a CRN, and of both.
inline std::string Noms(const std::string& noms) {
  return fmt::format(R"([{{"type":"NOMS","value":"{}"}}])", noms);
}
inline std::string Crn(const std::string& crn) {
  return fmt::format(R"([{{"type":"CRN","value":"{}"}}])", crn);
}
inline std::string CrnAndNoms(const std::string& crn, const std::string& noms) {
  return fmt::format(R"([{{"type":"CRN","value":"{}"}},{{"type":"NOMS","value":"{}"}}])", crn,
                     noms);
}

// A bare domain event: `info` is the members of additionalInformation (JSON, may be empty).
inline std::string HmppsEvent(const std::string& type, const std::string& occurred_at,
                              const std::string& identifiers, const std::string& info,
                              const std::string& version = "1") {
  return fmt::format(R"({{"eventType":"{}","version":{},"description":"{}, for a test",)"
                     R"("occurredAt":"{}","publishedAt":"2024-07-01T12:00:00.123456+01:00",)"
                     R"("personReference":{{"identifiers":{}}},"additionalInformation":{{{}}}}})",
                     type, version, type, occurred_at, identifiers, info);
}

// The event as the `Message` of an SNS notification.
inline std::string Sns(const std::string& event, const std::string& message_id,
                       const std::string& type) {
  return fmt::format(
      R"({{"Type":"Notification","MessageId":"{}",)"
      R"("TopicArn":"arn:aws:sns:eu-west-2:000000000000:hmpps-domain-events",)"
      R"("Message":{},"Timestamp":"2024-07-01T11:00:00.123Z","SignatureVersion":"1",)"
      R"("MessageAttributes":{{"eventType":{{"Type":"String","Value":"{}"}}}}}})",
      message_id, boost::json::serialize(boost::json::value(event)), type);
}

// The event the adapter makes of `message`; fails the test, with the reasons, if none.
inline events::Event Adapt(const std::string& message) {
  events::hmpps::HmppsAdapter adapter;
  events::ParseResult result = adapter.Parse(message);
  INFO(message);
  INFO(events::JoinErrors(result.errors));
  REQUIRE(result.ok());
  return result.event;
}

// Why the adapter refuses `message`; fails the test if it does not.
inline events::ValidationErrors Refused(const std::string& message) {
  events::hmpps::HmppsAdapter adapter;
  events::ParseResult result = adapter.Parse(message);
  INFO(message);
  REQUIRE_FALSE(result.ok());
  return result.errors;
}

// The flag at `path` of `rule` on an event, or nullptr.
inline const events::ValidationError* FlagAt(const events::Event& event, const std::string& path,
                                             events::Rule rule = events::Rule::kInferred) {
  for (const auto& f : event.flags) {
    if (f.path == path && f.rule == rule)
      return &f;
  }
  return nullptr;
}

}  // namespace throughline::testing

#endif  // THROUGHLINE_TESTS_EVENTS_HMPPS_HMPPS_MESSAGES_H_
