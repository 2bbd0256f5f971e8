#include "tools/generator/person_ids.h"

#include <fmt/format.h>

#include "events/identifiers.h"
#include "tools/generator/rng.h"

namespace throughline::generator {

namespace {

// x -> (a x + b) mod m is a permutation of [0, m) when a and m share no factor.
std::uint64_t Permute(std::uint64_t x, std::uint64_t a, std::uint64_t b, std::uint64_t m) {
  return (a % m * (x % m) + b % m) % m;
}

constexpr std::uint64_t kPncSerials = 10'000'000;
constexpr std::uint64_t kCroSerials = 1'000'000;
constexpr std::uint64_t kNomsNumbers = 3ULL * 10'000 * 676;  // [ABG]NNNN[A-Z][A-Z]
constexpr std::uint64_t kCrnNumbers = 26ULL * 1'000'000;

}  // namespace

std::string FormatPnc(int year, std::uint32_t serial) {
  const std::uint64_t n = static_cast<std::uint64_t>(year % 100) * kPncSerials + serial;
  return fmt::format("{:04}/{:07}{}", year, serial, events::CheckLetter(n));
}

std::string FormatCro(std::uint32_t serial, int year) {
  const std::uint64_t n = static_cast<std::uint64_t>(year % 100) * kCroSerials + serial;
  return fmt::format("{:06}/{:02}{}", serial, year % 100, events::CheckLetter(n));
}

std::string FormatAsn(int year, int force, std::string_view station, std::uint64_t sequence) {
  // The check covers the numeric force and system parts, the year and the sequence.
  constexpr int kSystem = 1;
  const std::uint64_t n = ((static_cast<std::uint64_t>(force) * 100 + kSystem) * 100 +
                           static_cast<std::uint64_t>(year % 100)) *
                              100'000'000'000ULL +
                          sequence;
  return fmt::format("{:02}{:02}{}{:02}{:011}{}", year % 100, force, station, kSystem, sequence,
                     events::CheckLetter(n));
}

PersonIds MakePersonIds(std::uint64_t seed, std::uint32_t index, int pnc_year, bool with_cro) {
  const std::uint64_t salt = Mix64(seed);
  PersonIds ids;
  auto pnc_serial = [&](std::uint64_t x) {
    return static_cast<std::uint32_t>(Permute(x, 7'368'787, salt, kPncSerials));
  };
  ids.pnc = FormatPnc(pnc_year, pnc_serial(index));
  // The duplicate is created when the person is arrested later, under a false name.
  ids.alt_pnc =
      FormatPnc(pnc_year + 1 + static_cast<int>(index % 5), pnc_serial(index + kMaxPersons));
  ids.other_pnc =
      FormatPnc(1990 + static_cast<int>(index % 30), pnc_serial(index + 2 * kMaxPersons));

  const std::uint64_t noms = Permute(index, 10'000'019, salt >> 8, kNomsNumbers);
  const std::uint64_t letters = noms % 676;
  ids.noms =
      fmt::format("{}{:04}{}{}", "ABG"[noms / (10'000 * 676)], (noms / 676) % 10'000,
                  static_cast<char>('A' + letters / 26), static_cast<char>('A' + letters % 26));

  const std::uint64_t crn = Permute(index, 10'000'019, salt >> 16, kCrnNumbers);
  ids.crn = fmt::format("{}{:06}", static_cast<char>('A' + crn / 1'000'000), crn % 1'000'000);

  if (with_cro) {
    // One CRO year per million people keeps (serial, year) unique.
    const auto serial =
        static_cast<std::uint32_t>(Permute(index % kCroSerials, 738'917, salt >> 24, kCroSerials));
    ids.cro = FormatCro(serial, pnc_year - static_cast<int>(index / kCroSerials));
  }
  return ids;
}

std::string EventUuid(std::uint64_t seed, std::uint32_t person, std::uint32_t n) {
  // 60 bits that are a bijection of (person, n): multiplication by an odd number and xor with
  // a right shift are both invertible modulo 2^60.
  constexpr std::uint64_t kMask = (std::uint64_t{1} << 60) - 1;
  std::uint64_t x = ((static_cast<std::uint64_t>(person) << 34) | n) ^ (Mix64(seed) & kMask);
  x = (x * 0xbf58476d1ce4e5b9ULL) & kMask;
  x ^= x >> 29;
  x = (x * 0x94d049bb133111ebULL) & kMask;
  x ^= x >> 32;
  const std::uint64_t y = Mix64(x ^ seed);
  // 8-4-4-4-12: y fills the first 15 random digits, '4' marks version 4, a variant digit, and
  // x the last 15.
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}", y >> 32, (y >> 16) & 0xffff,
                     (y >> 4) & 0xfff, 8 + (y & 3), x >> 48, x & 0xffffffffffffULL);
}

}  // namespace throughline::generator
