// The only translation unit that includes Boost.Beast and Boost.Asio: they
// cost most of the hub's compile time, and nothing else needs them.
#include "server.h"

#include <array>
#include <charconv>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <pthread.h>

#include <csignal>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "access_log.h"

namespace hub {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

class Session;

// After an error reply the client may still be sending the body we refused;
// closing with unread data makes the kernel send RST, which can destroy the
// reply before the client reads it. So: shut down our side, read and discard
// for a while, then close.
constexpr std::chrono::seconds kLingerTime{1};
constexpr std::size_t kLingerMaxBytes = 1 << 20;
// While draining, how often to look whether the last connection is gone.
constexpr std::chrono::milliseconds kDrainTick{20};
// After the drain deadline connections are closed; this much later the I/O
// loop stops even if something still holds it.
constexpr std::chrono::seconds kHardStopAfterDeadline{1};

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string endpoint_string(const tcp::endpoint& ep) {
  const auto address = ep.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

class Core {
 public:
  Core(ServerOptions options, AsyncRequestHandler handler)
      : options(std::move(options)),
        handler(std::move(handler)),
        pool(this->options.worker_threads ? this->options.worker_threads : 1) {}

  ~Core() {
    join_loops(/*force=*/true);  // run() never ran, or threw
    // Handlers queued on the pool post back to the io_context: stop them
    // before it goes away (declaration order destroys pool first anyway).
    pool.stop();
    pool.join();
  }

  void listen();
  void start_accepting();
  void begin_stop();
  void add(const std::shared_ptr<Session>& session);
  void remove(Session* session);
  void access(std::string_view remote, std::string_view method, std::string_view target, int status,
              SteadyClock::time_point started);
  void error(const std::string& line) {
    if (options.error_log) options.error_log(line);
  }

  ServerOptions options;
  AsyncRequestHandler handler;
  std::atomic<bool> stopping{false};

  // Declared before the io_context: its pending handlers own sessions,
  // whose destructors unregister here.
  std::mutex sessions_mutex;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  // Replies answered from other threads (the store's writer answers a whole
  // batch at once) wait here for their loop: a loop that is busy is woken
  // once for all the replies that came meanwhile, not once per reply (an
  // idle loop may take them one by one; holding the wake-up to the end of
  // the batch measured no faster, docs/benchmarks.md). One per loop, in the
  // loops' order.
  struct Mailbox {
    std::mutex mutex;
    std::vector<std::pair<std::shared_ptr<Session>, Response>> replies;
    bool scheduled = false;
  };
  std::vector<std::unique_ptr<Mailbox>> mailboxes;

  net::io_context ioc{1};
  // More event loops when options.io_threads > 1, each run by one thread:
  // accepted connections go to them in turn (ioc takes its share too).
  std::vector<std::unique_ptr<net::io_context>> more_loops;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> loop_guards;
  std::vector<std::thread> loop_threads;
  std::size_t next_loop = 0;
  net::io_context& loop(std::size_t i) { return i == 0 ? ioc : *more_loops[i - 1]; }
  std::size_t loop_for_next_connection() { return next_loop++ % (more_loops.size() + 1); }
  void start_loops() {
    for (std::size_t i = 1; i < options.io_threads; ++i) {
      more_loops.push_back(std::make_unique<net::io_context>(1));
      loop_guards.push_back(net::make_work_guard(*more_loops.back()));
    }
    while (mailboxes.size() < more_loops.size() + 1) mailboxes.push_back(std::make_unique<Mailbox>());
    for (auto& loop : more_loops) {
      loop_threads.emplace_back([&loop] {
        pthread_setname_np(pthread_self(), "hub-io");
        loop->run();
      });
    }
  }
  // After ioc's run() returned: sessions are gone, the other loops finish.
  void join_loops(bool force) {
    for (auto& guard : loop_guards) guard.reset();
    if (force) {
      for (auto& loop : more_loops) loop->stop();
    }
    for (std::thread& t : loop_threads) t.join();
    loop_threads.clear();
  }
  tcp::acceptor acceptor{ioc};
  tcp::endpoint local;
  net::signal_set signals{ioc};
  net::steady_timer accept_retry{ioc};
  net::steady_timer drain_timer{ioc};
  SteadyClock::time_point drain_deadline;
  bool forced = false;
  bool drained = false;
  net::thread_pool pool;

 private:
  void do_accept();
  void wait_for_signal();
  void drain_tick();
  std::vector<std::shared_ptr<Session>> live_sessions();
};

// A session's socket and stream name their loop's executor type: Beast's
// default (any_io_executor) copies and destroys a type-erased executor in
// every read and write step (5 % of the hub's CPU under load).
using LoopExecutor = net::io_context::executor_type;
using LoopSocket = net::basic_stream_socket<tcp, LoopExecutor>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(LoopSocket&& socket, Core& core, Core::Mailbox& mailbox)
      : stream_(std::move(socket)), core_(core), mailbox_(mailbox) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? "-" : endpoint_string(ep);
    // A reply is one write: send it at once, never held back for an ACK
    // (Nagle), as nginx does on keep-alive connections.
    stream_.socket().set_option(tcp::no_delay(true), ec);
    // Replies are first tried with a write that must not wait (write()).
    stream_.socket().non_blocking(true, ec);
  }
  ~Session() { core_.remove(this); }

  void start() {
    core_.add(shared_from_this());
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::wait_for_request, shared_from_this()));
  }

  // Stop keeping the connection alive; if it is between requests, close now.
  void drain() {
    draining_ = true;
    if (phase_ == Phase::kIdle) stream_.cancel();
  }

  LoopExecutor executor() { return stream_.get_executor(); }

  void force_close() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kClosing };

  bool keep_serving() const { return !draining_ && !core_.stopping; }

  // Idle until the first byte of the next request, so a drain can tell a
  // waiting connection (closed at once) from one with a request under way
  // (served to the end).
  void wait_for_request() {
    if (!keep_serving()) return close(false);
    if (buffer_.size() > 0) return read_header();  // pipelined: already here
    phase_ = Phase::kIdle;
    stream_.expires_after(core_.options.read_timeout);
    stream_.async_read_some(
        buffer_.prepare(4096),
        beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    if (ec == net::error::eof || ec == net::error::operation_aborted ||
        ec == beast::error::timeout) {
      return close(false);  // the client is done, we are draining, or it idled out
    }
    if (ec) return fail(ec, "read");
    buffer_.commit(n);
    read_header();
  }

  void read_header() {
    phase_ = Phase::kReading;
    started_ = SteadyClock::now();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(core_.options.header_limit));
    parser_->body_limit(core_.options.body_limit);
    // A request nearly always arrives whole in one read: parse it from the
    // buffer now. An asynchronous read would complete through the loop's
    // queue, behind every other ready handler, and set a timer.
    if (buffer_.size() > 0) {
      parser_->eager(true);
      beast::error_code ec;
      buffer_.consume(parser_->put(buffer_.data(), ec));
      if (!ec && parser_->is_done()) return dispatch();
      if (ec && ec != http::error::need_more) return on_read_error(ec);
    }
    stream_.expires_after(core_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
      // curl sends this for bodies over 1 KiB and waits a second for it.
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code wec, std::size_t) {
                         if (wec) return self->fail(wec, "write 100-continue");
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(core_.options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    dispatch();
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == http::error::partial_message) {
      return close(false);  // gone between or in the middle of requests
    }
    if (ec == beast::error::timeout) {
      core_.error(remote_ + " read timeout: closed a request that took longer than " +
                  std::to_string(core_.options.read_timeout.count()) + " ms");
      return close(false);
    }
    if (ec == http::error::body_limit) return reject(413, "Request body too large");
    if (ec == http::error::header_limit) return reject(431, "Request header fields too large");
    if (is_http_error(ec)) return reject(400, "Malformed HTTP request: " + ec.message());
    fail(ec, "read");
  }

  // A reply the parser forces (the handler never saw the request); the
  // connection cannot be trusted to be in step, so it closes.
  void reject(int status, std::string message) {
    // Whatever of the request line was parsed (a body_limit error comes
    // from the Content-Length field, after the request line).
    log_method_.clear();
    log_target_.clear();
    if (parser_) {
      log_method_ = std::string(parser_->get().method_string());
      log_target_ = std::string(parser_->get().target());
    }
    write(json_error(status, message), /*close=*/true, /*linger=*/true);
  }

  void dispatch() {
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    Request request;
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    request.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
    for (const auto& field : msg) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(msg.body());
    request.remote = remote_;
    log_method_ = request.method;
    log_target_ = request.target;
    phase_ = Phase::kHandling;
    // The reply comes back to this session's executor from whichever thread
    // answers. The work guard keeps the I/O loop alive until it is posted.
    Respond respond = [self = shared_from_this(),
                       work = net::make_work_guard(stream_.get_executor())](Response response) mutable {
      Core::Mailbox& box = self->mailbox_;
      bool wake;
      {
        std::lock_guard<std::mutex> lock(box.mutex);
        wake = !box.scheduled;
        box.scheduled = true;
        box.replies.emplace_back(self, std::move(response));
      }
      if (wake) net::post(self->stream_.get_executor(), [&box] { deliver(box); });
    };
    if (core_.options.runs_inline && core_.options.runs_inline(request)) {
      return handle(request, std::move(respond));
    }
    // The handler may wait (a read, or a synchronous handler waiting for a
    // commit): run it on the pool, never here.
    net::post(core_.pool, [self = shared_from_this(), request = std::move(request),
                           respond = std::move(respond)]() mutable {
      self->handle(request, std::move(respond));
    });
  }

  // On the loop's thread: writes every reply waiting in the loop's mailbox.
  static void deliver(Core::Mailbox& box) {
    std::vector<std::pair<std::shared_ptr<Session>, Response>> replies;
    {
      std::lock_guard<std::mutex> lock(box.mutex);
      replies.swap(box.replies);
      box.scheduled = false;
    }
    for (auto& [session, response] : replies) {
      session->write(std::move(response), /*close=*/false, /*linger=*/false);
    }
  }

  void handle(const Request& request, Respond respond) {
    // A handler that throws has not answered (handlers answer last).
    try {
      core_.handler(request, respond);
    } catch (const std::exception& e) {
      core_.error(remote_ + " handler failed: " + e.what());
      respond(json_error(500, "Internal error"));
    }
  }

  // The reply is serialized here, into buffers the session keeps, and sent
  // with one gather write: Beast's response type allocates every field and
  // its serializer costs more than the hub's whole trigger handling.
  void write(Response response, bool close, bool linger) {
    phase_ = Phase::kWriting;
    close = close || !keep_alive_ || !keep_serving();
    status_ = response.status;
    head_.clear();
    head_ += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    append_number(head_, static_cast<unsigned long>(response.status));
    head_ += ' ';
    const auto reason = http::obsolete_reason(static_cast<http::status>(response.status));
    head_.append(reason.data(), reason.size());
    head_ += "\r\nServer: buttonhook-hub\r\n";
    if (!response.content_type.empty()) append_field(head_, "Content-Type", response.content_type);
    for (const auto& [name, value] : response.headers) append_field(head_, name, value);
    head_ += "Content-Length: ";
    append_number(head_, response.body.size());
    head_ += "\r\n";
    // What Beast's keep_alive() writes: 1.1 says when it closes, 1.0 when it stays.
    if (version_ >= 11 && close) head_ += "Connection: close\r\n";
    if (version_ == 10 && !close) head_ += "Connection: keep-alive\r\n";
    head_ += "\r\n";
    body_ = std::move(response.body);
    const std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
    // A reply nearly always fits in the socket's send buffer: send it now
    // (the socket is non-blocking) and go on without an asynchronous
    // write's round through the loop's queue; the rest, if any, is written
    // asynchronously.
    beast::error_code ec;
    const std::size_t sent = stream_.socket().write_some(buffers, ec);
    const bool full = ec == net::error::would_block || ec == net::error::try_again;
    if (!full && (ec || sent == head_.size() + body_.size())) {
      return on_write(close, linger, ec, sent);
    }
    beast::buffers_suffix<std::array<net::const_buffer, 2>> rest(buffers);
    rest.consume(sent);  // 0 when the buffer was full
    stream_.expires_after(core_.options.read_timeout);  // a client that never reads
    net::async_write(stream_, rest,
                     beast::bind_front_handler(&Session::on_write, shared_from_this(), close, linger));
  }

  static void append_number(std::string& out, unsigned long n) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
  }

  static void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out += ": ";
    out.append(value);
    out += "\r\n";
  }

  void on_write(bool close, bool linger, beast::error_code ec, std::size_t) {
    core_.access(remote_, log_method_, log_target_, status_, started_);
    if (ec) return fail(ec, "write");
    if (close) return this->close(linger);
    version_ = 11;
    wait_for_request();
  }

  void close(bool linger) {
    phase_ = Phase::kClosing;
    beast::error_code ec;
    stream_.socket().shutdown(LoopSocket::shutdown_send, ec);
    if (!linger || ec) return;  // the socket closes when the last handler lets go
    stream_.expires_after(kLingerTime);
    discard_until_eof();
  }

  void discard_until_eof() {
    stream_.async_read_some(net::buffer(linger_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (!ec && self->lingered_ < kLingerMaxBytes)
                                self->discard_until_eof();
                            });
  }

  void fail(beast::error_code ec, const char* what) {
    if (ec != net::error::operation_aborted) {
      core_.error(remote_ + " " + what + ": " + ec.message());
    }
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  beast::basic_stream<tcp, LoopExecutor> stream_;
  Core& core_;
  Core::Mailbox& mailbox_;  // of this session's loop
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string head_, body_;  // the reply being written
  Phase phase_ = Phase::kIdle;
  bool draining_ = false;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  int status_ = 0;
  SteadyClock::time_point started_ = SteadyClock::now();
  std::string log_method_, log_target_;
  std::array<char, 4096> linger_buffer_{};
  std::size_t lingered_ = 0;
};

void Core::listen() {
  beast::error_code ec;
  const std::string shown = options.host + ":" + std::to_string(options.port);
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(options.host, std::to_string(options.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    throw std::runtime_error("cannot listen on " + shown + ": " +
                             (ec ? ec.message() : "no such address"));
  }
  const tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (!ec) local = acceptor.local_endpoint(ec);
  if (ec) throw std::runtime_error("cannot listen on " + shown + ": " + ec.message());

  if (options.handle_signals) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    wait_for_signal();
  }
}

void Core::wait_for_signal() {
  signals.async_wait([this](beast::error_code ec, int) {
    if (ec) return;
    if (stopping) {
      // A second signal: stop waiting for the drain.
      drain_deadline = SteadyClock::now();
    } else {
      begin_stop();
    }
    // Listening on would keep run() from returning once the drain is over.
    if (!drained) wait_for_signal();
  });
}

void Core::start_accepting() {
  if (!stopping) do_accept();
}

void Core::do_accept() {
  // No strand per connection: one thread runs each io_context, so a
  // session's handlers never run concurrently; handlers on other threads
  // (the pool, the store's writer) reach a session only through post().
  const std::size_t i = loop_for_next_connection();
  // Accepting into a loop's context gives a socket of that loop's executor type.
  acceptor.async_accept(loop(i), [this, i](beast::error_code ec, LoopSocket socket) {
    if (ec == net::error::operation_aborted || stopping) return;
    if (ec) {
      // Out of descriptors and the like: say so, breathe, try again.
      error(std::string("accept: ") + ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](beast::error_code wec) {
        if (!wec && !stopping) do_accept();
      });
      return;
    }
    std::make_shared<Session>(std::move(socket), *this, *mailboxes[i])->start();
    do_accept();
  });
}

std::vector<std::shared_ptr<Session>> Core::live_sessions() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard<std::mutex> lock(sessions_mutex);
  for (auto& [raw, weak] : sessions) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

void Core::add(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(sessions_mutex);
  sessions[session.get()] = session;
}

void Core::remove(Session* session) {
  std::lock_guard<std::mutex> lock(sessions_mutex);
  sessions.erase(session);
}

void Core::begin_stop() {
  if (stopping.exchange(true)) return;
  beast::error_code ec;
  acceptor.close(ec);
  accept_retry.cancel();
  for (auto& s : live_sessions()) {
    net::post(s->executor(), [s] { s->drain(); });
  }
  drain_deadline = SteadyClock::now() + options.drain_timeout;
  drain_tick();
}

void Core::drain_tick() {
  bool empty;
  {
    std::lock_guard<std::mutex> lock(sessions_mutex);
    empty = sessions.empty();
  }
  const auto now = SteadyClock::now();
  if (empty) {
    drained = true;
    signals.cancel();  // nothing left: let run() return
    return;
  }
  if (!forced && now >= drain_deadline) {
    forced = true;
    error("drain: closing connections still open after " +
          std::to_string(options.drain_timeout.count()) + " ms");
    for (auto& s : live_sessions()) {
      net::post(s->executor(), [s] { s->force_close(); });
    }
  }
  if (forced && now >= drain_deadline + kHardStopAfterDeadline) {
    drained = true;
    ioc.stop();
    for (auto& loop : more_loops) loop->stop();
    return;
  }
  drain_timer.expires_after(kDrainTick);
  drain_timer.async_wait([this](beast::error_code ec) {
    if (!ec) drain_tick();
  });
}

void Core::access(std::string_view remote, std::string_view method, std::string_view target,
                  int status, SteadyClock::time_point started) {
  if (!options.access_log) return;
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started).count();
  options.access_log(access_line(remote, method, target, status, micros));
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, AsyncRequestHandler handler)
      : core(std::move(options), std::move(handler)) {}
  Core core;
};

Server::Server(ServerOptions options, AsyncRequestHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {
  impl_->core.listen();
}

Server::Server(ServerOptions options, RequestHandler handler)
    : Server(std::move(options), [handler = std::move(handler)](const Request& request,
                                                                 Respond respond) {
        respond(handler(request));
      }) {}

Server::~Server() = default;

std::uint16_t Server::port() const {
  return impl_->core.local.port();
}

std::string Server::url() const {
  return "http://" + endpoint_string(impl_->core.local);
}

void Server::run() {
  Core& core = impl_->core;
  core.start_loops();
  core.start_accepting();
  core.ioc.run();
  core.join_loops(core.forced);
  core.pool.join();
}

void Server::stop() {
  Core& core = impl_->core;
  net::post(core.ioc, [&core] { core.begin_stop(); });
}

}  // namespace hub
