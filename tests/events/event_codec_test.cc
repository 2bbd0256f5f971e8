#include "events/event_codec.h"

#include <cstdlib>
#include <fstream>
#include <limits>
#include <utility>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/event_json.h"
#include "events/record_codec.h"
#include "events/upcaster.h"
#include "tests/test_support.h"

namespace throughline::events {
namespace {

std::vector<Event> SampleEvents() {
  std::vector<Event> events;
  for (const auto& line : testing::ValidSamples())
    events.push_back(testing::ParseValid(line));
  return events;
}

using testing::Hex;
using testing::Unhex;

TEST_CASE("decode(encode(e)) == e for every type and version") {
  for (const Event& e : SampleEvents()) {
    INFO(e.type_name() << " v" << e.dataversion());
    std::string record = EncodeEvent(e);
    CHECK(static_cast<std::uint8_t>(record[0]) == kEventFormatVersion);
    auto stored = DecodeStoredEvent(record);
    REQUIRE(stored.ok());
    CHECK(*stored == e);
  }
}

TEST_CASE("A record encoded while another is, on the same thread, does not take over its stream") {
  const std::vector<Event> events = SampleEvents();
  std::string outer_bytes;
  codec::WriteStream outer(&outer_bytes);  // the thread's stream
  outer.stream().rdbuf()->sputn("ab", 2);
  const std::string inner = EncodeEvent(events.back());
  auto decoded = DecodeStoredEvent(inner);
  REQUIRE(decoded.ok());
  CHECK(*decoded == events.back());
  outer.stream().rdbuf()->sputn("cd", 2);
  CHECK(outer_bytes == "abcd");
}

TEST_CASE("An archive written big-endian decodes to the same record") {
  for (const Event& e : SampleEvents()) {
    INFO(e.type_name() << " v" << e.dataversion());
    std::visit(
        [](const auto& data) {
          using Data = std::decay_t<decltype(data)>;
          std::string little, big;
          codec::EncodeRecord(data, &little);
          {
            codec::StringSink sink(&big);
            std::ostream stream(&sink);
            codec::OutArchive archive(stream, codec::OutArchive::Options::BigEndian());
            codec::Encoder(archive).Put(data);
          }
          CHECK(big != little);  // so the bytes were swapped
          Data from_little{}, from_big{};
          REQUIRE(codec::DecodeRecord(little, &from_little, "little").ok());
          REQUIRE(codec::DecodeRecord(big, &from_big, "big").ok());
          CHECK(from_little == data);
          CHECK(from_big == data);
        },
        e.data);
  }
}

TEST_CASE("Flags and attributes survive the round trip") {
  Event e = SampleEvents().back();
  e.attributes.push_back({"traceparent", "00-abc-01"});
  e.flags.push_back({"data.prison", Rule::kUnknownReference, "prison code \"XYZ\" is unknown"});
  auto decoded = DecodeStoredEvent(EncodeEvent(e));
  REQUIRE(decoded.ok());
  CHECK(*decoded == e);
}

TEST_CASE("DecodeEvent upcasts and DecodeStoredEvent keeps the version published") {
  for (const Event& e : SampleEvents()) {
    std::string record = EncodeEvent(e);
    auto read = DecodeEvent(record);
    REQUIRE(read.ok());
    CHECK(IsCurrent(read->data));
    Event upcast = e;
    Upcast(&upcast);
    CHECK(*read == upcast);
    CHECK(DecodeStoredEvent(record)->dataversion() == e.dataversion());
  }
}

// The rebuild decodes event after event into the same few Events: whatever one held before (a
// type with more fields set, longer lists, an identifier the next lacks, a record that failed
// halfway) must not show through in the next.
TEST_CASE("Decoding into an Event that held another gives what decoding afresh gives") {
  std::vector<Event> events;
  for (const Event& e : SampleEvents()) {
    events.push_back(e);
    Event fuller = e;
    fuller.attributes = {{"traceparent", "00-abc-01"}, {"subject", "a subject"}};
    fuller.flags = {{"data.prison", Rule::kUnknownReference, "prison code \"XYZ\" is unknown"}};
    fuller.person.pnc = "2001/0000001Z";
    fuller.person.cro = "000001/01A";
    events.push_back(fuller);
    Event emptier = e;
    emptier.attributes.clear();
    emptier.person = Person{};
    emptier.person.crn = "X000001";
    events.push_back(emptier);
  }
  std::vector<std::string> records;
  for (const Event& e : events)
    records.push_back(EncodeEvent(e));
  const std::string truncated = records.front().substr(0, records.front().size() / 2);
  for (std::size_t a = 0; a < records.size(); ++a) {
    for (std::size_t b = 0; b < records.size(); ++b) {
      INFO(events[a].type_name() << " v" << events[a].dataversion() << " (" << a << "), then "
                                 << events[b].type_name() << " v" << events[b].dataversion() << " ("
                                 << b << ")");
      Event stored, upcast;
      REQUIRE(DecodeStoredEvent(records[a], &stored).ok());
      REQUIRE(DecodeEvent(records[a], &upcast).ok());
      if (b % 7 == 0) {  // and a record that fails part way between them, now and then
        CHECK_FALSE(DecodeStoredEvent(truncated, &stored).ok());
        CHECK_FALSE(DecodeEvent(truncated, &upcast).ok());
      }
      REQUIRE(DecodeStoredEvent(records[b], &stored).ok());
      REQUIRE(DecodeEvent(records[b], &upcast).ok());
      CHECK(stored == events[b]);
      CHECK(upcast == *DecodeEvent(records[b]));
    }
  }
}

// Golden records: the bytes of format 1 for every sample, decoded forever. If this fails after
// a change, the change broke the stored format: make it a new format version instead. (To add
// samples, run with THROUGHLINE_UPDATE_GOLDEN=1 and review the diff: existing lines must not
// change.)
TEST_CASE("Golden records of format 1 still decode to the samples") {
  const std::string path = testing::SourcePath("tests/data/golden/event_records_v1.hex");
  const auto events = SampleEvents();
  if (std::getenv("THROUGHLINE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream out(path);
    for (const Event& e : events)
      out << Hex(EncodeEvent(e)) << '\n';
  }
  const auto lines = testing::ReadLines(path);
  REQUIRE(lines.size() == events.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    INFO(events[i].type_name() << " v" << events[i].dataversion());
    auto decoded = DecodeStoredEvent(Unhex(lines[i]));
    REQUIRE(decoded.ok());
    CHECK(*decoded == events[i]);
    CHECK(Hex(EncodeEvent(events[i])) == lines[i]);
  }
}

TEST_CASE("Every truncation of a record is a Corruption, never a crash") {
  for (const Event& e : SampleEvents()) {
    std::string record = EncodeEvent(e);
    for (std::size_t n = 0; n < record.size(); ++n) {
      auto decoded = DecodeStoredEvent(std::string_view(record).substr(0, n));
      INFO(e.type_name() << " cut at " << n << " of " << record.size());
      REQUIRE_FALSE(decoded.ok());
      CHECK(decoded.status().IsCorruption());
    }
  }
}

TEST_CASE("Every single-byte flip is decoded or refused, never a crash") {
  for (const Event& e : SampleEvents()) {
    const std::string record = EncodeEvent(e);
    for (std::size_t i = 0; i < record.size(); ++i) {
      for (unsigned char mask : {0x01, 0x80, 0xff}) {
        std::string flipped = record;
        flipped[i] = static_cast<char>(flipped[i] ^ mask);
        auto decoded = DecodeStoredEvent(flipped);
        if (!decoded.ok()) {
          CHECK((decoded.status().IsCorruption() || decoded.status().IsNotSupported()));
        } else {
          CHECK_FALSE(EventToJson(*decoded).empty());  // as `throughline log` prints it
        }
      }
    }
  }
}

// Found by tests/fuzz/event_codec_fuzzer.cc: a record whose time is far outside the years the
// parser accepts (a flipped high bit) decodes, and printing it overflowed in FormatTimestamp.
TEST_CASE("A record holding the largest or smallest time prints it") {
  const Event e = SampleEvents().front();
  const std::string record = EncodeEvent(e);
  // version, endianness, type, dataversion, then id and source, each a u64 length and bytes.
  const std::size_t time_at = 6 + 8 + e.id.size() + 8 + e.source.size();
  const std::pair<std::int64_t, const char*> cases[] = {
      {std::numeric_limits<std::int64_t>::max(), "292278994-08-17T07:12:55.807Z"},
      {std::numeric_limits<std::int64_t>::min(), "-292275055-05-16T16:47:04.192Z"}};
  for (const auto& [ms, text] : cases) {
    std::string extreme = record;
    for (std::size_t i = 0; i < 8; ++i)  // little-endian
      extreme[time_at + i] = static_cast<char>(static_cast<std::uint64_t>(ms) >> (8 * i));
    auto decoded = DecodeStoredEvent(extreme);
    REQUIRE(decoded.ok());
    CHECK(FormatTimestamp(decoded->time) == text);
    CHECK(EventToJson(*decoded).find(fmt::format(R"("time":"{}")", text)) != std::string::npos);
  }
}

TEST_CASE("Specific corruptions say what they are") {
  const std::string record = EncodeEvent(SampleEvents().front());
  SECTION("empty") { CHECK(DecodeStoredEvent("").status().IsCorruption()); }
  SECTION("a format version from the future") {
    std::string future = record;
    future[0] = static_cast<char>(kEventFormatVersion + 1);
    auto decoded = DecodeStoredEvent(future);
    CHECK(decoded.status().IsNotSupported());
    CHECK(decoded.status().message().find("newer") != std::string::npos);
  }
  SECTION("format version 0 never existed") {
    std::string zero = record;
    zero[0] = 0;
    CHECK(DecodeStoredEvent(zero).status().IsCorruption());
  }
  SECTION("an unknown event type") {
    std::string unknown = record;
    unknown[2] = static_cast<char>(0xee);  // type is the u16 after version and endianness
    unknown[3] = static_cast<char>(0xee);
    CHECK(DecodeStoredEvent(unknown).status().IsNotSupported());
  }
  SECTION("an endianness byte other than 0 or 1, or none") {
    std::string bad = record;
    bad[1] = 2;
    CHECK(DecodeStoredEvent(bad).status().message() == "event record: bad endianness byte");
    CHECK(DecodeStoredEvent(record.substr(0, 1)).status().message() ==
          "event record: bad endianness byte");
  }
  SECTION("bytes after the end") { CHECK(DecodeStoredEvent(record + "x").status().IsCorruption()); }
  SECTION("a huge string length allocates nothing and is refused") {
    // The id's length is the u64 after type and dataversion.
    std::string huge = record;
    for (int i = 6; i < 14; ++i)
      huge[static_cast<std::size_t>(i)] = static_cast<char>(0x7f);
    auto decoded = DecodeStoredEvent(huge);
    CHECK(decoded.status().IsCorruption());
  }
}

}  // namespace
}  // namespace throughline::events
