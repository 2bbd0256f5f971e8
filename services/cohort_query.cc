#include "services/cohort_query.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "projections/cohorts.h"
#include "services/projection_reader.h"

namespace throughline::services {

namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (char c : hex.substr(i, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else
        return std::nullopt;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

}  // namespace

Result<CohortPage> QueryCohort(const EventStore& store, const CohortQuery& query) {
  std::string prefix, begin, end;
  switch (query.kind) {
    case CohortKind::kPrison: {
      std::string code = query.prison;
      std::transform(code.begin(), code.end(), code.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      if (code.size() != 3 ||
          !std::all_of(code.begin(), code.end(), [](unsigned char c) { return std::isalpha(c); })) {
        return Status::InvalidArgument(fmt::format(
            "prison: \"{}\" is not a prison agency code (three letters, e.g. CFI)", query.prison));
      }
      prefix = projections::RollPrefix(code);
      break;
    }
    case CohortKind::kIom:
      prefix = projections::IomPrefix();
      break;
    case CohortKind::kMappa:
      if (query.level < 0 || query.level > 3)
        return Status::InvalidArgument(fmt::format("level: {} is not 1, 2 or 3", query.level));
      prefix = projections::MappaPrefix(query.level);
      break;
    case CohortKind::kReleases:
      if (query.within_days < 0 || query.within_days > 3660) {
        return Status::InvalidArgument(
            fmt::format("within_days: {} is not between 0 and 3660", query.within_days));
      }
      prefix = projections::ReleasesPrefix();
      begin = projections::ReleasesKey(query.from);
      end = projections::ReleasesKey(events::Date{query.from.days + query.within_days});
      break;
    case CohortKind::kLicence:
      prefix = projections::LicencePrefix(query.area);
      break;
  }
  if (!query.after.empty()) {
    auto after = Unhex(query.after);
    if (!after || !after->starts_with(prefix))
      return Status::InvalidArgument("after: not a cursor of this cohort");
    begin = *after + '\0';  // the key after it
  }
  const std::size_t limit = std::clamp<std::size_t>(query.limit, 1, 10000);
  auto members = ReadCohort(store, prefix, begin, end, limit + 1);
  CohortPage page;
  if (members.size() > limit) {
    members.pop_back();
    page.next = Hex(members.back().key);
  }
  for (const auto& m : members) {
    auto state = ReadProjection(store, m.person);
    if (state.status().IsNotFound())
      continue;  // the view went in a batch after the index was read: it left the cohort
    if (!state.ok())
      return state.status();
    if (query.as_at) {
      // The index moves at the person's next event; what time alone has ended shows here.
      projections::AgeTo(&*state, *query.as_at);
      const auto entries = projections::CohortEntries(state->view);
      if (std::none_of(entries.begin(), entries.end(),
                       [&](const projections::CohortEntry& e) { return e.key == m.key; })) {
        continue;
      }
    }
    page.persons.push_back(std::move(state->view));
  }
  return page;
}

}  // namespace throughline::services
