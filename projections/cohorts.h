// The cohorts a person belongs to, as index entries kept beside their view (the `cohorts`
// column family, docs/formats.md "Cohorts"). A pure function of the view: when a view changes,
// the entries of the old view that the new one lacks are deleted and the new ones written, in
// the same batch.
//
// key                                           value
// roll/<prison>/<person>                        flags u8: 1 IOM, 2 MAPPA, 4 OCG, 8 foreign national
// iom/<person>                                  IOM cohort u8
// mappa/<level digit>/<category digit>/<person> (empty)
// releases/<expected release day>/<person>      (empty)
// licence/<area>/<person>                       licence end day, i32 little-endian
//
// <person> is the person id, u64 big-endian, always the last 8 bytes of the key; a day is days
// since 1970 + 2^31, u32 big-endian, so keys sort by date.

#ifndef THROUGHLINE_PROJECTIONS_COHORTS_H_
#define THROUGHLINE_PROJECTIONS_COHORTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "projections/person_view.h"

namespace throughline::projections {

struct CohortEntry {
  std::string key;
  std::string value;
  bool operator==(const CohortEntry&) const = default;
  auto operator<=>(const CohortEntry&) const = default;
};

// Flags on a prison roll entry.
inline constexpr std::uint8_t kRollIom = 1;
inline constexpr std::uint8_t kRollMappa = 2;
inline constexpr std::uint8_t kRollOcg = 4;
inline constexpr std::uint8_t kRollForeignNational = 8;

// Sorted by key.
std::vector<CohortEntry> CohortEntries(const PersonView& view);

// Key prefixes, for readers.
std::string RollPrefix(const std::string& prison);
std::string IomPrefix();
std::string MappaPrefix(int level);         // level 0: every level
std::string ReleasesKey(events::Date day);  // the prefix of one day; scan [from, to)
std::string ReleasesPrefix();
std::string LicencePrefix(const std::string& area);  // area "": every area

}  // namespace throughline::projections

#endif  // THROUGHLINE_PROJECTIONS_COHORTS_H_
