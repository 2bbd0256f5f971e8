// HttpServer: the engine's HTTP API and live subscriptions on Boost.Beast (docs/api.md).
//
// Follows Beast's advanced server: a listener; an HTTP session per connection, reading one
// request at a time with a header and body limit and a timeout, answering through the router
// (api_router.h); and a WebSocket session per subscriber (subscription.h), each on its own
// strand with one write in flight. Subscribers are cursors over the log: the engine tells the
// server what it has committed (Committed) and each session pulls from its cursor, so a slow
// subscriber lags, is cut off past a bound with its last delivered sequence, and never slows
// ingest. Plain HTTP by default; HTTPS and WSS when given a certificate and key.
//
// Thread-safe: Committed and AlertsRaised may be called from any thread.

#ifndef THROUGHLINE_SERVICES_HTTP_SERVER_H_
#define THROUGHLINE_SERVICES_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "events/status.h"
#include "projections/alert.h"
#include "services/api_router.h"
#include "services/latency_histogram.h"
#include "services/log_changes.h"

namespace throughline::services {

struct HttpServerOptions {
  // Where to listen, host:port; port 0 picks a free one (see address()). Default: loopback
  std::string listen = "127.0.0.1:8080";
  // Threads running the HTTP sessions (plain WebSocket subscribers have one more of their own).
  // Default: 2
  int threads = 2;
  // Run those threads and the subscribers' in the real-time class (RaiseToRealtimePriority in
  // thread_priority.h: why, and what it needs); at normal priority, with a warning, when the
  // system refuses. Default: false
  bool realtime_threads = false;
  // Connections open at once. A new one beyond this closes the connection that has waited
  // longest for a request (idle between requests, or sending one slowly), so that idle or slow
  // clients cannot lock others out; with none waiting (all busy, or subscriptions), the new one
  // is refused at accept. Default: 1000
  std::size_t max_connections = 1000;
  // Live subscriptions of one token at once; more get 429. Default: 8
  std::size_t max_subscriptions_per_token = 8;
  // Connections one token may hold open at once; a request on one more gets 429 and the
  // connection is closed. Default: 256
  std::size_t max_connections_per_token = 256;
  // Request limits: a larger header gets 431, a larger body 413. Defaults: 8 KiB, 64 KiB
  std::size_t header_limit = 8 * 1024;
  std::size_t body_limit = 64 * 1024;
  // A request must arrive whole within this, or the connection is closed. Default: 30 s
  std::chrono::milliseconds read_timeout{30'000};
  // How long ?min_seq=N waits for the views to reach N before 503. Default: 5 s
  std::chrono::milliseconds min_seq_wait{5'000};
  // A subscriber further behind the log than this many sequences is cut off. Default: 100000
  std::uint64_t max_subscriber_lag = 100'000;
  // A subscriber that does not take a message in this long is cut off. Default: 30 s
  std::chrono::milliseconds subscriber_write_timeout{30'000};
  // The kernel's send buffer for a subscriber's socket, in bytes (0: the system's). Small, a
  // subscriber that stops reading is noticed sooner; tests use it. Default: 0
  int subscriber_send_buffer = 0;
  // The newest records held in memory for the subscribers to share (change_window.h); one
  // further behind reads the store itself. Default: 16384
  std::size_t subscription_window = 16'384;
  // PEM files; both set: HTTPS and WSS only. Default: plain
  std::string tls_certificate;
  std::string tls_private_key;
};

struct HttpMetrics {
  LatencyHistogram requests;       // read to response written
  LatencyHistogram subscriptions;  // batch committed to change delivered
  std::atomic<std::uint64_t> responses_2xx{0}, responses_4xx{0}, responses_5xx{0};
  std::atomic<std::uint64_t> connections{0};  // open now
  std::atomic<std::uint64_t> connections_refused{0};
  // Closed at the cap, to make room for a new one: waiting longest for a request
  std::atomic<std::uint64_t> connections_evicted{0};
  std::atomic<std::uint64_t> timeouts{0};     // closed as a request did not arrive whole in time
  std::atomic<std::uint64_t> subscribers{0};  // open now
  std::atomic<std::uint64_t> subscribers_cut_off{0};
  std::atomic<std::uint64_t> messages_sent{0};
};

class HttpServer {
 public:
  // Binds and starts serving. `models` must stay valid until Stop.
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, ReadModels models);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Closes the listener and every connection (subscribers get a close frame), joins threads.
  void Stop();

  // host:port actually listened on.
  std::string address() const;
  bool tls() const;
  const HttpMetrics& metrics() const;

  // The log has records up to `last_sequence`: subscribers are woken. `changes`, when given,
  // are the writer's own of its last batch (Engine's on_committed), which the subscriptions
  // then need not read back.
  void Committed(std::uint64_t last_sequence, std::vector<LogChange> changes = {});
  // Whether anyone subscribes, so that Committed's changes are worth keeping.
  bool WantsChanges() const;
  // Alerts the clock raised: sent to the subscribers they concern.
  void AlertsRaised(const std::vector<projections::Alert>& alerts);

  // Prometheus text of the server's own metrics.
  void WritePrometheus(std::string* out) const;

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_HTTP_SERVER_H_
