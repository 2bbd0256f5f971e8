#include "projections/as_of.h"

#include <charconv>

#include <fmt/format.h>

namespace throughline::projections {

Result<events::Timestamp> ParseAsOf(std::string_view text) {
  events::Date day;
  if (text.size() == 10 && !events::ParseDate(text, &day)) {
    return events::Timestamp{(static_cast<std::int64_t>(day.days) + 1) * events::kMillisPerDay - 1};
  }
  events::Timestamp t;
  if (auto problem = events::ParseTimestamp(text, &t)) {
    return Status::InvalidArgument(fmt::format(
        "\"{}\" is not a date (2019-03-04) or an RFC 3339 time (2019-03-04T10:15:00Z): {}", text,
        problem->message));
  }
  return t;
}

Result<Knowledge> ParseKnowledge(std::string_view text) {
  Knowledge known;
  std::uint64_t sequence = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), sequence);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) {
    known.sequence = sequence;
    return known;
  }
  auto time = ParseAsOf(text);
  if (!time.ok()) {
    return Status::InvalidArgument(fmt::format(
        "\"{}\" is not a log sequence (1234), a date (2019-03-04) or an RFC 3339 time", text));
  }
  known.time = *time;
  return known;
}

}  // namespace throughline::projections
