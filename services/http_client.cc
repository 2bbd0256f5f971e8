#include "services/http_client.h"

#include <deque>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace throughline::services {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::pair<std::string, std::string> Split(const std::string& address) {
  const auto colon = address.rfind(':');
  return {address.substr(0, colon), address.substr(colon + 1)};
}

}  // namespace

ClientResponse HttpCall(const std::string& method, const std::string& address,
                        const std::string& target, const std::string& body, const Headers& headers,
                        std::chrono::milliseconds timeout) {
  ClientResponse out;
  try {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    const auto [host, port] = Split(address);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, host);
    for (const auto& [name, value] : headers)
      req.set(name, value);
    if (!body.empty()) {
      req.body() = body;
      req.set(http::field::content_type, "application/json");
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(stream, buffer, parser);
    const auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    out.status = 0;
    out.error = e.what();
  }
  return out;
}

struct HttpConnection::Impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  std::string host;
};

HttpConnection::HttpConnection() : impl_(std::make_unique<Impl>()) {}
HttpConnection::~HttpConnection() {
  beast::error_code ec;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

bool HttpConnection::Connect(const std::string& address) {
  try {
    tcp::resolver resolver(impl_->ioc);
    const auto [host, port] = Split(address);
    impl_->host = host;
    impl_->stream.expires_after(std::chrono::seconds(10));
    impl_->stream.connect(resolver.resolve(host, port));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

ClientResponse HttpConnection::Get(const std::string& target, const Headers& headers) {
  ClientResponse out;
  try {
    http::request<http::string_body> req(http::verb::get, target, 11);
    req.set(http::field::host, impl_->host);
    req.keep_alive(true);
    for (const auto& [name, value] : headers)
      req.set(name, value);
    impl_->stream.expires_after(std::chrono::seconds(30));
    http::write(impl_->stream, req);
    http::response<http::string_body> res;
    http::read(impl_->stream, impl_->buffer, res);
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

struct WebSocketClient::Impl {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  bool reading = false;
  std::deque<std::string> arrived;
};

WebSocketClient::WebSocketClient() : impl_(std::make_unique<Impl>()) {}
WebSocketClient::~WebSocketClient() { Close(); }

int WebSocketClient::Connect(const std::string& address, const std::string& target,
                             const Headers& headers, int receive_buffer) {
  try {
    tcp::resolver resolver(impl_->ioc);
    const auto [host, port] = Split(address);
    auto& lowest = beast::get_lowest_layer(impl_->ws);
    lowest.expires_after(std::chrono::seconds(10));
    const auto endpoints = resolver.resolve(host, port);
    if (receive_buffer > 0) {
      // Set before connecting (the window is agreed then), on the one socket connected: the
      // range form of connect would open a fresh one.
      const tcp::endpoint endpoint = *endpoints.begin();
      lowest.socket().open(endpoint.protocol());
      lowest.socket().set_option(net::socket_base::receive_buffer_size(receive_buffer));
      lowest.connect(endpoint);
    } else {
      lowest.connect(endpoints);
    }
    lowest.expires_never();
    impl_->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& r) {
      for (const auto& [name, value] : headers)
        r.set(name, value);
    }));
    websocket::response_type res;
    beast::error_code ec;
    impl_->ws.handshake(res, host + ":" + port, target, ec);
    if (ec) {
      closed_ = true;
      return static_cast<int>(res.result_int());
    }
    return 101;
  } catch (const std::exception&) {
    closed_ = true;
    return 0;
  }
}

std::optional<std::string> WebSocketClient::Read(std::chrono::milliseconds timeout) {
  // One read stays pending across calls: a read that timed out is still waiting for the next
  // message, which the next call collects (cancelling it would break the stream).
  if (!impl_->arrived.empty()) {
    std::string m = std::move(impl_->arrived.front());
    impl_->arrived.pop_front();
    return m;
  }
  if (closed_)
    return std::nullopt;
  if (!impl_->reading) {
    impl_->reading = true;
    impl_->ws.async_read(impl_->buffer, [this](beast::error_code ec, std::size_t) {
      impl_->reading = false;
      if (ec) {
        closed_ = true;
        const auto& reason = impl_->ws.reason().reason;
        close_reason_.assign(reason.data(), reason.size());
        return;
      }
      impl_->arrived.push_back(beast::buffers_to_string(impl_->buffer.data()));
      impl_->buffer.consume(impl_->buffer.size());
    });
  }
  impl_->ioc.restart();
  impl_->ioc.run_for(timeout);
  if (impl_->arrived.empty())
    return std::nullopt;
  std::string m = std::move(impl_->arrived.front());
  impl_->arrived.pop_front();
  return m;
}

void WebSocketClient::Close() {
  if (closed_)
    return;
  closed_ = true;
  // With a read pending, a blocking close would wait for it: shut the socket instead.
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().shutdown(tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(impl_->ws).close();
  impl_->ioc.restart();
  impl_->ioc.run_for(std::chrono::milliseconds(100));
}

}  // namespace throughline::services
