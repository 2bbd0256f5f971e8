#include "events/upcaster.h"

#include <catch2/catch.hpp>

#include "tests/test_support.h"

namespace throughline::events {
namespace {

TEST_CASE("Custody events of older dataversions read as the current one") {
  SECTION("custody.received: establishment -> prison") {
    Event e = testing::ParseValid(testing::SampleFor(CustodyReceivedV1::kInfo));
    REQUIRE(e.dataversion() == 1);
    const auto v1 = std::get<CustodyReceivedV1>(e.data);
    Upcast(&e);
    REQUIRE(e.dataversion() == 2);
    const auto& v2 = std::get<CustodyReceived>(e.data);
    CHECK(v2.prison == v1.establishment);
    CHECK(v2.basis == v1.basis);
  }
  SECTION("custody.transferred: from/to_establishment -> from/to_prison, then optional") {
    Event e = testing::ParseValid(testing::SampleFor(CustodyTransferredV1::kInfo));
    const auto v1 = std::get<CustodyTransferredV1>(e.data);
    Upcast(&e);
    REQUIRE(e.dataversion() == 3);
    const auto& v3 = std::get<CustodyTransferred>(e.data);
    CHECK(v3.from_prison == v1.from_establishment);
    CHECK(v3.to_prison == v1.to_establishment);
    CHECK(v3.reason == v1.reason);
  }
  SECTION("custody.transferred 2 -> 3: from_prison kept") {
    Event e = testing::ParseValid(testing::SampleFor(CustodyTransferredV2::kInfo));
    const auto v2 = std::get<CustodyTransferredV2>(e.data);
    Upcast(&e);
    const auto& v3 = std::get<CustodyTransferred>(e.data);
    CHECK(v3.from_prison == v2.from_prison);
    CHECK(v3.to_prison == v2.to_prison);
  }
  SECTION("custody.released: establishment -> prison") {
    Event e = testing::ParseValid(testing::SampleFor(CustodyReleasedV1::kInfo));
    const auto v1 = std::get<CustodyReleasedV1>(e.data);
    Upcast(&e);
    const auto& v2 = std::get<CustodyReleased>(e.data);
    CHECK(v2.prison == v1.establishment);
    CHECK(v2.reason == v1.reason);
  }
}

TEST_CASE("A version 1 message and its version 2 twin read the same") {
  const std::string v1 = testing::SampleFor(CustodyReceivedV1::kInfo);
  std::string v2 = testing::WithoutMember(v1, {"data", "establishment"});
  v2 = testing::WithMember(v2, {"data", "prison"}, "CFI");
  v2 = testing::WithMember(v2, {"dataversion"}, 2);
  Event a = testing::ParseValid(v1);
  Event b = testing::ParseValid(v2);
  CHECK_FALSE(a == b);
  Upcast(&a);
  Upcast(&b);
  CHECK(a == b);
}

TEST_CASE("Upcasting a current event changes nothing") {
  for (const auto& line : testing::ValidSamples()) {
    Event e = testing::ParseValid(line);
    Upcast(&e);
    REQUIRE(IsCurrent(e.data));
    Event again = e;
    Upcast(&again);
    CHECK(again == e);
  }
}

}  // namespace
}  // namespace throughline::events
