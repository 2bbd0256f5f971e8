#include "events/string_rules.h"

#include <algorithm>

#include <fmt/format.h>

#include "events/identifiers.h"

namespace throughline::events {

namespace {

bool IsUpperOrDigit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsSlugChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string Uppercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Control characters corrupt logs and terminals; free text may keep its line breaks and tabs.
std::optional<Problem> CheckCharacters(std::string_view s, bool allow_line_breaks) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    bool control = c < 0x20 || c == 0x7f;
    if (control && !(allow_line_breaks && (c == '\n' || c == '\r' || c == '\t'))) {
      return Problem{Rule::kFormat,
                     fmt::format("control character 0x{:02x} at byte {} of {}", c, i, Quote(s))};
    }
  }
  return std::nullopt;
}

}  // namespace

std::size_t MaxLength(Format format) {
  switch (format) {
    case Format::kText:
      return 1000;
    case Format::kId:
    case Format::kName:
      return 200;
    default:
      return 40;
  }
}

std::optional<Problem> CheckString(Format format, std::string_view text, int pivot_year,
                                   std::string* normal) {
  if (text.empty())
    return Problem{Rule::kFormat, "empty; leave the field out instead"};
  if (text.size() > MaxLength(format)) {
    return Problem{Rule::kTooLong,
                   fmt::format("{} bytes, at most {} allowed", text.size(), MaxLength(format))};
  }
  switch (format) {
    case Format::kText:
      if (auto p = CheckCharacters(text, true))
        return p;
      *normal = text;
      return std::nullopt;
    case Format::kId:
    case Format::kName:
      if (auto p = CheckCharacters(text, false))
        return p;
      if (IsSpace(text.front()) || IsSpace(text.back())) {
        return Problem{Rule::kFormat, fmt::format("leading or trailing space in {}", Quote(text))};
      }
      *normal = text;
      return std::nullopt;
    case Format::kPrisonCode: {
      std::string code = Uppercase(text);
      if (code.size() < 2 || code.size() > 6 ||
          !std::all_of(code.begin(), code.end(), IsUpperOrDigit)) {
        return Problem{
            Rule::kFormat,
            fmt::format("not a prison agency code: {} (expected e.g. CFI)", Quote(text))};
      }
      *normal = std::move(code);
      return std::nullopt;
    }
    case Format::kForceCode:
      if (!std::all_of(text.begin(), text.end(), IsSlugChar) || text.front() == '-' ||
          text.back() == '-') {
        return Problem{
            Rule::kFormat,
            fmt::format("not a police force code: {} (expected e.g. dyfed-powys)", Quote(text))};
      }
      *normal = text;
      return std::nullopt;
    case Format::kOffenceCode: {
      std::string code = Uppercase(text);
      auto letter = [](char c) { return c >= 'A' && c <= 'Z'; };
      auto digit = [](char c) { return c >= '0' && c <= '9'; };
      bool ok = (code.size() == 7 || code.size() == 8) && letter(code[0]) && letter(code[1]) &&
                std::all_of(code.begin() + 2, code.begin() + 7, digit) &&
                (code.size() == 7 || letter(code[7]));
      if (!ok) {
        return Problem{
            Rule::kFormat,
            fmt::format("not a CJS offence code: {} (expected e.g. TH68001)", Quote(text))};
      }
      *normal = std::move(code);
      return std::nullopt;
    }
    case Format::kAsn:
      return CheckAsn(text, normal);
    case Format::kPnc:
      return CheckPnc(text, pivot_year, normal);
    case Format::kNoms:
      return CheckNoms(text, normal);
    case Format::kCrn:
      return CheckCrn(text, normal);
    case Format::kCro:
      return CheckCro(text, normal);
  }
  return Problem{Rule::kFormat, "unknown format"};
}

}  // namespace throughline::events
