// Region: the places a synthetic lifetime happens in. Wales is the one region so far: its four
// police forces, their custody suites, courts, probation delivery units and local authorities,
// its six prisons and the English prisons its people are sent to (Wales has no women's prison,
// no high-security prison and only one open prison), and the partners that deliver
// interventions there.
//
// Every table is built once and never changes, so its strings (and the `source` of every event
// built from them) can be referred to by pointer for the whole run.

#ifndef THROUGHLINE_TOOLS_GENERATOR_REGION_H_
#define THROUGHLINE_TOOLS_GENERATOR_REGION_H_

#include <string>
#include <string_view>
#include <vector>

#include "events/catalogue/interventions.h"

namespace throughline::generator {

struct Court {
  std::string_view name;  // "Cardiff Crown Court"
  std::string source;     // "courts/hmcts/cardiff-crown"
  bool crown = false;
};

// What a prison is for decides who is sent there and when.
enum class PrisonRole : unsigned char {
  kLocal,         // receives from the courts: remand and newly sentenced men
  kTraining,      // category C: most sentenced men serve their time here
  kSexOffender,   // training prisons that hold men convicted of sexual offences
  kHighSecurity,  // long sentences for serious violence
  kOpen,          // category D: the last part of a long sentence, with ROTL
  kWomenLocal,    // women's reception prisons
  kWomenClosed,   // women's training and long-term prisons
  kWomenOpen,
};

struct PrisonSite {
  std::string_view code;  // NOMIS agency code, "CFI"
  std::string source;     // "prison/cfi/nomis"
  PrisonRole role;
  bool wales;
};

struct Force {
  std::string_view code;          // "south-wales"
  std::string_view abbreviation;  // "SW", in OCG references
  int number;    // Home Office force number, the FF of an ASN and the start of a URN
  double share;  // of the region's arrests
  std::vector<std::string_view> custody_suites;
  std::vector<std::string_view> station_codes;  // the UU of an ASN and the letters of a URN
  std::vector<int> magistrates;                 // indexes into Region::courts
  std::vector<int> crown;
  std::vector<std::string_view> pdus;  // probation delivery units
  std::vector<std::string_view> towns;
  std::vector<std::string_view> local_authorities;  // slugs, for the MASH sources
  std::vector<std::string_view> reception_men;      // prison codes
  std::vector<std::string_view> reception_women;
  std::string_view mappa_area;
  std::string_view coroner;  // slug
  // Derived from the above by AddSources (region.cc).
  std::string custody_source{};
  std::string charging_source{};
  std::string intelligence_source{};
  std::string pnc_source{};
  std::string iom_source{};
  std::string coroner_source{};
  std::vector<std::string> mash_sources{};
};

struct Provider {
  std::string_view name;
  std::string source;  // "interventions/wales/dyfodol"
  events::InterventionKind kind;
  int force = -1;  // the force area it serves; -1: all of Wales
};

struct Region {
  std::string_view name;
  std::vector<Force> forces;
  std::vector<Court> courts;
  std::vector<PrisonSite> prisons;
  std::vector<Provider> providers;
  std::string probation_source;  // licences, supervision
  std::string oasys_source;      // risk assessments
  std::string mappa_source;
  std::string em_source;
  std::string_view em_provider;
  std::string immigration_source;

  int PrisonIndex(std::string_view code) const;
  // The prisons with this role; Welsh ones first.
  std::vector<int> PrisonsWithRole(PrisonRole role) const;
  // Providers of a kind serving a force area (or all of the region).
  std::vector<int> ProvidersOf(events::InterventionKind kind, int force) const;
};

// Wales: dyfed-powys, gwent, north-wales, south-wales.
const Region& Wales();

}  // namespace throughline::generator

#endif  // THROUGHLINE_TOOLS_GENERATOR_REGION_H_
