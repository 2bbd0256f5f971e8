#include "tools/generator/region.h"

#include <algorithm>

namespace throughline::generator {

namespace {

using events::InterventionKind;

std::string CourtSource(std::string_view name) {
  // "Cardiff Crown Court" -> "courts/hmcts/cardiff-crown"; "Aberystwyth Justice Centre" ->
  // "courts/hmcts/aberystwyth-justice-centre".
  std::string slug;
  for (char c : name) {
    if (c == '\'')
      continue;
    if (c == ' ')
      slug += '-';
    else
      slug += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  for (std::string_view suffix : {"s-court", "-court"}) {
    if (slug.size() > suffix.size() && slug.ends_with(suffix)) {
      slug.resize(slug.size() - suffix.size());
      break;
    }
  }
  return "courts/hmcts/" + slug;
}

int CourtIndex(const std::vector<Court>& courts, std::string_view name) {
  for (std::size_t i = 0; i < courts.size(); ++i) {
    if (courts[i].name == name)
      return static_cast<int>(i);
  }
  return -1;
}

void AddSources(Force& f) {
  const std::string code(f.code);
  f.custody_source = "police/" + code + "/custody";
  f.charging_source = "police/" + code + "/charging";
  f.intelligence_source = "police/" + code + "/intelligence";
  f.pnc_source = "police/" + code + "/pnc";
  f.iom_source = "partnership/" + code + "/iom";
  f.coroner_source = "coroner/wales/" + std::string(f.coroner);
  for (auto la : f.local_authorities)
    f.mash_sources.push_back("partnership/" + std::string(la) + "/mash");
}

Region BuildWales() {
  Region r;
  r.name = "Wales";
  for (std::string_view name : {
           "Cardiff Magistrates' Court",
           "Swansea Magistrates' Court",
           "Merthyr Tydfil Magistrates' Court",
           "Pontypridd Magistrates' Court",
           "Port Talbot Magistrates' Court",
           "Newport Magistrates' Court",
           "Cwmbran Magistrates' Court",
           "Llandudno Magistrates' Court",
           "Wrexham Magistrates' Court",
           "Mold Magistrates' Court",
           "Caernarfon Magistrates' Court",
           "Llanelli Magistrates' Court",
           "Haverfordwest Magistrates' Court",
           "Aberystwyth Justice Centre",
           "Welshpool Magistrates' Court",
       }) {
    r.courts.push_back({name, CourtSource(name), false});
  }
  for (std::string_view name : {
           "Cardiff Crown Court",
           "Swansea Crown Court",
           "Merthyr Tydfil Crown Court",
           "Newport Crown Court",
           "Mold Crown Court",
           "Caernarfon Crown Court",
           "Carmarthen Crown Court",
       }) {
    r.courts.push_back({name, CourtSource(name), true});
  }
  auto courts = [&](std::initializer_list<std::string_view> names) {
    std::vector<int> out;
    for (auto n : names)
      out.push_back(CourtIndex(r.courts, n));
    return out;
  };

  Force south{
      .code = "south-wales",
      .abbreviation = "SW",
      .number = 62,
      .share = 0.42,
      .custody_suites = {"Cardiff Bay", "Swansea Central", "Bridgend", "Merthyr Tydfil"},
      .station_codes = {"CB", "SC", "BE", "MT"},
      .magistrates = courts({"Cardiff Magistrates' Court", "Swansea Magistrates' Court",
                             "Merthyr Tydfil Magistrates' Court", "Pontypridd Magistrates' Court",
                             "Port Talbot Magistrates' Court"}),
      .crown = courts({"Cardiff Crown Court", "Swansea Crown Court", "Merthyr Tydfil Crown Court"}),
      .pdus = {"Cardiff and Vale", "Swansea Neath Port Talbot", "Cwm Taf Morgannwg"},
      .towns = {"Cardiff city centre", "Swansea city centre", "Bridgend town centre",
                "Merthyr Tydfil town centre", "Pontypridd town centre", "Barry town centre"},
      .local_authorities = {"cardiff", "swansea", "bridgend", "rhondda-cynon-taf",
                            "vale-of-glamorgan", "neath-port-talbot", "merthyr-tydfil"},
      .reception_men = {"CFI", "SWI", "PRI"},
      .reception_women = {"EWI"},
      .mappa_area = "South Wales",
      .coroner = "south-wales-central",
  };
  Force gwent{
      .code = "gwent",
      .abbreviation = "GW",
      .number = 61,
      .share = 0.19,
      .custody_suites = {"Ystrad Mynach", "Newport Central"},
      .station_codes = {"YM", "NC"},
      .magistrates = courts({"Newport Magistrates' Court", "Cwmbran Magistrates' Court"}),
      .crown = courts({"Newport Crown Court", "Cardiff Crown Court"}),
      .pdus = {"Gwent"},
      .towns = {"Newport city centre", "Cwmbran town centre", "Caerphilly town centre",
                "Ebbw Vale town centre"},
      .local_authorities = {"newport", "caerphilly", "torfaen", "monmouthshire", "blaenau-gwent"},
      .reception_men = {"CFI"},
      .reception_women = {"EWI"},
      .mappa_area = "Gwent",
      .coroner = "gwent",
  };
  Force north{
      .code = "north-wales",
      .abbreviation = "NW",
      .number = 60,
      .share = 0.21,
      .custody_suites = {"St Asaph", "Caernarfon", "Wrexham"},
      .station_codes = {"SA", "CN", "WR"},
      .magistrates = courts({"Llandudno Magistrates' Court", "Wrexham Magistrates' Court",
                             "Mold Magistrates' Court", "Caernarfon Magistrates' Court"}),
      .crown = courts({"Mold Crown Court", "Caernarfon Crown Court"}),
      .pdus = {"North Wales"},
      .towns = {"Wrexham city centre", "Rhyl town centre", "Bangor city centre",
                "Llandudno town centre"},
      .local_authorities = {"wrexham", "flintshire", "denbighshire", "conwy", "gwynedd",
                            "anglesey"},
      // North Wales has no local prison: men are remanded to Berwyn or over the border.
      .reception_men = {"BWI", "ACI"},
      .reception_women = {"STI"},
      .mappa_area = "North Wales",
      .coroner = "north-wales-east-and-central",
  };
  Force dyfed{
      .code = "dyfed-powys",
      .abbreviation = "DP",
      .number = 63,
      .share = 0.18,
      .custody_suites = {"Llanelli", "Aberystwyth", "Haverfordwest", "Newtown"},
      .station_codes = {"LL", "AB", "HW", "NT"},
      .magistrates = courts({"Llanelli Magistrates' Court", "Haverfordwest Magistrates' Court",
                             "Aberystwyth Justice Centre", "Welshpool Magistrates' Court"}),
      .crown = courts({"Swansea Crown Court", "Carmarthen Crown Court"}),
      .pdus = {"Carmarthenshire", "Ceredigion and Pembrokeshire", "Powys"},
      .towns = {"Llanelli town centre", "Carmarthen town centre", "Aberystwyth town centre",
                "Haverfordwest town centre", "Newtown town centre"},
      .local_authorities = {"carmarthenshire", "pembrokeshire", "ceredigion", "powys"},
      .reception_men = {"SWI"},
      .reception_women = {"EWI"},
      .mappa_area = "Dyfed-Powys",
      .coroner = "carmarthenshire",
  };
  for (Force* f : {&dyfed, &gwent, &north, &south}) {
    AddSources(*f);
    r.forces.push_back(std::move(*f));
  }

  struct P {
    std::string_view code;
    PrisonRole role;
    bool wales;
  };
  for (const P& p : {
           P{"CFI", PrisonRole::kLocal, true},         P{"SWI", PrisonRole::kLocal, true},
           P{"PRI", PrisonRole::kTraining, true},      P{"BWI", PrisonRole::kTraining, true},
           P{"UKI", PrisonRole::kSexOffender, true},   P{"UPI", PrisonRole::kOpen, true},
           P{"ACI", PrisonRole::kLocal, false},        P{"BLI", PrisonRole::kLocal, false},
           P{"LPI", PrisonRole::kLocal, false},        P{"EEI", PrisonRole::kTraining, false},
           P{"GMI", PrisonRole::kTraining, false},     P{"HEI", PrisonRole::kTraining, false},
           P{"OWI", PrisonRole::kTraining, false},     P{"DAI", PrisonRole::kTraining, false},
           P{"SFI", PrisonRole::kSexOffender, false},  P{"WMI", PrisonRole::kSexOffender, false},
           P{"LLI", PrisonRole::kHighSecurity, false}, P{"LYI", PrisonRole::kOpen, false},
           P{"EWI", PrisonRole::kWomenLocal, false},   P{"STI", PrisonRole::kWomenLocal, false},
           P{"DHI", PrisonRole::kWomenClosed, false},  P{"SDI", PrisonRole::kWomenClosed, false},
           P{"ESI", PrisonRole::kWomenOpen, false},    P{"AGI", PrisonRole::kWomenOpen, false},
       }) {
    std::string source = "prison/";
    for (char c : p.code)
      source += static_cast<char>(c - 'A' + 'a');
    r.prisons.push_back({p.code, source + "/nomis", p.role, p.wales});
  }

  // Forces are sorted by code: 0 dyfed-powys, 1 gwent, 2 north-wales, 3 south-wales.
  struct V {
    std::string_view name;
    std::string_view slug;
    InterventionKind kind;
    int force;
  };
  for (const V& v : {
           V{"Dyfodol", "dyfodol", InterventionKind::kSubstanceMisuse, 3},
           V{"Barod", "barod", InterventionKind::kSubstanceMisuse, 0},
           V{"Kaleidoscope", "kaleidoscope", InterventionKind::kSubstanceMisuse, 1},
           V{"CAIS", "cais", InterventionKind::kSubstanceMisuse, 2},
           V{"Llamau", "llamau", InterventionKind::kAccommodation, -1},
           V{"The Wallich", "the-wallich", InterventionKind::kAccommodation, -1},
           V{"Cyfle Cymru", "cyfle-cymru", InterventionKind::kEmploymentTraining, -1},
           V{"St Giles Trust Wales", "st-giles-wales", InterventionKind::kEmploymentTraining, -1},
           V{"Mind Cymru", "mind-cymru", InterventionKind::kMentalHealth, -1},
           V{"Probation Service Wales Interventions", "probation-interventions",
             InterventionKind::kAccreditedProgramme, -1},
           V{"Circles of Support and Accountability Wales", "cosa-wales", InterventionKind::kCosa,
             -1},
           V{"Safer Wales", "safer-wales", InterventionKind::kWomensPathfinder, -1},
           V{"Media Academy Cymru", "media-academy-cymru", InterventionKind::kDiversion, -1},
           V{"Barnardo's Cymru", "barnardos-cymru", InterventionKind::kFamilySupport, -1},
           V{"St Giles Trust Wales", "st-giles-wales", InterventionKind::kExploitationSafeguarding,
             -1},
           V{"Barnardo's Cymru", "barnardos-cymru", InterventionKind::kExploitationSafeguarding,
             -1},
           V{"Citizens Advice Cymru", "citizens-advice-cymru", InterventionKind::kDebt, -1},
       }) {
    r.providers.push_back({v.name, "interventions/wales/" + std::string(v.slug), v.kind, v.force});
  }

  r.probation_source = "probation/wales/delius";
  r.oasys_source = "probation/wales/oasys";
  r.mappa_source = "partnership/wales/mappa";
  r.em_source = "em/wales/capita";
  r.em_provider = "Electronic Monitoring Services";
  r.immigration_source = "immigration/home-office/fnor";
  return r;
}

}  // namespace

int Region::PrisonIndex(std::string_view code) const {
  for (std::size_t i = 0; i < prisons.size(); ++i) {
    if (prisons[i].code == code)
      return static_cast<int>(i);
  }
  return -1;
}

std::vector<int> Region::PrisonsWithRole(PrisonRole role) const {
  std::vector<int> out;
  for (std::size_t i = 0; i < prisons.size(); ++i) {
    if (prisons[i].role == role)
      out.push_back(static_cast<int>(i));
  }
  std::stable_partition(out.begin(), out.end(), [&](int i) { return prisons[i].wales; });
  return out;
}

std::vector<int> Region::ProvidersOf(events::InterventionKind kind, int force) const {
  std::vector<int> out;
  for (std::size_t i = 0; i < providers.size(); ++i) {
    if (providers[i].kind == kind && (providers[i].force < 0 || providers[i].force == force))
      out.push_back(static_cast<int>(i));
  }
  return out;
}

const Region& Wales() {
  static const Region wales = BuildWales();
  return wales;
}

}  // namespace throughline::generator
