// A small, blocking HTTP and WebSocket client (Boost.Beast): how the command line talks to a
// running engine's API (`throughline replay --api`, `admin`), and how the tests call it, over a
// real socket, as a dashboard or partner system would.

#ifndef THROUGHLINE_SERVICES_HTTP_CLIENT_H_
#define THROUGHLINE_SERVICES_HTTP_CLIENT_H_

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace throughline::services {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct ClientResponse {
  int status = 0;  // 0: no response (connection failed or timed out)
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string error;                           // why status is 0
};

// One request on a fresh connection to `address` ("127.0.0.1:8080").
ClientResponse HttpCall(const std::string& method, const std::string& address,
                        const std::string& target, const std::string& body = "",
                        const Headers& headers = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));
inline ClientResponse HttpGet(const std::string& address, const std::string& target,
                              const Headers& headers = {}) {
  return HttpCall("GET", address, target, "", headers);
}

// A keep-alive HTTP connection: requests one after another on the same socket.
class HttpConnection {
 public:
  HttpConnection();
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool Connect(const std::string& address);
  // status 0 when the connection failed or was closed.
  ClientResponse Get(const std::string& target, const Headers& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A WebSocket client connection.
class WebSocketClient {
 public:
  WebSocketClient();
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Connects and upgrades; on refusal, the HTTP status the server answered (e.g. 401), else 101.
  // `receive_buffer` (bytes, 0: the system's) makes a client that stops reading felt sooner.
  int Connect(const std::string& address, const std::string& target, const Headers& headers = {},
              int receive_buffer = 0);
  // The next text message; nullopt when the connection closed or `timeout` passed.
  std::optional<std::string> Read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool closed() const { return closed_; }
  // The reason the server closed with, once closed.
  const std::string& close_reason() const { return close_reason_; }
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool closed_ = false;
  std::string close_reason_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_HTTP_CLIENT_H_
