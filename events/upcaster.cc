#include "events/upcaster.h"

#include <optional>

namespace throughline::events {

namespace {

// One function per (type, version) that has a successor; each takes a version one step up.
// A chain of versions upcasts one step at a time, so each function stays small and is never
// rewritten when a newer version arrives.

// custody.received 1 -> 2: `establishment` became `prison`.
CustodyReceived Upgrade(const CustodyReceivedV1& v1) {
  return CustodyReceived{.prison = v1.establishment, .basis = v1.basis};
}

// custody.transferred 1 -> 2: `from_establishment` / `to_establishment` became `from_prison` /
// `to_prison`.
CustodyTransferredV2 Upgrade(const CustodyTransferredV1& v1) {
  return CustodyTransferredV2{
      .from_prison = v1.from_establishment, .to_prison = v1.to_establishment, .reason = v1.reason};
}

// custody.transferred 2 -> 3: `from_prison` became optional.
CustodyTransferred Upgrade(const CustodyTransferredV2& v2) {
  return CustodyTransferred{
      .from_prison = v2.from_prison, .to_prison = v2.to_prison, .reason = v2.reason};
}

// custody.released 1 -> 2: `establishment` became `prison`.
CustodyReleased Upgrade(const CustodyReleasedV1& v1) {
  return CustodyReleased{.prison = v1.establishment, .reason = v1.reason};
}

template <class T>
concept Upgradable = requires(const T& t) {
  Upgrade(t);
};

std::optional<EventData> UpgradeOnce(const EventData& data) {
  return std::visit(
      [](const auto& d) -> std::optional<EventData> {
        if constexpr (Upgradable<std::decay_t<decltype(d)>>) {
          return EventData(Upgrade(d));
        } else {
          return std::nullopt;
        }
      },
      data);
}

}  // namespace

void Upcast(Event* event) {
  while (auto next = UpgradeOnce(event->data))
    event->data = std::move(*next);
}

bool IsCurrent(const EventData& data) { return !UpgradeOnce(data).has_value(); }

}  // namespace throughline::events
