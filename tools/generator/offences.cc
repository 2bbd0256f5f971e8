#include "tools/generator/offences.h"

#include <array>
#include <vector>

namespace throughline::generator {

namespace {

using G = OffenceGroup;

constexpr OffenceInfo kOffences[] = {
    {"TH68001", "Theft from a shop", G::kAcquisitive, 1, false},
    {"TH68006", "Theft from a motor vehicle", G::kAcquisitive, 2, false},
    {"TH68010", "Theft of a pedal cycle", G::kAcquisitive, 1, false},
    {"TH68043", "Handling stolen goods", G::kAcquisitive, 2, false},
    {"TH68025", "Burglary other than a dwelling", G::kAcquisitive, 2, false},
    {"TH68023", "Burglary of a dwelling", G::kAcquisitive, 3, false},
    {"TH68037", "Robbery", G::kAcquisitive, 4, true},
    {"FR06001", "Fraud by false representation", G::kAcquisitive, 2, false},
    {"CJ88116", "Common assault", G::kViolence, 1, false},
    {"OF61022", "Assault occasioning actual bodily harm", G::kViolence, 3, false},
    {"OF61018", "Inflicting grievous bodily harm", G::kViolence, 4, false},
    {"OF61015", "Wounding with intent to do grievous bodily harm", G::kViolence, 5, true},
    {"CJ88117", "Assault by beating of an emergency worker", G::kViolence, 2, false},
    {"SC15001", "Controlling or coercive behaviour in an intimate or family relationship",
     G::kDomestic, 3, false},
    {"PH97003", "Harassment without violence", G::kDomestic, 2, false},
    {"PH97008", "Stalking involving fear of violence", G::kDomestic, 3, false},
    {"CJ88116A", "Common assault (domestic)", G::kDomestic, 1, false},
    {"SX03013", "Sexual assault on a female", G::kSexual, 3, false},
    {"PC78001", "Making an indecent photograph of a child", G::kSexual, 3, false},
    {"SX03001", "Rape of a woman 16 years of age or over", G::kSexual, 5, true},
    {"SX03066", "Exposure", G::kSexual, 2, false},
    {"MD71003", "Possessing a controlled drug of Class B - cannabis", G::kDrugs, 1, false},
    {"MD71001", "Possessing a controlled drug of Class A", G::kDrugs, 2, false},
    {"MD71030", "Possessing a controlled drug of Class A with intent to supply", G::kSupply, 4,
     false},
    {"MD71031", "Supplying a controlled drug of Class A", G::kSupply, 4, false},
    {"MD71050", "Producing a controlled drug of Class B - cannabis", G::kSupply, 3, false},
    {"CJ88129", "Having an article with a blade or point in a public place", G::kWeapons, 3, false},
    {"PV53001", "Having an offensive weapon in a public place", G::kWeapons, 3, false},
    {"FI68001", "Possessing a prohibited firearm", G::kWeapons, 5, true},
    {"PU86010", "Using threatening, abusive or insulting words or behaviour", G::kPublicOrder, 1,
     false},
    {"PU86001", "Affray", G::kPublicOrder, 3, false},
    {"CD71001", "Destroying or damaging property", G::kPublicOrder, 1, false},
    {"RT88010", "Driving a motor vehicle with excess alcohol", G::kMotoring, 1, false},
    {"RT88191", "Driving while disqualified", G::kMotoring, 2, false},
    {"RT88040", "Dangerous driving", G::kMotoring, 3, false},
    {"BA76002", "Failing to surrender to custody at the appointed time", G::kOther, 1, false},
    {"MS15001", "Holding a person in slavery or servitude", G::kOther, 5, true},
};

struct Groups {
  std::array<std::vector<int>, kOffenceGroups> members;
  Groups() {
    for (int i = 0; i < static_cast<int>(std::size(kOffences)); ++i)
      members[static_cast<int>(kOffences[i].group)].push_back(i);
  }
};

}  // namespace

std::span<const OffenceInfo> AllOffences() { return kOffences; }

std::span<const int> OffencesOf(OffenceGroup group) {
  static const Groups groups;
  return groups.members[static_cast<int>(group)];
}

}  // namespace throughline::generator
