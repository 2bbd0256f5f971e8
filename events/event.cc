#include "events/event.h"

#include <algorithm>
#include <map>
#include <utility>

namespace throughline::events {

const TypeInfo& InfoOf(const EventData& data) {
  return std::visit(
      [](const auto& d) -> const TypeInfo& { return std::decay_t<decltype(d)>::kInfo; }, data);
}

const TypeInfo& Event::info() const { return InfoOf(data); }

const std::vector<const TypeInfo*>& AllTypeInfos() {
  static const std::vector<const TypeInfo*> infos = [] {
    std::vector<const TypeInfo*> out;
    ForEachEventStruct([&](auto type) { out.push_back(&decltype(type)::type::kInfo); });
    return out;
  }();
  return infos;
}

std::vector<const TypeInfo*> CurrentTypeInfos() {
  std::map<EventType, const TypeInfo*> newest;
  for (const TypeInfo* info : AllTypeInfos()) {
    auto& slot = newest[info->type];
    if (slot == nullptr || slot->version < info->version)
      slot = info;
  }
  std::vector<const TypeInfo*> out;
  for (const auto& [type, info] : newest)
    out.push_back(info);
  return out;
}

}  // namespace throughline::events
