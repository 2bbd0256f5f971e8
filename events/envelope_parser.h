// EnvelopeParser: one CloudEvents 1.0 JSON message in, a validated typed Event or every reason
// it was rejected out.
//
// Strict by design: unknown fields in `data`, duplicate keys, wrong JSON types, values outside
// an enumeration and bad check letters are all errors, each with its JSON path and rule, so a
// publisher's mistake is caught at the door with a message that says how to fix it. Unknown
// prison and force codes are the exception: accepted, and flagged on the event.
//
// The event comes back as published (an older dataversion stays older); call Upcast() to read
// it as the current version.

#ifndef THROUGHLINE_EVENTS_ENVELOPE_PARSER_H_
#define THROUGHLINE_EVENTS_ENVELOPE_PARSER_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "events/event.h"
#include "events/validation_error.h"

namespace throughline::events {

struct ParseLimits {
  // Messages larger than this are rejected unread. Default: 1 MiB
  std::size_t max_bytes = std::size_t{1} << 20;
  // Objects and arrays nested deeper than this are rejected. Default: 32
  std::size_t max_depth = 32;
  // Reporting stops after this many errors in one message. Default: 50
  std::size_t max_errors = 50;
};

struct ParseResult {
  Event event;              // meaningful only when ok()
  ValidationErrors errors;  // every rule broken, in document order
  bool ok() const { return errors.empty(); }
};

// The error for a message of `bytes` bytes over the limit; for readers that cut a message
// before it reaches the parser.
ValidationError TooLargeError(std::size_t bytes, const ParseLimits& limits);

// Not thread-safe: it reuses its buffers between messages. Use one per thread.
class EnvelopeParser {
 public:
  explicit EnvelopeParser(ParseLimits limits = {});
  ~EnvelopeParser();
  EnvelopeParser(const EnvelopeParser&) = delete;
  EnvelopeParser& operator=(const EnvelopeParser&) = delete;

  ParseResult Parse(std::string_view json);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_ENVELOPE_PARSER_H_
