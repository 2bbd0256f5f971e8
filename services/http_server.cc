// The Beast side of the API: listener, HTTP sessions, WebSocket sessions and the hub that wakes
// them. Everything Beast is in this one file (each Beast translation unit costs seconds to
// compile); the API itself is api_router.cc and subscription.cc.
//
// Invariants:
// - every session runs on its own strand; a session has at most one read and one write in
//   flight;
// - a WebSocket session's backlog is its cursor into the log plus at most kMaxQueuedAlerts
//   clock-raised alerts; nothing the engine does waits on a session;
// - the hub holds sessions weakly and calls them only by posting to their strands, so it never
//   holds its lock while a session runs.

#include "services/http_server.h"

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "services/change_window.h"
#include "services/subscription.h"
#include "services/thread_name.h"
#include "services/thread_priority.h"

namespace throughline::services {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kMaxQueuedAlerts = 1000;
constexpr std::size_t kMaxWebSocketMessage = 64 * 1024;
using SteadyClock = std::chrono::steady_clock;

}  // namespace

// Everything the sessions share.
class HttpServer::Impl {
 public:
  class Subscriber {
   public:
    virtual ~Subscriber() = default;
    virtual void Wake() = 0;
    virtual void Alerts(std::shared_ptr<const std::vector<projections::Alert>> alerts) = 0;
    virtual void Shutdown() = 0;
  };

  Impl(HttpServerOptions options, ReadModels models)
      : options_(std::move(options)),
        models_(std::move(models)),
        ssl_(ssl::context::tls_server),
        ioc_(options_.threads),
        acceptor_(net::make_strand(ioc_)) {}

  Status Listen();
  void Run();
  void Stop();

  // The hub.
  void Add(const std::shared_ptr<Subscriber>& s) {
    std::lock_guard lock(mu_);
    subscribers_.push_back(s);
  }
  // The log grew: the window takes the writer's changes or reads the new records, then wakes
  // the subscribers (WakeAll).
  void Committed(std::uint64_t last, std::vector<LogChange> changes) {
    committed_.store(last);
    committed_at_.store(SteadyClock::now().time_since_epoch().count());
    window_->Committed(last, HasSubscribers(), std::move(changes));
  }
  void WakeAll() {
    for (const auto& s : Live())
      s->Wake();
  }
  void AlertsRaised(const std::vector<projections::Alert>& alerts) {
    auto shared = std::make_shared<const std::vector<projections::Alert>>(alerts);
    for (const auto& s : Live())
      s->Alerts(shared);
  }
  // Per token, for the subscription and connection caps.
  bool TakeSubscription(const std::string& token) {
    return Take(&subscriptions_, token, options_.max_subscriptions_per_token);
  }
  void ReleaseSubscription(const std::string& token) { Release(&subscriptions_, token); }
  bool TakeConnection(const std::string& token) {
    return Take(&connections_, token, options_.max_connections_per_token);
  }
  void ReleaseConnection(const std::string& token) { Release(&connections_, token); }

  // Connections waiting for a request, each with what closes it (from any thread): at the
  // connection cap the one that has waited longest is closed for a new one (Accept).
  std::uint64_t Waiting(std::function<void(std::uint64_t ticket)> close) {
    std::lock_guard lock(waiting_mu_);
    waiting_.emplace(next_waiting_, std::move(close));
    return next_waiting_++;
  }
  void NotWaiting(std::uint64_t ticket) {
    std::lock_guard lock(waiting_mu_);
    waiting_.erase(ticket);
  }

  std::uint64_t committed() const {
    const std::uint64_t c = committed_.load();
    // Before the engine says anything, what the store holds.
    return c != 0 ? c : models_.store->state().next_sequence - 1;
  }
  SteadyClock::time_point committed_at() const {
    return SteadyClock::time_point(SteadyClock::duration(committed_at_.load()));
  }

  const HttpServerOptions& options() const { return options_; }
  const ReadModels& models() const { return models_; }
  const ChangeWindow& window() const { return *window_; }
  HttpMetrics& metrics() { return metrics_; }
  net::io_context& ioc() { return ioc_; }
  net::io_context& subscriber_ioc() { return subscriber_ioc_; }
  // A new subscriber reads from `from`: the window starts there if it holds nothing yet.
  void Following(std::uint64_t from) { window_->Follow(from); }
  ssl::context& ssl_context() { return ssl_; }
  bool tls() const { return !options_.tls_certificate.empty(); }
  std::string address() const { return address_; }

  bool HasSubscribers() {
    std::lock_guard lock(mu_);
    return std::any_of(subscribers_.begin(), subscribers_.end(),
                       [](const std::weak_ptr<Subscriber>& w) { return !w.expired(); });
  }

 private:
  std::vector<std::shared_ptr<Subscriber>> Live() {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<Subscriber>> live;
    std::erase_if(subscribers_, [&](const std::weak_ptr<Subscriber>& w) {
      auto s = w.lock();
      if (!s)
        return true;
      live.push_back(std::move(s));
      return false;
    });
    return live;
  }
  void Accept();
  // Closes the connection that has waited longest for a request; false when none waits.
  bool EvictLongestWaiting() {
    std::uint64_t ticket;
    std::function<void(std::uint64_t)> close;
    {
      std::lock_guard lock(waiting_mu_);
      if (waiting_.empty())
        return false;
      ticket = waiting_.begin()->first;
      close = std::move(waiting_.begin()->second);
      waiting_.erase(waiting_.begin());
    }
    close(ticket);
    return true;
  }
  bool Take(std::map<std::string, std::size_t>* counts, const std::string& token, std::size_t cap) {
    std::lock_guard lock(mu_);
    std::size_t& n = (*counts)[token];
    if (n >= cap)
      return false;
    ++n;
    return true;
  }
  void Release(std::map<std::string, std::size_t>* counts, const std::string& token) {
    std::lock_guard lock(mu_);
    if (auto it = counts->find(token); it != counts->end() && it->second > 0 && --it->second == 0)
      counts->erase(it);
  }

  // Order matters: the io_context is destroyed first (members go in reverse), and with it the
  // handlers it still holds and the sessions they keep alive; their destructors use the
  // metrics, the TLS context, the lock and the counts, which must still be there.
  HttpServerOptions options_;
  ReadModels models_;
  HttpMetrics metrics_;
  ssl::context ssl_;
  std::mutex mu_;
  std::vector<std::weak_ptr<Subscriber>> subscribers_;
  std::map<std::string, std::size_t> subscriptions_;  // open, per token id
  std::map<std::string, std::size_t> connections_;    // bound to a token, per token id
  std::mutex waiting_mu_;
  std::map<std::uint64_t, std::function<void(std::uint64_t)>> waiting_;  // oldest first
  std::uint64_t next_waiting_ = 1;
  std::atomic<std::uint64_t> committed_{0};
  std::atomic<SteadyClock::rep> committed_at_{0};
  std::atomic<bool> stopped_{false};
  std::string address_;
  std::vector<std::thread> threads_;
  net::io_context ioc_;
  net::io_context subscriber_ioc_{1};  // plain WebSocket sessions (TLS ones stay on ioc_)
  tcp::acceptor acceptor_;
  // Made by Run. Last, so first to go: its thread wakes sessions through the members above.
  std::unique_ptr<ChangeWindow> window_;
};

namespace {

using Impl = HttpServer::Impl;

// Counts a connection for as long as it lives.
struct ConnectionCount {
  explicit ConnectionCount(HttpMetrics* m) : metrics(m) { ++metrics->connections; }
  ~ConnectionCount() { --metrics->connections; }
  HttpMetrics* metrics;
};

// ---------------------------------------------------------------------------------------------
// WebSocket sessions: one per subscriber.

template <class Stream>
class WebSocketSession : public Impl::Subscriber,
                         public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(Impl* server, Stream&& stream, Caller caller, SubscriptionPlan plan,
                   std::shared_ptr<ConnectionCount> count)
      : server_(server),
        ws_(std::move(stream)),
        write_timer_(ws_.get_executor()),
        caller_(std::move(caller)),
        plan_(std::move(plan)),
        next_(plan_.from),
        count_(std::move(count)) {}

  ~WebSocketSession() override {
    server_->ReleaseSubscription(caller_.token_id);
    if (accepted_)
      --server_->metrics().subscribers;
  }

  void Start(http::request<http::string_body> request) {
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    // Each message is one write, smaller than a segment: with Nagle on, a write waits for the
    // ACK of the one before, which a receiver may delay by up to 40 ms.
    socket.set_option(tcp::no_delay(true), ec);
    if (server_->options().subscriber_send_buffer > 0)
      socket.set_option(
          net::socket_base::send_buffer_size(server_->options().subscriber_send_buffer), ec);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(kMaxWebSocketMessage);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "throughline"); }));
    ws_.async_accept(
        request, beast::bind_front_handler(&WebSocketSession::OnAccept, this->shared_from_this()));
  }

  void Wake() override {
    net::post(ws_.get_executor(),
              beast::bind_front_handler(&WebSocketSession::Pump, this->shared_from_this()));
  }

  void Alerts(std::shared_ptr<const std::vector<projections::Alert>> alerts) override {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), alerts] {
      for (const auto& a : *alerts) {
        std::string message =
            AlertMessage(*self->server_->models().store, self->plan_.filter, self->caller_, a);
        if (message.empty())
          continue;
        if (self->alerts_.size() >= kMaxQueuedAlerts) {
          self->CutOff("too slow: alerts queued beyond the limit");
          return;
        }
        self->alerts_.push_back(std::move(message));
      }
      self->Pump();
    });
  }

  void Shutdown() override {
    net::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->Close(websocket::close_code::going_away, "the server is shutting down");
    });
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec)
      return;
    accepted_ = true;
    ++server_->metrics().subscribers;
    spdlog::info("subscription.opened token={} role={} from={}", caller_.token_id,
                 caller_.role->name, plan_.from);
    server_->Add(this->shared_from_this());
    server_->Following(next_);
    Read();
    Pump();
  }

  // Subscribers send nothing we act on, but a read must be pending for pings and the close
  // handshake to be handled.
  void Read() {
    ws_.async_read(in_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed_ = true;
        return;
      }
      self->in_.consume(self->in_.size());
      self->Read();
    });
  }

  // Sends what there is to send, one message at a time.
  void Pump() {
    if (writing_ || closed_ || closing_)
      return;
    if (!alerts_.empty()) {
      std::string message = std::move(alerts_.front());
      alerts_.pop_front();
      Write(std::move(message), false);
      return;
    }
    const std::uint64_t end = server_->committed() + 1;
    const std::uint64_t at = pending_.empty() ? next_ : pending_.front()->change().sequence;
    if (caught_up_ && end > at && end - at > server_->options().max_subscriber_lag) {
      CutOff(fmt::format("too slow: {} sequences behind", end - at));
      return;
    }
    const events::Timestamp now = server_->models().clock->Now();
    // Look at a bounded number of changes before letting other sessions run.
    for (int looked = 0; looked < 512; ++looked) {
      if (pending_.empty() && !Fetch())
        return Idle();
      const std::shared_ptr<const ChangeWindow::Entry> entry = std::move(pending_.front());
      pending_.pop_front();
      if (ChangePasses(entry->change(), plan_.filter, caller_, now)) {
        last_sent_ = entry->change().sequence;
        Write(entry->Message(caller_.role->classes, now), caught_up_);
        return;
      }
    }
    Wake();
  }

  // The next changes after the cursor into pending_: from the shared window, or from the store
  // while the cursor is older than the window. False when there is nothing new yet.
  bool Fetch() {
    while (pending_.empty()) {
      ChangeWindow::Entries entries;
      std::uint64_t through = 0;
      if (!server_->window().Read(next_, 512, &entries, &through)) {
        through = std::min(through, next_ + 511);
        // Only the changes this session may send have their person's state read.
        const auto may_pass = [this](const LogChange& change) {
          return ChangeMayPass(change, plan_.filter, caller_);
        };
        for (auto& change : ReadLogChanges(*server_->models().store, next_, through, 512,
                                           "subscription", may_pass)) {
          entries.push_back(std::make_shared<const ChangeWindow::Entry>(std::move(change)));
        }
      }
      if (through < next_)
        return false;
      next_ = through + 1;
      pending_.assign(entries.begin(), entries.end());
    }
    return true;
  }

  // Everything up to next_ - 1 has been looked at.
  void Idle() {
    const std::uint64_t through = next_ - 1;
    if (through < server_->committed())
      return;  // the window has yet to read the rest: it wakes us when it has
    if (!caught_up_) {
      caught_up_ = true;
      told_ = through;
      Write(CaughtUpMessage(through), false);
      return;
    }
    // Records the filter left out still move the cursor: say so now and then, so that a
    // subscriber resumes from here rather than from its last match.
    if (through > std::max(told_, last_sent_) &&
        SteadyClock::now() - told_at_ > std::chrono::seconds(5)) {
      told_ = through;
      told_at_ = SteadyClock::now();
      Write(PositionMessage(through), false);
    }
  }

  void Write(std::string message, bool live) {
    writing_ = true;
    out_ = std::move(message);
    const auto started = server_->committed_at();
    write_timer_.expires_after(server_->options().subscriber_write_timeout);
    // The write's number: a timer that expired as its write completed must not cut off the next.
    write_timer_.async_wait(
        [self = this->shared_from_this(), write = ++writes_](beast::error_code ec) {
          if (!ec && self->writing_ && self->writes_ == write) {
            // It took no message for too long: it cannot be sent a close frame either.
            ++self->server_->metrics().subscribers_cut_off;
            spdlog::warn("subscription.cut_off token={} reason=\"not reading\" last_sequence={}",
                         self->caller_.token_id, self->last_sent_);
            beast::get_lowest_layer(self->ws_).close();
          }
        });
    ws_.text(true);
    ws_.async_write(net::buffer(out_), [self = this->shared_from_this(), live, started](
                                           beast::error_code ec, std::size_t) {
      self->writing_ = false;
      self->write_timer_.cancel();
      if (ec) {
        self->closed_ = true;
        return;
      }
      ++self->server_->metrics().messages_sent;
      if (live)
        self->server_->metrics().subscriptions.RecordSince(started);
      if (self->pending_close_) {
        const websocket::close_reason reason = *self->pending_close_;
        self->pending_close_.reset();
        self->ws_.async_close(reason, [self](beast::error_code) { self->closed_ = true; });
        return;
      }
      self->Pump();
    });
  }

  void CutOff(const std::string& why) {
    ++server_->metrics().subscribers_cut_off;
    spdlog::warn("subscription.cut_off token={} reason=\"{}\" last_sequence={}", caller_.token_id,
                 why, last_sent_);
    Close(websocket::close_code::policy_error,
          fmt::format("{}; last delivered sequence {}", why, last_sent_));
  }

  void Close(websocket::close_code code, std::string reason) {
    if (closing_ || closed_)
      return;
    closing_ = true;
    if (reason.size() > 120)
      reason.resize(120);  // a close frame carries at most 123 bytes of reason
    if (writing_) {
      // After the write in flight: a WebSocket stream takes one write at a time.
      pending_close_ = websocket::close_reason(code, reason);
      return;
    }
    ws_.async_close(websocket::close_reason(code, reason),
                    [self = this->shared_from_this()](beast::error_code) { self->closed_ = true; });
  }

  Impl* server_;
  websocket::stream<Stream> ws_;
  net::steady_timer write_timer_;
  Caller caller_;
  SubscriptionPlan plan_;
  std::uint64_t next_;                                              // the next sequence to fetch
  std::deque<std::shared_ptr<const ChangeWindow::Entry>> pending_;  // fetched, not yet looked at
  std::uint64_t last_sent_ = 0;
  std::uint64_t writes_ = 0;
  std::uint64_t told_ = 0;  // the last position or caught_up sent
  SteadyClock::time_point told_at_{};
  std::shared_ptr<ConnectionCount> count_;
  beast::flat_buffer in_;
  std::string out_;
  std::deque<std::string> alerts_;
  std::optional<websocket::close_reason> pending_close_;
  bool accepted_ = false;
  bool writing_ = false;
  bool caught_up_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

// ---------------------------------------------------------------------------------------------
// HTTP sessions: one per connection.

HttpRequest ToRequest(const http::request<http::string_body>& r) {
  HttpRequest out;
  out.method = std::string(r.method_string());
  out.target = std::string(r.target());
  for (const auto& field : r) {
    std::string name(field.name_string());
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = r.body();
  return out;
}

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  HttpSession(Impl* server, Stream&& stream)
      : server_(server),
        stream_(std::move(stream)),
        timer_(stream_.get_executor()),
        count_(std::make_shared<ConnectionCount>(&server->metrics())) {}

  ~HttpSession() {
    NotWaiting();
    if (!token_.empty())
      server_->ReleaseConnection(token_);
  }

  void Start() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(server_->options().read_timeout);
      Waiting();
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                self->NotWaiting();
                                if (!ec)
                                  self->Read();
                              });
    } else {
      net::dispatch(stream_.get_executor(),
                    beast::bind_front_handler(&HttpSession::Read, this->shared_from_this()));
    }
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options().header_limit));
    parser_->body_limit(server_->options().body_limit);
    beast::get_lowest_layer(stream_).expires_after(server_->options().read_timeout);
    Waiting();
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::OnRead, this->shared_from_this()));
  }

  // Waiting for a request (or, with TLS, the handshake): at the connection cap, the connection
  // that has waited longest is closed to make room for a new one.
  void Waiting() {
    NotWaiting();  // one ticket at a time
    std::weak_ptr<HttpSession> weak = this->shared_from_this();
    waiting_ticket_ = server_->Waiting([weak](std::uint64_t ticket) {
      if (auto self = weak.lock()) {
        net::post(self->stream_.get_executor(), [self, ticket] {
          // Unless its request came meanwhile: then the cap is passed by one, for a while.
          if (self->waiting_ticket_ == ticket)
            beast::get_lowest_layer(self->stream_).close();  // the pending read ends, aborted
        });
      }
    });
  }
  void NotWaiting() {
    if (waiting_ticket_ != 0)
      server_->NotWaiting(std::exchange(waiting_ticket_, 0));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    NotWaiting();
    if (ec == http::error::header_limit) {
      return Fail(
          431, "request_header_fields_too_large",
          fmt::format("the request's header is over {} bytes", server_->options().header_limit));
    }
    if (ec == http::error::body_limit) {
      return Fail(
          413, "payload_too_large",
          fmt::format("the request's body is over {} bytes", server_->options().body_limit));
    }
    if (ec == beast::error::timeout) {
      // A request that did not arrive whole in time (a slow or stalled client): not answered,
      // as the client may be sending still; counted.
      if (parser_->got_some())
        ++server_->metrics().timeouts;
      return Shutdown();
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted) {
      return Shutdown();
    }
    if (ec)
      return Fail(400, "bad_request", "the request is not valid HTTP/1.1: " + ec.message());
    started_ = SteadyClock::now();
    request_ = parser_->release();
    if (!BindToken()) {
      request_.keep_alive(false);
      HttpResponse refusal = ErrorResponse(
          429, "too_many_connections",
          fmt::format("this token has {} connections open already: reuse them (keep-alive)",
                      server_->options().max_connections_per_token));
      AuditRefusal(server_->models(), ToRequest(request_), "connect",
                   std::string(request_.target()), refusal.status);
      return Answer(std::move(refusal));
    }
    if (websocket::is_upgrade(request_))
      return Upgrade();
    Answer(Route(ToRequest(request_), server_->models()));
  }

  // A connection counts against the first valid token it carries, for as long as it is open.
  // False when that token holds its cap already.
  bool BindToken() {
    if (!token_.empty())
      return true;
    const auto auth = request_.find(http::field::authorization);
    if (auth == request_.end() || server_->models().tokens == nullptr)
      return true;
    std::string_view value = auth->value();
    if (!value.starts_with("Bearer ") && !value.starts_with("bearer "))
      return true;
    auto caller = server_->models().tokens->Authenticate(
        value.substr(7), events::DateOf(server_->models().clock->Now()));
    if (!caller.ok())
      return true;  // the router refuses it, and audits that
    if (!server_->TakeConnection(caller->token_id))
      return false;
    token_ = caller->token_id;
    return true;
  }

  // GET /v1/subscribe, upgraded.
  void Upgrade() {
    const HttpRequest request = ToRequest(request_);
    auto target = ParseTarget(request.target);
    if (!target.ok()) {
      AuditRefusal(server_->models(), request, "subscribe", request.target, 400);
      return Answer(ErrorResponse(400, "invalid_argument", target.status().message(), "target"));
    }
    if (target->segments != std::vector<std::string>{"v1", "subscribe"}) {
      AuditRefusal(server_->models(), request, "subscribe", request.target, 404);
      return Answer(ErrorResponse(404, "not_found", "subscribe at /v1/subscribe"));
    }
    Authenticated auth = Authenticate(request, *target, server_->models(), "subscribe");
    if (!auth.caller)
      return Answer(auth.refusal);
    const Caller& caller = *auth.caller;
    if (!caller.role->read_persons) {
      Audit(server_->models(), &caller, "subscribe", "", 0, 403, request);
      return Answer(ErrorResponse(
          403, "forbidden", fmt::format("your role ({}) may not subscribe", caller.role->name)));
    }
    auto plan = PlanSubscription(*target, *server_->models().store, caller);
    if (!plan.ok()) {
      const int status = plan.status().IsAborted() ? 403 : plan.status().IsNotFound() ? 404 : 400;
      Audit(server_->models(), &caller, "subscribe", target->Param("persons"), 0, status, request);
      return Answer(ErrorResponse(status, status == 403 ? "forbidden" : "invalid_argument",
                                  plan.status().message()));
    }
    if (!server_->TakeSubscription(caller.token_id)) {
      Audit(server_->models(), &caller, "subscribe", "", 0, 429, request);
      return Answer(
          ErrorResponse(429, "too_many_subscriptions",
                        fmt::format("this token has {} subscriptions open already: close one first",
                                    server_->options().max_subscriptions_per_token)));
    }
    Audit(server_->models(), &caller, "subscribe", fmt::format("subscribe from {}", plan->from), 0,
          101, request);
    beast::get_lowest_layer(stream_).expires_never();
    if constexpr (!kTls) {
      // To the subscribers' own thread: on the request threads, behind a queue of busy
      // connections, a subscriber got one message per turn of the queue and fell behind.
      tcp::socket socket = stream_.release_socket();
      beast::error_code ec;
      const auto protocol = socket.local_endpoint(ec).protocol();
      tcp::socket moved(net::make_strand(server_->subscriber_ioc()));
      if (!ec) {
        auto handle = socket.release(ec);
        if (!ec)
          moved.assign(protocol, handle, ec);
      }
      if (ec) {
        server_->ReleaseSubscription(caller.token_id);
        spdlog::warn("subscription.failed token={} error=\"{}\"", caller.token_id, ec.message());
        return;
      }
      std::make_shared<WebSocketSession<Stream>>(server_, beast::tcp_stream(std::move(moved)),
                                                 caller, std::move(*plan), count_)
          ->Start(std::move(request_));
    } else {
      // A TLS stream cannot change its executor: its subscribers share the request threads.
      std::make_shared<WebSocketSession<Stream>>(server_, std::move(stream_), caller,
                                                 std::move(*plan), count_)
          ->Start(std::move(request_));
    }
  }

  void Answer(HttpResponse response) {
    if (response.wait_for_sequence) {
      const std::uint64_t wanted = *response.wait_for_sequence;
      if (!waiting_since_)
        waiting_since_ = SteadyClock::now();
      if (SteadyClock::now() - *waiting_since_ < server_->options().min_seq_wait) {
        timer_.expires_after(std::chrono::milliseconds(10));
        timer_.async_wait([self = this->shared_from_this(), wanted](beast::error_code ec) {
          if (ec)
            return;
          self->Answer(Route(ToRequest(self->request_), self->server_->models()));
        });
        return;
      }
      response = ErrorResponse(
          503, "not_caught_up",
          fmt::format("the views have not reached sequence {} yet (they are at {}): try again",
                      wanted, server_->models().store->state().next_sequence - 1));
      response.headers.emplace_back("Retry-After", "1");
    }
    waiting_since_.reset();
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), request_.version());
    res->set(http::field::server, "throughline");
    res->set(http::field::content_type, response.content_type);
    res->set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : response.headers)
      res->set(name, value);
    res->keep_alive(request_.keep_alive());
    res->body() = std::move(response.body);
    res->prepare_payload();
    const int status = response.status;
    http::async_write(
        stream_, *res,
        [self = this->shared_from_this(), res, status](beast::error_code ec, std::size_t) {
          self->Count(status);
          if (ec || !res->keep_alive())
            return self->Shutdown();
          self->Read();
        });
  }

  // Answers a request that could not be read, then closes. Audited: what of the request was
  // read (the fields of a header whose body is over the limit; none of a header over its own)
  // says who asked, when it can.
  void Fail(int status, std::string_view code, std::string message) {
    HttpRequest partial;
    if (parser_)
      partial = ToRequest(parser_->get());
    AuditRefusal(server_->models(), partial, "http",
                 partial.target.empty() ? message : partial.target, status);
    request_ = {};
    request_.version(11);
    request_.keep_alive(false);
    started_ = SteadyClock::now();
    Answer(ErrorResponse(status, code, message));
  }

  void Count(int status) {
    HttpMetrics& m = server_->metrics();
    m.requests.RecordSince(started_);
    if (status < 300)
      ++m.responses_2xx;
    else if (status < 500)
      ++m.responses_4xx;
    else
      ++m.responses_5xx;
  }

  void Shutdown() {
    beast::error_code ec;
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Impl* server_;
  Stream stream_;
  net::steady_timer timer_;
  std::uint64_t waiting_ticket_ = 0;  // Impl::Waiting's, while waiting for a request
  std::shared_ptr<ConnectionCount> count_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  SteadyClock::time_point started_;
  std::optional<SteadyClock::time_point> waiting_since_;
  std::string token_;  // the token this connection counts against, once known
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// The listener.

Status Impl::Listen() {
  if (tls()) {
    beast::error_code ec;
    ssl_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ssl_.use_certificate_chain_file(options_.tls_certificate, ec);
    if (!ec)
      ssl_.use_private_key_file(options_.tls_private_key, ssl::context::pem, ec);
    if (ec) {
      return Status::InvalidArgument(
          fmt::format("TLS: cannot use the certificate {} and key {}: {}", options_.tls_certificate,
                      options_.tls_private_key, ec.message()));
    }
  }
  const auto colon = options_.listen.rfind(':');
  if (colon == std::string::npos)
    return Status::InvalidArgument("--listen: expected host:port, e.g. 127.0.0.1:8080");
  beast::error_code ec;
  const auto host = net::ip::make_address(options_.listen.substr(0, colon), ec);
  unsigned port = 0;
  try {
    port = static_cast<unsigned>(std::stoul(options_.listen.substr(colon + 1)));
  } catch (...) {
    ec = net::error::invalid_argument;
  }
  if (ec || port > 65535) {
    return Status::InvalidArgument(
        fmt::format("--listen: \"{}\" is not host:port (e.g. 127.0.0.1:8080)", options_.listen));
  }
  const tcp::endpoint endpoint(host, static_cast<unsigned short>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor_.bind(endpoint, ec);
  if (!ec)
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError(fmt::format("cannot listen on {}: {} (is the port in use?)",
                                       options_.listen, ec.message()));
  }
  const tcp::endpoint bound = acceptor_.local_endpoint();
  address_ = fmt::format("{}:{}", bound.address().to_string(), bound.port());
  return Status::OK();
}

void Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != net::error::operation_aborted && !stopped_)
        Accept();
      return;
    }
    if (metrics_.connections >= options_.max_connections) {
      if (!EvictLongestWaiting()) {
        ++metrics_.connections_refused;
        socket.close(ec);
        Accept();
        return;
      }
      ++metrics_.connections_evicted;
    }
    if (tls()) {
      std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(
          this, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), ssl_))
          ->Start();
    } else {
      std::make_shared<HttpSession<beast::tcp_stream>>(this, beast::tcp_stream(std::move(socket)))
          ->Start();
    }
    Accept();
  });
}

void Impl::Run() {
  window_ = std::make_unique<ChangeWindow>(models_.store, options_.subscription_window,
                                           [this] { WakeAll(); });
  Accept();
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this, i] {
      NameThisThread("tl-http-" + std::to_string(i));
      if (options_.realtime_threads)
        RaiseToRealtimePriority();
      ioc_.run();
    });
  }
  threads_.emplace_back([this, work = net::make_work_guard(subscriber_ioc_)] {
    NameThisThread("tl-subscribers");
    if (options_.realtime_threads)
      RaiseToRealtimePriority();
    subscriber_ioc_.run();
  });
}

void Impl::Stop() {
  if (stopped_.exchange(true))
    return;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  for (const auto& s : Live())
    s->Shutdown();
  // Give subscribers their close frames, then stop whatever is left.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ioc_.stop();
  subscriber_ioc_.stop();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
  window_->Stop();
}

// ---------------------------------------------------------------------------------------------

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                      ReadModels models) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(models));
  if (Status s = impl->Listen(); !s.ok())
    return s;
  impl->Run();
  spdlog::info("http.listening address={} tls={}", impl->address(), impl->tls());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::Stop() {
  if (impl_)
    impl_->Stop();
}
std::string HttpServer::address() const { return impl_->address(); }
bool HttpServer::tls() const { return impl_->tls(); }
const HttpMetrics& HttpServer::metrics() const { return impl_->metrics(); }
void HttpServer::Committed(std::uint64_t last_sequence, std::vector<LogChange> changes) {
  impl_->Committed(last_sequence, std::move(changes));
}
bool HttpServer::WantsChanges() const { return impl_->HasSubscribers(); }
void HttpServer::AlertsRaised(const std::vector<projections::Alert>& alerts) {
  impl_->AlertsRaised(alerts);
}

void HttpServer::WritePrometheus(std::string* out) const {
  const HttpMetrics& m = impl_->metrics();
  auto counter = [&](std::string_view name, std::string_view help, std::string_view labels,
                     std::uint64_t v) {
    fmt::format_to(std::back_inserter(*out), "# HELP {} {}\n# TYPE {} counter\n{}{} {}\n", name,
                   help, name, name, labels, v);
  };
  auto gauge = [&](std::string_view name, std::string_view help, std::uint64_t v) {
    fmt::format_to(std::back_inserter(*out), "# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help,
                   name, name, v);
  };
  fmt::format_to(std::back_inserter(*out),
                 "# HELP throughline_http_responses_total HTTP responses by status class\n"
                 "# TYPE throughline_http_responses_total counter\n"
                 "throughline_http_responses_total{{class=\"2xx\"}} {}\n"
                 "throughline_http_responses_total{{class=\"4xx\"}} {}\n"
                 "throughline_http_responses_total{{class=\"5xx\"}} {}\n",
                 m.responses_2xx.load(), m.responses_4xx.load(), m.responses_5xx.load());
  m.requests.WritePrometheus("throughline_http_request_seconds",
                             "From request read to response written", out);
  m.subscriptions.WritePrometheus("throughline_subscription_delivery_seconds",
                                  "From batch committed to change sent", out);
  gauge("throughline_http_connections", "Connections open", m.connections.load());
  counter("throughline_http_connections_refused_total",
          "Connections refused at the cap, none other waiting for a request", "",
          m.connections_refused.load());
  counter("throughline_http_connections_evicted_total",
          "Connections closed at the cap for a new one, having waited longest for a request", "",
          m.connections_evicted.load());
  counter("throughline_http_request_timeouts_total",
          "Connections closed as their request did not arrive whole in time", "",
          m.timeouts.load());
  gauge("throughline_subscribers", "Live subscriptions", m.subscribers.load());
  counter("throughline_subscribers_cut_off_total", "Subscribers cut off as too slow", "",
          m.subscribers_cut_off.load());
  counter("throughline_subscription_messages_total", "Messages sent to subscribers", "",
          m.messages_sent.load());
}

}  // namespace throughline::services
