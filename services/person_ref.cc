#include "services/person_ref.h"

#include <charconv>

#include <fmt/format.h>

namespace throughline::services {

Result<std::uint64_t> FindPersonByRef(const EventStore& store, std::string_view ref) {
  auto colon = ref.find(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument(
        fmt::format("{}: expected type:value, e.g. pnc:2012/0123456Y, noms:A1234BC, crn:X123456, "
                    "cro:123456/11M or id:42",
                    events::Quote(ref)));
  }
  const std::string_view type = ref.substr(0, colon), value = ref.substr(colon + 1);
  if (type == "id") {
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
    if (ec != std::errc() || end != value.data() + value.size() || id == 0) {
      return Status::InvalidArgument(
          fmt::format("{}: an id is a positive number", events::Quote(ref)));
    }
    if (!store.ReadPerson(id).ok())
      return Status::NotFound(fmt::format("no person has id {}", id));
    return store.CurrentPerson(id);
  }
  auto kind = events::ParseIdentifierKind(type);
  if (!kind) {
    return Status::InvalidArgument(
        fmt::format("{}: the type is one of pnc, noms, crn, cro, id", events::Quote(ref)));
  }
  std::string normal;
  // A short PNC year is read as at or before the current century's end: 2099 accepts any.
  if (auto problem = events::CheckIdentifier(*kind, value, 2099, &normal)) {
    return Status::InvalidArgument(fmt::format("{}: {}", events::Quote(ref), problem->message));
  }
  auto person = store.FindPerson({*kind, normal});
  if (!person)
    return Status::NotFound(fmt::format("no person has {}:{}", type, normal));
  return *person;
}

}  // namespace throughline::services
