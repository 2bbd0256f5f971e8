#include "events/validation_error.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

namespace throughline::events {

std::string_view RuleName(Rule rule) {
  switch (rule) {
    case Rule::kJsonSyntax:
      return "json_syntax";
    case Rule::kTooLarge:
      return "too_large";
    case Rule::kTooDeep:
      return "too_deep";
    case Rule::kInvalidUtf8:
      return "invalid_utf8";
    case Rule::kDuplicateKey:
      return "duplicate_key";
    case Rule::kRequired:
      return "required";
    case Rule::kUnknownField:
      return "unknown_field";
    case Rule::kWrongType:
      return "wrong_type";
    case Rule::kEnumValue:
      return "enum_value";
    case Rule::kFormat:
      return "format";
    case Rule::kCheckLetter:
      return "check_letter";
    case Rule::kRange:
      return "range";
    case Rule::kTimeFormat:
      return "time_format";
    case Rule::kUnknownType:
      return "unknown_type";
    case Rule::kUnsupportedVersion:
      return "unsupported_version";
    case Rule::kSpecVersion:
      return "specversion";
    case Rule::kNoIdentifier:
      return "no_identifier";
    case Rule::kTooLong:
      return "too_long";
    case Rule::kItemCount:
      return "item_count";
    case Rule::kInconsistent:
      return "inconsistent";
    case Rule::kUnknownReference:
      return "unknown_reference";
    case Rule::kDuplicateId:
      return "duplicate_id";
    case Rule::kInferred:
      return "inferred";
  }
  return "unknown_rule";
}

std::string ValidationError::ToString() const {
  if (path.empty())
    return message;
  return fmt::format("{}: {}", path, message);
}

std::string JoinErrors(const ValidationErrors& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty())
      out += "; ";
    out += e.ToString();
  }
  return out;
}

std::string Quote(std::string_view found, std::size_t max) {
  std::string out = "\"";
  std::size_t shown = 0;
  for (char c : found) {
    if (shown == max) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
    ++shown;
  }
  out += '"';
  return out;
}

namespace {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view ClosestMatch(std::string_view word,
                              const std::vector<std::string_view>& candidates) {
  // A typo is a few edits away; anything further is a different word, and a guess would mislead.
  const std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3));
  std::string_view best;
  std::size_t best_distance = limit + 1;
  for (auto candidate : candidates) {
    std::size_t d = EditDistance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace throughline::events
