// The identifiers of synthetic people, each valid with its check letter (events/identifiers.h),
// and event ids.
//
// Every identifier is a bijection of the person's index (salted with the seed), so no two
// people of one run ever share one, without keeping a set of those already issued.

#ifndef THROUGHLINE_TOOLS_GENERATOR_PERSON_IDS_H_
#define THROUGHLINE_TOOLS_GENERATOR_PERSON_IDS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace throughline::generator {

// Identifier spaces bound the population: PNC serials (10 million a year, three per person for
// the duplicate and the wrongly merged record) and prison numbers.
constexpr std::uint32_t kMaxPersons = 3'000'000;

struct PersonIds {
  std::string pnc;        // 2012/0123456Y
  std::string alt_pnc;    // a duplicate PNC record of the same person, merged later
  std::string other_pnc;  // another person's record, merged by mistake and unmerged
  std::string noms;       // A1234BC
  std::string crn;        // X123456
  std::string cro;        // 123456/11M; empty for most
};

// `pnc_year` is the year the person's PNC record was created; `with_cro` whether they have one.
PersonIds MakePersonIds(std::uint64_t seed, std::uint32_t index, int pnc_year, bool with_cro);

// The PNC ID for a year and serial (< 10,000,000), check letter included.
std::string FormatPnc(int year, std::uint32_t serial);
// The CRO number for a serial (< 1,000,000) and 2-digit year.
std::string FormatCro(std::uint32_t serial, int year);
// Arrest/Summons Number: year, force number, station letters, sequence (< 10^11).
std::string FormatAsn(int year, int force, std::string_view station, std::uint64_t sequence);

// A UUID (version 4 layout) unique for each (person, n) of one seed.
std::string EventUuid(std::uint64_t seed, std::uint32_t person, std::uint32_t n);

}  // namespace throughline::generator

#endif  // THROUGHLINE_TOOLS_GENERATOR_PERSON_IDS_H_
