#include "events/identifiers.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

namespace throughline::events {

namespace {

constexpr std::string_view kCheckAlphabet = "ZABCDEFGHJKLMNPQRTUVWXY";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsLetter(c); }
char Upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

bool AllDigits(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s) {
    if (!IsDigit(c))
      return false;
  }
  return true;
}

std::uint64_t ToNumber(std::string_view digits) {
  std::uint64_t n = 0;
  for (char c : digits)
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  return n;
}

std::string Padded(std::string_view digits, std::size_t width) {
  std::string out(width > digits.size() ? width - digits.size() : 0, '0');
  out += digits;
  return out;
}

Problem FormatProblem(std::string_view what, std::string_view text, std::string_view expected) {
  return {Rule::kFormat, fmt::format("not a {}: {} (expected {})", what, Quote(text), expected)};
}

std::optional<Problem> CheckLetterProblem(char given, char expected) {
  if (Upper(given) == expected)
    return std::nullopt;
  return Problem{Rule::kCheckLetter,
                 fmt::format("check letter is {}, expected {}", given, expected)};
}

}  // namespace

std::string ToString(const Identifier& id) {
  return fmt::format("{}:{}", IdentifierKindName(id.kind), id.value);
}

std::string_view IdentifierKindName(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::kPnc:
      return "pnc";
    case IdentifierKind::kNoms:
      return "noms";
    case IdentifierKind::kCrn:
      return "crn";
    case IdentifierKind::kCro:
      return "cro";
  }
  return "unknown";
}

std::optional<IdentifierKind> ParseIdentifierKind(std::string_view name) {
  for (auto kind :
       {IdentifierKind::kPnc, IdentifierKind::kNoms, IdentifierKind::kCrn, IdentifierKind::kCro}) {
    if (IdentifierKindName(kind) == name)
      return kind;
  }
  return std::nullopt;
}

char CheckLetter(std::uint64_t n) { return kCheckAlphabet[n % kCheckAlphabet.size()]; }

std::optional<Problem> CheckPnc(std::string_view text, int pivot_year, std::string* normal) {
  constexpr std::string_view kExpected = "YYYY/NNNNNNNC, e.g. 2012/0123456Y";
  auto slash = text.find('/');
  if (slash == std::string_view::npos || text.size() < slash + 3) {
    return FormatProblem("PNC ID", text, kExpected);
  }
  std::string_view year = text.substr(0, slash);
  std::string_view serial = text.substr(slash + 1, text.size() - slash - 2);
  char letter = text.back();
  if ((year.size() != 2 && year.size() != 4) || !AllDigits(year) || serial.size() > 7 ||
      !AllDigits(serial) || !IsLetter(letter)) {
    return FormatProblem("PNC ID", text, kExpected);
  }
  int full_year = static_cast<int>(ToNumber(year));
  if (year.size() == 2) {
    full_year += 2000;
    if (full_year > pivot_year)
      full_year -= 100;
  }
  std::string yy = fmt::format("{:02}", full_year % 100);
  std::string serial7 = Padded(serial, 7);
  if (auto p = CheckLetterProblem(letter, CheckLetter(ToNumber(yy + serial7))))
    return p;
  *normal = fmt::format("{:04}/{}{}", full_year, serial7, Upper(letter));
  return std::nullopt;
}

std::optional<Problem> CheckCro(std::string_view text, std::string* normal) {
  constexpr std::string_view kExpected = "NNNNNN/YYC, e.g. 123456/11M";
  auto slash = text.find('/');
  if (slash == std::string_view::npos || text.size() != slash + 4) {
    return FormatProblem("CRO number", text, kExpected);
  }
  std::string_view serial = text.substr(0, slash);
  std::string_view yy = text.substr(slash + 1, 2);
  char letter = text.back();
  if (serial.size() > 6 || !AllDigits(serial) || !AllDigits(yy) || !IsLetter(letter)) {
    return FormatProblem("CRO number", text, kExpected);
  }
  std::string serial6 = Padded(serial, 6);
  if (auto p = CheckLetterProblem(letter, CheckLetter(ToNumber(std::string(yy) + serial6)))) {
    return p;
  }
  *normal = fmt::format("{}/{}{}", serial6, yy, Upper(letter));
  return std::nullopt;
}

std::optional<Problem> CheckNoms(std::string_view text, std::string* normal) {
  if (text.size() != 7 || !IsLetter(text[0]) || !AllDigits(text.substr(1, 4)) ||
      !IsLetter(text[5]) || !IsLetter(text[6])) {
    return FormatProblem("prison number", text, "a letter, 4 digits, 2 letters, e.g. A1234BC");
  }
  normal->clear();
  for (char c : text)
    normal->push_back(Upper(c));
  return std::nullopt;
}

std::optional<Problem> CheckCrn(std::string_view text, std::string* normal) {
  if (text.size() != 7 || !IsLetter(text[0]) || !AllDigits(text.substr(1))) {
    return FormatProblem("CRN", text, "a letter and 6 digits, e.g. X123456");
  }
  normal->clear();
  for (char c : text)
    normal->push_back(Upper(c));
  return std::nullopt;
}

std::optional<Problem> CheckAsn(std::string_view text, std::string* normal) {
  constexpr std::string_view kExpected =
      "YY FF UU SS, a sequence of up to 11 digits and a check letter, e.g. 1101ZD0100000410780J";
  std::string compact;
  for (char c : text) {
    if (c != '/')
      compact.push_back(Upper(c));
  }
  if (compact.size() < 10 || compact.size() > 20)
    return FormatProblem("ASN", text, kExpected);
  std::string_view s = compact;
  std::string_view year = s.substr(0, 2), force = s.substr(2, 2), unit = s.substr(4, 2),
                   system = s.substr(6, 2), sequence = s.substr(8, s.size() - 9);
  char letter = s.back();
  for (char c : force) {
    if (!IsAlnum(c))
      return FormatProblem("ASN", text, kExpected);
  }
  for (char c : unit) {
    if (!IsAlnum(c))
      return FormatProblem("ASN", text, kExpected);
  }
  for (char c : system) {
    if (!IsAlnum(c))
      return FormatProblem("ASN", text, kExpected);
  }
  if (!AllDigits(year) || !AllDigits(sequence) || !IsLetter(letter)) {
    return FormatProblem("ASN", text, kExpected);
  }
  std::string sequence11 = Padded(sequence, 11);
  std::string digits;
  if (AllDigits(force))
    digits += force;
  if (AllDigits(system))
    digits += system;
  digits += year;
  digits += sequence11;
  if (auto p = CheckLetterProblem(letter, CheckLetter(ToNumber(digits))))
    return p;
  *normal = fmt::format("{}{}{}{}{}{}", year, force, unit, system, sequence11, letter);
  return std::nullopt;
}

std::optional<Problem> CheckIdentifier(IdentifierKind kind, std::string_view text, int pivot_year,
                                       std::string* normal) {
  switch (kind) {
    case IdentifierKind::kPnc:
      return CheckPnc(text, pivot_year, normal);
    case IdentifierKind::kNoms:
      return CheckNoms(text, normal);
    case IdentifierKind::kCrn:
      return CheckCrn(text, normal);
    case IdentifierKind::kCro:
      return CheckCro(text, normal);
  }
  return Problem{Rule::kFormat, "unknown identifier kind"};
}

}  // namespace throughline::events
