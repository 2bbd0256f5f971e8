// Fuzzes the request target parser (services/http_target.h): the first thing the API does with
// a request from anyone. Beyond never crashing, leaking or hitting undefined behaviour, a
// target that parses keeps the promises the router relies on:
//   - at most kMaxSegments segments and kMaxQueryParameters parameters;
//   - no segment empty, "." or ".." (no path traversal into a person id), and no control
//     character in any segment, name or value;
//   - written back with every byte escaped that needs it, it parses to the same target.

#include <cstddef>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "services/http_target.h"
#include "tests/fuzz/fuzz_check.h"

namespace services = throughline::services;

namespace {

bool HasControl(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return true;
  }
  return false;
}

// RFC 3986 percent-encoding: everything but the unreserved characters.
std::string Escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

std::string Unparse(const services::HttpTarget& t) {
  std::string out;
  for (const auto& s : t.segments)
    out += "/" + Escape(s);
  if (out.empty())
    out = "/";
  char separator = '?';
  for (const auto& [name, value] : t.query) {
    out += separator + Escape(name) + "=" + Escape(value);
    separator = '&';
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = throughline::fuzz::AsText(data, size);
  auto target = services::ParseTarget(text);
  if (!target.ok())
    return 0;
  FUZZ_CHECK(target->segments.size() <= services::kMaxSegments, "");
  FUZZ_CHECK(target->query.size() <= services::kMaxQueryParameters, "");
  for (const auto& s : target->segments) {
    FUZZ_CHECK(!s.empty() && s != "." && s != "..", s);
    FUZZ_CHECK(!HasControl(s), s);
  }
  for (const auto& [name, value] : target->query) {
    FUZZ_CHECK(!HasControl(name) && !HasControl(value), name);
  }
  const std::string again = Unparse(*target);
  if (again.size() <= services::kMaxTargetBytes) {
    auto reparsed = services::ParseTarget(again);
    FUZZ_CHECK(reparsed.ok(), again);
    FUZZ_CHECK(reparsed->segments == target->segments && reparsed->query == target->query, again);
  }
  return 0;
}
