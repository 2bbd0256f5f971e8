#include "tools/bench/http_load.h"

#include <chrono>
#include <memory>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "services/thread_priority.h"

namespace throughline::bench {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Everything runs on the one thread of `io`: no locks.
struct Run {
  explicit Run(const HttpLoad& l) : load(l) {}
  const HttpLoad& load;
  net::io_context io;
  Clock::duration interval{};  // between a connection's requests, when paced
  Clock::time_point started;
  std::vector<Latencies> latencies;  // by connection
  std::uint64_t errors = 0;
};

// Connection c sends targets c, c + connections, c + 2 * connections, ...
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Run* run, int index, tcp::socket socket)
      : run_(run),
        index_(index),
        next_(static_cast<std::size_t>(index)),
        stream_(std::move(socket)),
        timer_(run->io) {
    request_.version(11);
    request_.method(http::verb::get);
    request_.set(http::field::host, run->load.address);
    for (const auto& [name, value] : run->load.headers)
      request_.set(name, value);
    due_ = run->started + run->interval * index / run->load.connections;
  }

  void Next() {
    if (next_ >= run_->load.targets.size())
      return;
    if (run_->load.rate <= 0) {
      Send(Clock::now());
      return;
    }
    timer_.expires_at(due_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->Send(self->due_);
    });
  }

 private:
  void Send(Clock::time_point counted_from) {
    counted_from_ = counted_from;
    due_ += run_->interval;
    request_.target(run_->load.targets[next_]);
    next_ += static_cast<std::size_t>(run_->load.connections);
    http::async_write(stream_, request_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) {
                          ++self->run_->errors;
                          return;
                        }
                        self->Receive();
                      });
  }

  void Receive() {
    response_ = {};
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) {
                         ++self->run_->errors;
                         return;
                       }
                       self->run_->latencies[static_cast<std::size_t>(self->index_)].Add(
                           Clock::now() - self->counted_from_);
                       if (self->response_.result() != http::status::ok)
                         ++self->run_->errors;
                       self->Next();
                     });
  }

  Run* run_;
  int index_;
  std::size_t next_;
  beast::tcp_stream stream_;
  net::steady_timer timer_;
  http::request<http::empty_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  Clock::time_point due_, counted_from_;
};

}  // namespace

HttpLoadResult RunHttpLoad(const HttpLoad& load) {
  Run run(load);
  run.latencies.resize(static_cast<std::size_t>(load.connections));
  if (load.rate > 0) {
    run.interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(load.connections / load.rate));
  }
  const auto colon = load.address.rfind(':');
  std::vector<std::shared_ptr<Connection>> connections;
  tcp::resolver resolver(run.io);
  beast::error_code ec;
  const auto endpoints =
      resolver.resolve(load.address.substr(0, colon), load.address.substr(colon + 1), ec);
  std::vector<tcp::socket> sockets;
  for (int c = 0; c < load.connections && !ec; ++c) {
    tcp::socket socket(run.io);
    net::connect(socket, endpoints, ec);
    if (ec)
      ++run.errors;
    else
      sockets.push_back(std::move(socket));
  }
  run.started = Clock::now();
  for (std::size_t c = 0; c < sockets.size(); ++c) {
    connections.push_back(
        std::make_shared<Connection>(&run, static_cast<int>(c), std::move(sockets[c])));
    connections.back()->Next();
  }
  connections.clear();  // each lives as long as its pending operation
  HttpLoadResult result;
  const services::SchedulingClass before = services::CurrentSchedulingClass();
  result.realtime = load.realtime && services::RaiseToRealtimePriority();
  run.io.run();
  if (result.realtime)
    services::SetSchedulingClass(before);
  result.seconds = std::chrono::duration<double>(Clock::now() - run.started).count();
  for (const auto& l : run.latencies)
    result.latencies.Merge(l);
  result.errors = run.errors;
  return result;
}

}  // namespace throughline::bench
