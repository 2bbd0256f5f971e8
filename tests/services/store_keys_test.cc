#include "services/store_keys.h"

#include <algorithm>
#include <vector>

#include <catch2/catch.hpp>

namespace throughline::services {
namespace {

TEST_CASE("Sequence keys sort numerically") {
  std::vector<std::uint64_t> numbers = {1, 2, 255, 256, 65536, 1ull << 40, ~0ull};
  for (std::size_t i = 1; i < numbers.size(); ++i) {
    CHECK(U64Key(numbers[i - 1]) < U64Key(numbers[i]));
    CHECK(DecodeU64Key(U64Key(numbers[i])) == numbers[i]);
  }
  CHECK_FALSE(DecodeU64Key("short"));
}

TEST_CASE("Person event keys sort by person, then event time (before 1970 too), then sequence") {
  using events::Timestamp;
  std::vector<std::string> keys = {
      PersonEventKey(1, Timestamp{-5'000}, 9), PersonEventKey(1, Timestamp{-1}, 3),
      PersonEventKey(1, Timestamp{0}, 1),      PersonEventKey(1, Timestamp{0}, 2),
      PersonEventKey(1, Timestamp{10}, 1),     PersonEventKey(2, Timestamp{-99'999}, 1),
  };
  CHECK(std::is_sorted(keys.begin(), keys.end()));
  auto parts = DecodePersonEventKey(keys[0]);
  REQUIRE(parts);
  CHECK(parts->person == 1);
  CHECK(parts->time.unix_ms == -5'000);
  CHECK(parts->sequence == 9);
}

TEST_CASE("Idempotency keys keep source and id apart") {
  CHECK(IdempotencyKey("a", "bc") != IdempotencyKey("ab", "c"));
  CHECK(IdempotencyKey("police/gwent", "1") == IdempotencyKey("police/gwent", "1"));
}

TEST_CASE("Identity and offset keys round-trip") {
  auto id = DecodeIdentityKey(IdentityKey(events::IdentifierKind::kNoms, "A1234BC"));
  REQUIRE(id);
  CHECK(id->kind == events::IdentifierKind::kNoms);
  CHECK(id->value == "A1234BC");
  CHECK_FALSE(DecodeIdentityKey(std::string(1, '\x09') + "x"));

  auto offset = DecodeOffsetKey(OffsetKey("hmpps/domain-events", 11));
  REQUIRE(offset);
  CHECK(offset->topic == "hmpps/domain-events");
  CHECK(offset->partition == 11);
  CHECK_FALSE(DecodeOffsetKey("offset/topic/x"));
  CHECK_FALSE(DecodeOffsetKey("other"));
}

}  // namespace
}  // namespace throughline::services
