// Offences: what synthetic people are arrested for, and what each offence means for the
// pathway that follows (which court, how likely custody, MAPPA, IOM).
//
// The codes have the shape of CJS offence codes (the Act's letters and year, then a serial) but
// are not checked against the CJS standard offence list; the descriptions are the offences'
// usual wording.

#ifndef THROUGHLINE_TOOLS_GENERATOR_OFFENCES_H_
#define THROUGHLINE_TOOLS_GENERATOR_OFFENCES_H_

#include <span>
#include <string_view>

namespace throughline::generator {

enum class OffenceGroup : unsigned char {
  kAcquisitive,  // theft, burglary, robbery, fraud: the IOM's neighbourhood crime
  kViolence,
  kDomestic,  // violence and control within a relationship
  kSexual,
  kDrugs,
  kSupply,  // drug supply: county lines and organised crime
  kWeapons,
  kPublicOrder,
  kMotoring,
  kOther,
};
constexpr int kOffenceGroups = 10;

struct OffenceInfo {
  std::string_view code;
  std::string_view description;
  OffenceGroup group;
  // 1 (a fine at most) .. 5 (years in custody); decides court, remand and sentence.
  int seriousness;
  bool indictable_only;  // goes to the Crown Court
};

std::span<const OffenceInfo> AllOffences();
// The offences of a group, as indexes into AllOffences(), most common first.
std::span<const int> OffencesOf(OffenceGroup group);

}  // namespace throughline::generator

#endif  // THROUGHLINE_TOOLS_GENERATOR_OFFENCES_H_
