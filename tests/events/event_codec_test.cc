#include "events/event_codec.h"

#include <cstdlib>
#include <fstream>
#include <limits>
#include <utility>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/event_json.h"
#include "events/field_spec.h"
#include "events/record_codec.h"
#include "events/upcaster.h"
#include "tests/events/fixed_layout.h"
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

// Format 1's archives were cereal's, which a big-endian writer would have written swapped.
TEST_CASE("A fixed-layout archive written big-endian decodes to the same record") {
  for (const Event& e : SampleEvents()) {
    INFO(e.type_name() << " v" << e.dataversion());
    std::visit(
        [](const auto& data) {
          using Data = std::decay_t<decltype(data)>;
          std::string little, big;
          codec::EncodeFixedRecord(data, &little);
          codec::EncodeFixedRecord(data, &big, codec::OutArchive::Options::BigEndian());
          CHECK(big != little);  // so the bytes were swapped
          Data from_little{}, from_big{};
          REQUIRE(codec::DecodeRecord(little, &from_little, "little", codec::Layout::kFixed).ok());
          REQUIRE(codec::DecodeRecord(big, &from_big, "big", codec::Layout::kFixed).ok());
          CHECK(from_little == data);
          CHECK(from_big == data);
        },
        e.data);
  }
}

TEST_CASE("The compact layout takes what the fixed one did, in fewer bytes") {
  for (const Event& e : SampleEvents()) {
    INFO(e.type_name() << " v" << e.dataversion());
    std::visit(
        [](const auto& data) {
          using Data = std::decay_t<decltype(data)>;
          std::string compact, fixed;
          codec::EncodeRecord(data, &compact);
          codec::EncodeFixedRecord(data, &fixed);
          CHECK(compact.size() < fixed.size());
          Data decoded{};
          REQUIRE(codec::DecodeRecord(compact, &decoded, "compact").ok());
          CHECK(decoded == data);
        },
        e.data);
  }
}

// A record of one integer of each width the layouts encode.
struct Numbers {
  std::int32_t i32 = 0;
  std::int64_t i64 = 0;
  std::uint64_t u64 = 0;
  Period period;
  bool operator==(const Numbers&) const = default;
  template <class F>
  static void Fields(F&& f) {
    f(&Numbers::i32, FieldSpec{});
    f(&Numbers::i64, FieldSpec{});
    f(&Numbers::u64, FieldSpec{});
    f(&Numbers::period, FieldSpec{});
  }
};

// Each integer at the edges of its width, and the varints at the edges of their byte counts.
TEST_CASE("Compact integers round trip at every width's edges") {
  using L32 = std::numeric_limits<std::int32_t>;
  using L64 = std::numeric_limits<std::int64_t>;
  std::vector<Numbers> cases = {
      {},
      {L32::min(), L64::min(), 0, {0, 0, 0, 0}},
      {L32::max(), L64::max(), std::numeric_limits<std::uint64_t>::max(), {65535, 65535, 0, 1}},
      {-1, -1, 1, {1, 2, 3, 4}},
      {63, 64, 127, {127, 128, 16383, 16384}},
      {-64, -65, 128, {255, 256, 300, 1}},
      {20000, 1'764'547'200'000, 1ull << 63, {}},
  };
  for (const Numbers& n : cases) {
    std::string bytes;
    codec::EncodeRecord(n, &bytes);
    Numbers decoded{1, 1, 1, {1, 1, 1, 1}};
    REQUIRE(codec::DecodeRecord(bytes, &decoded, "numbers").ok());
    CHECK(decoded == n);
    std::string again;
    codec::EncodeRecord(decoded, &again);
    CHECK(again == bytes);
  }
  std::string zeros;
  codec::EncodeRecord(Numbers{}, &zeros);
  CHECK(zeros.size() == 7);  // one byte each: i32, i64, u64 and the period's four
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

// Golden records: the bytes of each format for every sample, decoded forever. If this fails
// after a change, the change broke the stored format: make it a new format version instead. (To
// add samples to the format written now, run with THROUGHLINE_UPDATE_GOLDEN=1 and review the
// diff: existing lines must not change.)
TEST_CASE("Golden records of format 1 still decode to the samples") {
  const auto lines =
      testing::ReadLines(testing::SourcePath("tests/data/golden/event_records_v1.hex"));
  const auto events = SampleEvents();
  REQUIRE(lines.size() == events.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    INFO(events[i].type_name() << " v" << events[i].dataversion());
    auto decoded = DecodeStoredEvent(Unhex(lines[i]));
    REQUIRE(decoded.ok());
    CHECK(*decoded == events[i]);
  }
}

TEST_CASE("Golden records of format 2 decode to the samples, and the samples encode to them") {
  REQUIRE(kEventFormatVersion == 2);
  const std::string path = testing::SourcePath("tests/data/golden/event_records_v2.hex");
  const auto events = SampleEvents();
  if (std::getenv("THROUGHLINE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream out(path);
    for (const Event& e : events)
      out << Hex(EncodeEvent(e)) << '\n';
  }
  const auto lines = testing::ReadLines(path);
  const auto v1 = testing::ReadLines(testing::SourcePath("tests/data/golden/event_records_v1.hex"));
  REQUIRE(lines.size() == events.size());
  std::size_t bytes = 0, v1_bytes = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    INFO(events[i].type_name() << " v" << events[i].dataversion());
    auto decoded = DecodeStoredEvent(Unhex(lines[i]));
    REQUIRE(decoded.ok());
    CHECK(*decoded == events[i]);
    CHECK(Hex(EncodeEvent(events[i])) == lines[i]);
    bytes += lines[i].size() / 2;
    v1_bytes += v1[i].size() / 2;
  }
  // Most of what format 1 spent was in eight-byte lengths.
  CHECK(bytes * 10 < v1_bytes * 8);
}

// Both formats, as the log holds them: the records written now and format 1's golden ones.
std::vector<std::string> RecordsOfEveryFormat() {
  std::vector<std::string> records;
  for (const Event& e : SampleEvents())
    records.push_back(EncodeEvent(e));
  for (const auto& line :
       testing::ReadLines(testing::SourcePath("tests/data/golden/event_records_v1.hex"))) {
    records.push_back(Unhex(line));
  }
  return records;
}

TEST_CASE("Every truncation of a record is a Corruption, never a crash") {
  for (const std::string& record : RecordsOfEveryFormat()) {
    for (std::size_t n = 0; n < record.size(); ++n) {
      auto decoded = DecodeStoredEvent(std::string_view(record).substr(0, n));
      INFO("format " << int(record[0]) << ", cut at " << n << " of " << record.size());
      REQUIRE_FALSE(decoded.ok());
      CHECK(decoded.status().IsCorruption());
    }
  }
}

TEST_CASE("Every single-byte flip is decoded or refused, never a crash") {
  for (const std::string& record : RecordsOfEveryFormat()) {
    for (std::size_t i = 0; i < record.size(); ++i) {
      for (unsigned char mask : {0x01, 0x80, 0xff}) {
        std::string flipped = record;
        flipped[i] = static_cast<char>(flipped[i] ^ mask);
        auto decoded = DecodeStoredEvent(flipped);
        if (!decoded.ok()) {
          CHECK((decoded.status().IsCorruption() || decoded.status().IsNotSupported()));
        } else {
          CHECK_FALSE(EventToJson(*decoded).empty());  // as `throughline log` prints it
          // A varint has one form, so what decodes in format 2 is exactly what those bytes say.
          if (record[0] == 2)
            CHECK(EncodeEvent(*decoded) == flipped);
        }
      }
    }
  }
}

// Found by tests/fuzz/event_codec_fuzzer.cc: a record whose time is far outside the years the
// parser accepts (a flipped high bit) decodes, and printing it overflowed in FormatTimestamp.
TEST_CASE("A record holding the largest or smallest time prints it") {
  const std::pair<std::int64_t, const char*> cases[] = {
      {std::numeric_limits<std::int64_t>::max(), "292278994-08-17T07:12:55.807Z"},
      {std::numeric_limits<std::int64_t>::min(), "-292275055-05-16T16:47:04.192Z"}};
  for (const auto& [ms, text] : cases) {
    Event e = SampleEvents().front();
    e.time.unix_ms = ms;
    auto decoded = DecodeStoredEvent(EncodeEvent(e));
    REQUIRE(decoded.ok());
    CHECK(FormatTimestamp(decoded->time) == text);
    CHECK(EventToJson(*decoded).find(fmt::format(R"("time":"{}")", text)) != std::string::npos);
  }
}

TEST_CASE("Specific corruptions say what they are") {
  const Event sample = SampleEvents().front();
  const std::string record = EncodeEvent(sample);
  // Format 2: version, then type and dataversion, each a one-byte varint for the catalogue's
  // numbers, then the id's length.
  REQUIRE(static_cast<std::uint8_t>(record[1]) < 0x80);
  REQUIRE(static_cast<std::uint8_t>(record[2]) < 0x80);
  REQUIRE(static_cast<std::uint8_t>(record[3]) == sample.id.size());
  const auto with = [&](std::size_t at, std::size_t n, std::string_view bytes) {
    return record.substr(0, at) + std::string(bytes) + record.substr(at + n);
  };
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
    auto decoded = DecodeStoredEvent(with(1, 1, "\xee\x5d"));  // 0x2eee
    CHECK(decoded.status().IsNotSupported());
  }
  SECTION("a type that does not fit its u16") {
    auto decoded = DecodeStoredEvent(with(1, 1, "\x80\x80\x04"));  // 65536
    CHECK(decoded.status().IsCorruption());
    CHECK(decoded.status().message() == "event record: 65536 does not fit in 2 bytes");
  }
  SECTION("a varint not in its shortest form") {
    const std::string longer = std::string(1, static_cast<char>(record[3] | 0x80)) + '\0';
    auto decoded = DecodeStoredEvent(with(3, 1, longer));
    CHECK(decoded.status().message() == "event record: varint not in its shortest form");
  }
  SECTION("a varint of more than 64 bits") {
    auto decoded = DecodeStoredEvent(with(3, 1, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02"));
    CHECK(decoded.status().message() == "event record: varint larger than 64 bits");
  }
  SECTION("a format 1 endianness byte other than 0 or 1, or none") {
    std::string bad =
        Unhex(testing::ReadLines(testing::SourcePath("tests/data/golden/event_records_v1.hex"))[0]);
    bad[1] = 2;
    CHECK(DecodeStoredEvent(bad).status().message() == "event record: bad endianness byte");
    CHECK(DecodeStoredEvent(bad.substr(0, 1)).status().message() ==
          "event record: bad endianness byte");
  }
  SECTION("bytes after the end") { CHECK(DecodeStoredEvent(record + "x").status().IsCorruption()); }
  SECTION("a huge string length allocates nothing and is refused") {
    auto decoded = DecodeStoredEvent(with(3, 1, "\xff\xff\xff\xff\xff\xff\xff\xff\x7f"));
    CHECK(decoded.status().IsCorruption());
    CHECK(decoded.status().message().find("only") != std::string::npos);
  }
}

}  // namespace
}  // namespace throughline::events
