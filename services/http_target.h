// Parsing a request target: "/v1/persons/pnc%3A2012%2F0123456Y/timeline?as_of=2019-03-04".
//
// The path is split on '/' and each segment percent-decoded; the query into name -> value
// (decoded, '+' as space). Strict, because the target comes from anyone: an invalid escape, a
// NUL or control character, a segment "." or "..", an empty segment, a repeated query name, or
// more than kMaxSegments / kMaxQueryParameters is an error naming what was wrong.

#ifndef THROUGHLINE_SERVICES_HTTP_TARGET_H_
#define THROUGHLINE_SERVICES_HTTP_TARGET_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"

namespace throughline::services {

inline constexpr std::size_t kMaxTargetBytes = 4096;
inline constexpr std::size_t kMaxSegments = 16;
inline constexpr std::size_t kMaxQueryParameters = 32;

struct HttpTarget {
  std::vector<std::string> segments;  // "/v1/alerts" -> {"v1", "alerts"}; "/" -> {}
  std::map<std::string, std::string, std::less<>> query;

  // The parameter, or `otherwise` when absent.
  std::string Param(std::string_view name, std::string_view otherwise = "") const {
    auto it = query.find(name);
    return it == query.end() ? std::string(otherwise) : it->second;
  }
  bool Has(std::string_view name) const { return query.count(name) > 0; }
};

// InvalidArgument saying what is wrong with the target.
Result<HttpTarget> ParseTarget(std::string_view target);

// Percent-decoding of one component; InvalidArgument for a bad escape or a control character.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_HTTP_TARGET_H_
