#include "events/catalogue/courts.h"

#include <fmt/format.h>

namespace throughline::events {

void SentenceImposed::Check(const SentenceImposed& s, CheckContext& c) {
  const bool custody = s.kind == SentenceKind::kImmediateCustody;
  const bool needs_length =
      custody || s.kind == SentenceKind::kSuspended || s.kind == SentenceKind::kCommunityOrder;
  if (needs_length && !s.length) {
    c.Fail("length", Rule::kRequired, fmt::format("required for a {} sentence", EnumName(s.kind)));
  }
  if (!custody && s.expected_release_date) {
    c.Fail("expected_release_date", Rule::kInconsistent,
           fmt::format("only for immediate_custody, not {}", EnumName(s.kind)));
  }
  if (!custody && s.licence_end_date) {
    c.Fail("licence_end_date", Rule::kInconsistent,
           fmt::format("only for immediate_custody, not {}", EnumName(s.kind)));
  }
  if (s.expected_release_date && s.licence_end_date &&
      *s.licence_end_date < *s.expected_release_date) {
    c.Fail("licence_end_date", Rule::kInconsistent,
           fmt::format("before expected_release_date {}", FormatDate(*s.expected_release_date)));
  }
}

}  // namespace throughline::events
