// Reference data: prisons (by NOMIS agency code) and police forces of England and Wales.
//
// Reference data changes (prisons open and close), so a code missing from these tables is
// accepted and flagged on the event, never rejected: the event is a fact about the world and
// must not be lost because this table is behind it.

#ifndef THROUGHLINE_EVENTS_REFERENCE_DATA_H_
#define THROUGHLINE_EVENTS_REFERENCE_DATA_H_

#include <span>
#include <string_view>

namespace throughline::events {

enum class Nation : unsigned char { kEngland, kWales };

struct Prison {
  std::string_view code;  // NOMIS agency code, e.g. "CFI"
  std::string_view name;  // e.g. "HMP Cardiff"
  Nation nation;
};

struct PoliceForce {
  std::string_view code;  // slug, e.g. "dyfed-powys"
  std::string_view name;  // e.g. "Dyfed-Powys Police"
  Nation nation;
};

// Sorted by code. Nullptr when the code is not known.
std::span<const Prison> AllPrisons();
const Prison* FindPrison(std::string_view code);

std::span<const PoliceForce> AllPoliceForces();
const PoliceForce* FindPoliceForce(std::string_view code);

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_REFERENCE_DATA_H_
