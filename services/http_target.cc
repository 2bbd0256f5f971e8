#include "services/http_target.h"

#include <fmt/format.h>

namespace throughline::services {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size())
        return Status::InvalidArgument("a % escape is cut short");
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0)
        return Status::InvalidArgument(fmt::format("\"{}\" has an invalid % escape", text));
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return Status::InvalidArgument("a control character is not allowed in the target");
    out.push_back(c);
  }
  return out;
}

Result<HttpTarget> ParseTarget(std::string_view target) {
  if (target.size() > kMaxTargetBytes) {
    return Status::InvalidArgument(
        fmt::format("the target is {} bytes, more than {}", target.size(), kMaxTargetBytes));
  }
  if (target.empty() || target.front() != '/')
    return Status::InvalidArgument("the target must start with /");
  HttpTarget out;
  const auto question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  if (const auto hash = query.find('#'); hash != std::string_view::npos)
    query = query.substr(0, hash);

  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/')
    path.remove_suffix(1);  // "/v1/alerts/" is "/v1/alerts"
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string_view raw = path.substr(0, slash);
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
    if (raw.empty())
      return Status::InvalidArgument("the path has an empty segment (//)");
    auto segment = PercentDecode(raw, false);
    if (!segment.ok())
      return segment.status();
    if (*segment == "." || *segment == "..")
      return Status::InvalidArgument("the path may not hold . or .. segments");
    if (out.segments.size() == kMaxSegments)
      return Status::InvalidArgument("the path has too many segments");
    out.segments.push_back(std::move(*segment));
  }

  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty())
      continue;
    const auto eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq), true);
    if (!name.ok())
      return name.status();
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!value.ok())
      return value.status();
    if (out.query.size() == kMaxQueryParameters)
      return Status::InvalidArgument("the query has too many parameters");
    if (!out.query.emplace(std::move(*name), std::move(*value)).second)
      return Status::InvalidArgument(fmt::format("the query names {} twice", pair.substr(0, eq)));
  }
  return out;
}

}  // namespace throughline::services
