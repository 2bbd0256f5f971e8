// HttpRequest and HttpResponse: what the router (api_router.h) reads and answers, free of the
// transport (Beast, TLS) so that routing is a function tested without sockets.

#ifndef THROUGHLINE_SERVICES_HTTP_MESSAGE_H_
#define THROUGHLINE_SERVICES_HTTP_MESSAGE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace throughline::services {

struct HttpRequest {
  std::string method = "GET";
  std::string target;                          // as sent: "/v1/persons/pnc%3A...?as_of=2019-03-04"
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  // The header's value, or "" when absent.
  const std::string& Header(const std::string& lower_case_name) const {
    static const std::string kNone;
    auto it = headers.find(lower_case_name);
    return it == headers.end() ? kNone : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set instead of an answer when the request asked to read its own write (?min_seq=N) and the
  // views are not that far yet: the transport waits (bounded) and routes the request again.
  std::optional<std::uint64_t> wait_for_sequence;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_HTTP_MESSAGE_H_
