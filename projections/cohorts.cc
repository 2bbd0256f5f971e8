#include "projections/cohorts.h"

#include <algorithm>

#include "events/key_encoding.h"

namespace throughline::projections {

namespace {

std::string WithPerson(std::string key, std::uint64_t person) {
  events::PutBigEndian64(&key, person);
  return key;
}

}  // namespace

std::string RollPrefix(const std::string& prison) { return "roll/" + prison + "/"; }
std::string IomPrefix() { return "iom/"; }
std::string MappaPrefix(int level) {
  return level == 0 ? "mappa/" : "mappa/" + std::to_string(level) + "/";
}
std::string ReleasesPrefix() { return "releases/"; }
std::string ReleasesKey(events::Date day) {
  std::string key = ReleasesPrefix();
  events::PutBigEndian32(&key, static_cast<std::uint32_t>(day.days) + (std::uint32_t{1} << 31));
  return key;
}
std::string LicencePrefix(const std::string& area) {
  return area.empty() ? "licence/" : "licence/" + area + "/";
}

std::vector<CohortEntry> CohortEntries(const PersonView& v) {
  std::vector<CohortEntry> out;
  if (v.deceased || v.removed_from_uk)
    return out;
  if (v.custody) {
    std::uint8_t flags = 0;
    if (v.iom)
      flags |= kRollIom;
    if (v.mappa)
      flags |= kRollMappa;
    if (v.flags.ocg_linked)
      flags |= kRollOcg;
    if (v.flags.foreign_national)
      flags |= kRollForeignNational;
    out.push_back({WithPerson(RollPrefix(v.custody->prison), v.person),
                   std::string(1, static_cast<char>(flags))});
    // Only while serving that sentence: on remand or recall, an old sentence's date is not
    // when the person will be released.
    if (v.custody->basis == events::CustodyBasis::kSentenced && v.sentence &&
        v.sentence->kind == events::SentenceKind::kImmediateCustody &&
        v.sentence->expected_release_date) {
      out.push_back({WithPerson(ReleasesKey(*v.sentence->expected_release_date), v.person), ""});
    }
  }
  if (v.iom) {
    out.push_back(
        {WithPerson(IomPrefix(), v.person), std::string(1, static_cast<char>(v.iom->cohort))});
  }
  if (v.mappa) {
    out.push_back({WithPerson(MappaPrefix(v.mappa->level) + std::to_string(v.mappa->category) + "/",
                              v.person),
                   ""});
  }
  if (v.licence && !v.licence->recalled) {
    std::string end;
    for (int i = 0; i < 4; ++i)
      end.push_back(static_cast<char>(v.licence->end_date.days >> (8 * i)));
    out.push_back({WithPerson(LicencePrefix(v.licence->area), v.person), end});
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace throughline::projections
