// The stored form of a person's projection (projections/projection_codec.h): round trips,
// corrupt bytes, and the golden records of projection versions 1, 2 and 3.

#include "projections/projection_codec.h"

#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/record_codec.h"
#include "tests/projections/story.h"

namespace throughline::projections {
namespace {

// ---------------------------------------------------------------------------------------------
// Stored form

TEST_CASE("A projection survives its stored form, and corrupt bytes are refused") {
  const ProjectionState state = RealisticHistory().Fold();
  REQUIRE_FALSE(state.alerts.empty());
  const std::string bytes = EncodeProjection(state);

  SECTION("decoded, it is the same state") {
    auto decoded = DecodeProjection(kPerson, bytes);
    REQUIRE(decoded.ok());
    CHECK(*decoded == state);
    CHECK(EncodeView(decoded->view) == EncodeView(state.view));
  }

  SECTION("every truncation is Corruption") {
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      auto decoded = DecodeProjection(kPerson, std::string_view(bytes).substr(0, n));
      INFO("first " << n << " of " << bytes.size() << " bytes");
      REQUIRE_FALSE(decoded.ok());
      REQUIRE(decoded.status().IsCorruption());
    }
  }

  SECTION("bytes after the end are Corruption") {
    auto decoded = DecodeProjection(kPerson, bytes + '\0');
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().IsCorruption());
  }

  SECTION("another projection version is NotSupported") {
    std::string flipped = bytes;
    flipped[0] = static_cast<char>(flipped[0] ^ 0xff);
    auto decoded = DecodeProjection(kPerson, flipped);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().IsNotSupported());
  }

  SECTION("a varint not in its shortest form is Corruption") {
    // The first field after the version byte is a string's length.
    REQUIRE(static_cast<std::uint8_t>(bytes[1]) < 0x80);
    std::string longer =
        bytes.substr(0, 1) + static_cast<char>(bytes[1] | 0x80) + '\0' + bytes.substr(2);
    auto decoded = DecodeProjection(kPerson, longer);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().message().find("shortest form") != std::string::npos);
  }

  SECTION("an enumeration or boolean byte that holds no value is Corruption") {
    // Where the stage and removed_from_uk bytes are: the only bytes that differ when only they do.
    const auto position_of = [&](const ProjectionState& other) {
      const std::string other_bytes = EncodeProjection(other);
      REQUIRE(other_bytes.size() == bytes.size());
      std::vector<std::size_t> differ;
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] != other_bytes[i])
          differ.push_back(i);
      }
      REQUIRE(differ.size() == 1);
      return differ[0];
    };
    ProjectionState other_stage = state;
    other_stage.view.stage = Stage::kDeceased;
    ProjectionState other_flag = state;
    other_flag.view.removed_from_uk = !state.view.removed_from_uk;
    for (std::size_t at : {position_of(other_stage), position_of(other_flag)}) {
      std::string flipped = bytes;
      flipped[at] = static_cast<char>(0xfe);
      auto decoded = DecodeProjection(kPerson, flipped);
      INFO("byte " << at);
      REQUIRE_FALSE(decoded.ok());
      CHECK(decoded.status().IsCorruption());
    }
  }

  SECTION("any flipped byte is refused, or decodes to exactly what those bytes say") {
    int refused = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ 0xff);
      auto decoded = DecodeProjection(kPerson, flipped);
      if (decoded.ok()) {
        INFO("byte " << i);
        REQUIRE(EncodeProjection(*decoded) == flipped);
      } else {
        ++refused;
      }
    }
    // Lengths, counts, enumerations, presence and boolean bytes: a good share of the record.
    CHECK(refused > static_cast<int>(bytes.size()) / 10);
  }
}

// The golden record: a realistic person's projection in projection version 3. If this fails
// after a change, the change altered what the fold gives or how it is stored: bump
// kProjectionVersion (engines then rebuild their views) and regenerate the file with
// THROUGHLINE_UPDATE_GOLDEN=1 under a new name.
TEST_CASE("The golden view record of projection version 3") {
  REQUIRE(kProjectionVersion == 3);
  const std::string path = testing::SourcePath("tests/data/golden/view_record_v3.hex");
  const ProjectionState state = RealisticHistory().Fold();
  if (std::getenv("THROUGHLINE_UPDATE_GOLDEN") != nullptr)
    std::ofstream(path) << testing::Hex(EncodeProjection(state)) << '\n';
  const auto lines = testing::ReadLines(path);
  REQUIRE(lines.size() == 1);
  auto decoded = DecodeProjection(kPerson, testing::Unhex(lines[0]));
  REQUIRE(decoded.ok());
  CHECK(*decoded == state);
  CHECK(testing::Hex(EncodeProjection(state)) == lines[0]);
}

// An older projection version's golden record: `old` is its state, read in `layout` (what that
// version wrote); the engine itself refuses the record and asks for a rebuild.
std::string OlderGoldenRecord(int version, events::codec::Layout layout, ProjectionState* old) {
  const auto lines = testing::ReadLines(
      testing::SourcePath(fmt::format("tests/data/golden/view_record_v{}.hex", version)));
  REQUIRE(lines.size() == 1);
  const std::string bytes = testing::Unhex(lines[0]);
  REQUIRE(bytes[0] == version);
  REQUIRE(events::codec::DecodeRecord(std::string_view(bytes).substr(1), old, "view", layout).ok());
  auto decoded = DecodeProjection(kPerson, bytes);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().IsNotSupported());
  CHECK(decoded.status().message().find("rebuild the views") != std::string::npos);
  return bytes;
}

// Version 3 changed what the fold gives for sentences served together and for a prison's
// change of basis, not the layout: version 2's golden record, read in the same layout, is this
// history's fold, which has neither. An engine reading a version 2 store rebuilds its views.
TEST_CASE("A view of projection version 2 is read no more: it asks for a rebuild") {
  ProjectionState old;
  OlderGoldenRecord(2, events::codec::Layout::kCompact, &old);
  CHECK(old == RealisticHistory().Fold());
}

// Version 2 changed the layout only: version 1's golden record, read in the fixed layout, is
// the same fold. An engine reading a version 1 store rebuilds its views rather than read them.
TEST_CASE("A view of projection version 1 is the same fold, and asks for a rebuild") {
  ProjectionState old;
  const std::string v1 = OlderGoldenRecord(1, events::codec::Layout::kFixed, &old);
  CHECK(old == RealisticHistory().Fold());
  CHECK(EncodeProjection(old).size() * 10 < v1.size() * 7);
}

}  // namespace
}  // namespace throughline::projections
