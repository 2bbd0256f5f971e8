// The store's value formats: round trips, and every truncation and flip refused, not crashed.

#include <catch2/catch.hpp>

#include "services/dead_letter.h"
#include "services/log_record.h"
#include "services/person_record.h"

namespace throughline::services {
namespace {

LogRecord SampleRecord() {
  LogRecord r;
  r.sequence = 42;
  r.appended_at = events::Timestamp{1'700'000'000'123};
  r.person = 7;
  r.previous_hash = HashRecord(41, "previous");
  r.origin = {"justice.events", 3, 1234};
  r.conflicts = {{events::IdentifierKind::kCrn, "X123456", 9}};
  r.event = std::string("\x01\x01 an encoded event", 20);
  return r;
}

DeadLetter SampleLetter() {
  DeadLetter d;
  d.origin = {"justice.events", 1, 77};
  d.kafka_time = events::Timestamp{1'700'000'000'000};
  d.rejected_at = events::Timestamp{1'700'000'000'500};
  d.key = "pnc:2012/0123456Y";
  d.value = R"({"specversion":"1.0"})";
  d.headers = {{"trace", "abc"}};
  d.errors = {{"id", events::Rule::kRequired, "required"}};
  return d;
}

template <class Decode>
void EveryCutAndFlipIsSafe(const std::string& value, Decode decode) {
  for (std::size_t n = 0; n < value.size(); ++n) {
    INFO("cut at " << n);
    CHECK_FALSE(decode(value.substr(0, n)).ok());
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    std::string flipped = value;
    flipped[i] = static_cast<char>(flipped[i] ^ 0xff);
    auto r = decode(flipped);
    if (!r.ok())
      CHECK((r.status().IsCorruption() || r.status().IsNotSupported()));
  }
}

TEST_CASE("Log records round-trip and refuse corruption") {
  const LogRecord r = SampleRecord();
  const std::string value = EncodeLogRecord(r);
  auto decoded = DecodeLogRecord(42, value);
  REQUIRE(decoded.ok());
  CHECK(*decoded == r);
  EveryCutAndFlipIsSafe(value, [](std::string_view v) { return DecodeLogRecord(42, v); });
  std::string future = value;
  future[0] = 2;
  CHECK(DecodeLogRecord(42, future).status().IsNotSupported());
}

TEST_CASE("A log record parsed in place gives the decoded fields as views into its value") {
  const LogRecord r = SampleRecord();
  const std::string value = EncodeLogRecord(r);
  auto parsed = ParseLogRecord(42, value);
  REQUIRE(parsed.ok());
  CHECK(parsed->appended_at == r.appended_at);
  CHECK(parsed->person == r.person);
  CHECK(parsed->previous_hash ==
        std::string_view(reinterpret_cast<const char*>(r.previous_hash.data()), 32));
  CHECK(parsed->topic == r.origin.topic);
  CHECK(parsed->partition == r.origin.partition);
  CHECK(parsed->offset == r.origin.offset);
  CHECK(parsed->conflict_count == 1);
  CHECK(parsed->event == r.event);
  // Views, not copies: each lies inside the value.
  CHECK(parsed->event.data() >= value.data());
  CHECK(parsed->event.data() + parsed->event.size() == value.data() + value.size());
  EveryCutAndFlipIsSafe(value, [](std::string_view v) { return ParseLogRecord(42, v); });
}

TEST_CASE("The record hash covers the sequence and every byte") {
  const std::string value = EncodeLogRecord(SampleRecord());
  const RecordHash h = HashRecord(42, value);
  CHECK(HashRecord(42, value) == h);
  CHECK(HashRecord(43, value) != h);
  std::string changed = value;
  changed.back() ^= 1;
  CHECK(HashRecord(42, changed) != h);
  // The hash of sequence 0 with no value is SHA-256 of eight zero bytes.
  CHECK(HexHash(HashRecord(0, "")) ==
        "af5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc");
}

TEST_CASE("Person records round-trip, keep identifiers sorted, and refuse corruption") {
  PersonRecord p;
  p.Add({events::IdentifierKind::kNoms, "A1234BC"});
  p.Add({events::IdentifierKind::kPnc, "2012/0123456Y"});
  p.Add({events::IdentifierKind::kPnc, "2012/0123456Y"});
  p.merged_from = {3, 5};
  p.merged_into = 0;
  REQUIRE(p.identifiers.size() == 2);
  CHECK(p.identifiers[0].kind == events::IdentifierKind::kPnc);
  CHECK(p.Has({events::IdentifierKind::kNoms, "A1234BC"}));
  const std::string value = EncodePersonRecord(p);
  auto decoded = DecodePersonRecord(1, value);
  REQUIRE(decoded.ok());
  CHECK(*decoded == p);
  EveryCutAndFlipIsSafe(value, [](std::string_view v) { return DecodePersonRecord(1, v); });
  p.Remove({events::IdentifierKind::kNoms, "A1234BC"});
  CHECK_FALSE(p.Has({events::IdentifierKind::kNoms, "A1234BC"}));
}

TEST_CASE("Dead letters round-trip, refuse corruption, and carry their reason as headers") {
  const DeadLetter d = SampleLetter();
  const std::string value = EncodeDeadLetter(d);
  auto decoded = DecodeDeadLetter(1, value);
  REQUIRE(decoded.ok());
  CHECK(*decoded == d);
  EveryCutAndFlipIsSafe(value, [](std::string_view v) { return DecodeDeadLetter(1, v); });

  auto headers = DeadLetterHeaders(d);
  auto header = [&](const std::string& name) {
    for (const auto& [n, v] : headers) {
      if (n == name)
        return v;
    }
    return std::string("<absent>");
  };
  CHECK(header("trace") == "abc");
  CHECK(header("throughline.error.path") == "id");
  CHECK(header("throughline.error.rule") == "required");
  // A publisher's own throughline.* header cannot pass as the engine's reason.
  DeadLetter forged = d;
  forged.headers.emplace_back("throughline.error.rule", "forged");
  headers = DeadLetterHeaders(forged);
  CHECK(header("throughline.error.rule") == "required");
  CHECK(header("original.throughline.error.rule") == "forged");
  headers = DeadLetterHeaders(d);
  CHECK(header("throughline.source.topic") == "justice.events");
  CHECK(header("throughline.source.partition") == "1");
  CHECK(header("throughline.source.offset") == "77");
  CHECK(header("throughline.rejected_at") == "2023-11-14T22:13:20.500Z");
}

}  // namespace
}  // namespace throughline::services
