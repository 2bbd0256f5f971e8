#include "events/ndjson_reader.h"

namespace throughline::events {

NdjsonReader::NdjsonReader(std::istream& in, std::size_t max_line_bytes)
    : in_(in), max_line_bytes_(max_line_bytes) {}

bool NdjsonReader::Next(std::string* line, std::size_t* line_number) {
  std::streambuf* buf = in_.rdbuf();
  while (true) {
    line->clear();
    truncated_ = false;
    line_bytes_ = 0;
    bool any = false;
    for (int c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
      any = true;
      if (c == '\n')
        break;
      ++line_bytes_;
      if (line->size() <= max_line_bytes_) {
        line->push_back(static_cast<char>(c));
      } else {
        truncated_ = true;
      }
    }
    if (!any)
      return false;
    ++line_number_;
    if (!truncated_ && !line->empty() && line->back() == '\r') {
      line->pop_back();
      --line_bytes_;
    }
    bool blank = line->find_first_not_of(" \t\r") == std::string::npos;
    if (blank)
      continue;
    *line_number = line_number_;
    return true;
  }
}

}  // namespace throughline::events
