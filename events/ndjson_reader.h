// NdjsonReader: newline-delimited JSON, one message per line, from any stream, with a bound on
// the memory one line may take.
//
// A line longer than the limit is still consumed to its end (so the next line is read
// correctly) but only its first `max_line_bytes + 1` bytes are kept, enough for the parser to
// reject it as too large without the reader holding a gigabyte for it.

#ifndef THROUGHLINE_EVENTS_NDJSON_READER_H_
#define THROUGHLINE_EVENTS_NDJSON_READER_H_

#include <cstddef>
#include <istream>
#include <string>

namespace throughline::events {

class NdjsonReader {
 public:
  NdjsonReader(std::istream& in, std::size_t max_line_bytes);

  // The next line without its '\n' (and without a '\r' before it); false at the end of input.
  // Blank lines are skipped. `line_number` counts from 1 and includes blank lines.
  bool Next(std::string* line, std::size_t* line_number);

  // True when the last line returned was cut at the limit.
  bool truncated() const { return truncated_; }
  // Full length of the last line returned, even when truncated.
  std::size_t line_bytes() const { return line_bytes_; }

 private:
  std::istream& in_;
  std::size_t max_line_bytes_;
  std::size_t line_number_ = 0;
  bool truncated_ = false;
  std::size_t line_bytes_ = 0;
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_NDJSON_READER_H_
