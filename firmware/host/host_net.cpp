#include "host_net.h"

#include <arpa/inet.h>    // htons, htonl
#include <errno.h>        // errno
#include <netinet/in.h>   // sockaddr_in
#include <netinet/tcp.h>  // TCP_NODELAY
#include <poll.h>         // poll
#include <sys/socket.h>   // socket, connect, send, recv
#include <unistd.h>       // close

#include <algorithm>  // std::transform, std::min
#include <chrono>     // real time of socket operations
#include <string>     // names

#include "fault_proxy.h"
#include "host_tls.h"
#include "host_wlan.h"

namespace bh::host {

namespace {

using RealClock = std::chrono::steady_clock;

// Runs a socket operation with the radio in `state`, then moves virtual time
// on by what it cost: its real duration, or the modelled cost when the Env
// models the network (Env::net_round_trip), or a whole timeout when it
// waited one out.
class Airtime {
 public:
  Airtime(Env& env, RadioState state) : env_(env), start_(RealClock::now()) {
    env_.radio.set_traffic(state);
  }
  // May throw: the virtual board's RST while awake unwinds out of the
  // clock (sim/board.h, arm_press); the board halts the radio then.
  ~Airtime() noexcept(false) {
    uint64_t us = 0;
    if (cost_us_) {
      us = *cost_us_;
    } else if (env_.net_round_trip) {
      us = round_trip_ ? env_.sample_us(*env_.net_round_trip) : 0;
    } else {
      const auto real =
          std::chrono::duration_cast<std::chrono::microseconds>(RealClock::now() - start_).count();
      us = static_cast<uint64_t>(real > 0 ? real : 0);
    }
    env_.clock.advance_us(us);
    env_.radio.set_traffic(RadioState::Off);
  }
  Airtime(const Airtime&) = delete;
  Airtime& operator=(const Airtime&) = delete;

  // A modelled network charges one round trip for this operation.
  void round_trip() { round_trip_ = true; }
  // The operation waited out a timeout: it costs exactly that.
  void timed_out(uint32_t timeout_ms) { cost_us_ = uint64_t(timeout_ms) * 1000; }

 private:
  Env& env_;
  RealClock::time_point start_;
  bool round_trip_ = false;
  std::optional<uint64_t> cost_us_;
};

// poll() for one fd, resuming after signals with the time left.
int poll_one(int fd, short events, uint32_t timeout_ms) {
  const auto deadline = RealClock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    // Rounded up: a timeout never ends early.
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - RealClock::now()).count();
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, left > 0 ? int(left) : 0);
    if (r >= 0) return r;
    if (errno != EINTR) return -1;
  }
}

}  // namespace

sockaddr_in to_sockaddr(const Endpoint& e) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(e.port);
  a.sin_addr.s_addr = htonl(ip_to_u32(e.ip));
  return a;
}

// ---------------------------------------------------------------- Stream --

class HostNet::HostStream final : public Stream {
 public:
  HostStream(Env& env, int fd) : env_(env), fd_(fd) {}
  ~HostStream() { shut(); }
  HostStream(const HostStream&) = delete;
  HostStream& operator=(const HostStream&) = delete;

  int32_t read(uint8_t* buf, size_t len, uint32_t timeout_ms) override {
    if (fd_ < 0) return -int32_t(Err::Closed);
    if (len == 0) return -int32_t(Err::Invalid);
    int32_t n = 0;
    {
      Airtime air(env_, RadioState::Rx);
      if (awaiting_answer_) air.round_trip();
      n = tls_ ? tls_->read(buf, len, timeout_ms) : raw_read(buf, len, timeout_ms);
      if (n == -int32_t(Err::Timeout)) {
        air.timed_out(timeout_ms);
      } else {
        awaiting_answer_ = false;
      }
    }
    if (n > 0 && env_.observer) {
      env_.observer->on_stream(env_.clock.now_us(), this, false,
                               std::string_view(reinterpret_cast<const char*>(buf), size_t(n)));
    }
    return n;
  }

  Err write(const uint8_t* data, size_t len, uint32_t timeout_ms) override {
    if (fd_ < 0) return Err::Closed;
    Err e = Err::Ok;
    {
      Airtime air(env_, RadioState::Tx);
      e = tls_ ? tls_->write(data, len, timeout_ms) : raw_write(data, len, timeout_ms);
      if (e == Err::Timeout) air.timed_out(timeout_ms);
    }
    awaiting_answer_ = true;
    if (e == Err::Ok && env_.observer) {
      env_.observer->on_stream(env_.clock.now_us(), this, true,
                               std::string_view(reinterpret_cast<const char*>(data), len));
    }
    return e;
  }

  void close() override {
    if (tls_ && fd_ >= 0) tls_->close(100);
    closed_ = true;
    shut();
  }

  bool closed() const { return closed_; }
  void shut() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    proxy_.reset();
    tls_.reset();
  }

  // The TLS handshake over this connection, for real; the virtual clock
  // moves by the timing model's handshake (full or resumed), not by the
  // PC's far faster one. On failure the port logs why, as the ESP8266's does.
  Err start_tls(const TlsOptions& opts, uint32_t timeout_ms) {
    tls_ = std::make_unique<TlsClient>(
        [this](uint8_t* b, size_t n, uint32_t t) { return raw_read(b, n, t); },
        [this](const uint8_t* d, size_t n, uint32_t t) { return raw_write(d, n, t); });
    env_.radio.set_traffic(RadioState::Tls);
    const Err e = tls_->handshake(opts, timeout_ms);
    env_.clock.advance_us(env_.sample_us(tls_->resumed() ? env_.timing.tls_resumed
                                                         : env_.timing.tls_full));
    env_.radio.set_traffic(RadioState::Off);
    if (e != Err::Ok) {
      if (env_.observer) env_.observer->on_serial(env_.clock.now_us(), tls_->error());
      tls_.reset();
    }
    return e;
  }
  // The connection goes through the fault proxy from this local port.
  void set_proxy(std::shared_ptr<FaultProxy> proxy, uint16_t local_port) {
    proxy_ = std::move(proxy);
    local_port_ = local_port;
  }

 private:
  // How long one real wait lasts before asking the proxy whether the peer
  // has gone silent for good (hub-slow): short, so a held answer costs
  // almost no real time.
  static constexpr uint32_t kSilenceCheckMs = 1;

  // The byte transport; a TLS stream would wrap these two.
  int32_t raw_read(uint8_t* buf, size_t len, uint32_t timeout_ms) {
    const auto deadline = RealClock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      const ssize_t n = ::recv(fd_, buf, len, MSG_DONTWAIT);
      if (n >= 0) return int32_t(n);
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -int32_t(Err::IoError);
      if (proxy_ && proxy_->silent(local_port_)) return -int32_t(Err::Timeout);
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - RealClock::now()).count();
      if (left <= 0) return -int32_t(Err::Timeout);
      const uint32_t wait =
          proxy_ ? std::min<uint32_t>(uint32_t(left), kSilenceCheckMs) : uint32_t(left);
      const int r = poll_one(fd_, POLLIN, wait);
      if (r < 0) return -int32_t(Err::IoError);
      if (r == 0 && !proxy_) return -int32_t(Err::Timeout);
    }
  }

  Err raw_write(const uint8_t* data, size_t len, uint32_t timeout_ms) {
    const auto deadline = RealClock::now() + std::chrono::milliseconds(timeout_ms);
    size_t sent = 0;
    while (sent < len) {
      const ssize_t n = ::send(fd_, data + sent, len - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        sent += size_t(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return Err::IoError;
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - RealClock::now()).count();
      if (left <= 0) return Err::Timeout;
      const int r = poll_one(fd_, POLLOUT, uint32_t(left));
      if (r < 0) return Err::IoError;
      if (r == 0) return Err::Timeout;
    }
    return Err::Ok;
  }

  Env& env_;
  int fd_;
  bool closed_ = false;
  bool awaiting_answer_ = false;  // a write went out; the next read waits for the answer
  std::shared_ptr<FaultProxy> proxy_;
  uint16_t local_port_ = 0;
  std::unique_ptr<TlsClient> tls_;
};

// ---------------------------------------------------------------- Listener

class HostNet::HostListener final : public Listener {
 public:
  HostListener(HostNet& net, int fd, uint16_t port) : net_(net), fd_(fd), port_(port) {}
  ~HostListener() { shut(); }
  HostListener(const HostListener&) = delete;
  HostListener& operator=(const HostListener&) = delete;

  Stream* accept(uint32_t timeout_ms, Err* err) override {
    Err dummy;
    if (!err) err = &dummy;
    if (fd_ < 0) {
      *err = Err::Closed;
      return nullptr;
    }
    int fd = -1;
    {
      Airtime air(net_.env_, RadioState::Rx);
      const int r = poll_one(fd_, POLLIN, timeout_ms);
      if (r < 0) {
        *err = Err::IoError;
        return nullptr;
      }
      if (r == 0) {
        air.timed_out(timeout_ms);
        *err = Err::Timeout;
        return nullptr;
      }
      fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    }
    if (fd < 0) {
      *err = (errno == EAGAIN || errno == EWOULDBLOCK) ? Err::Timeout : Err::IoError;
      return nullptr;
    }
    return net_.adopt(fd, err);
  }

  void close() override {
    closed_ = true;
    shut();
  }

  bool closed() const { return closed_; }
  uint16_t port() const { return port_; }
  void shut() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  HostNet& net_;
  int fd_;
  uint16_t port_;
  bool closed_ = false;
};

// ---------------------------------------------------------------- Net -----

HostNet::HostNet(Env& env, HostWlan* sta) : env_(env), sta_(sta) {}

HostNet::~HostNet() {
  close_all();
}

bool HostNet::link_up() {
  return sta_ == nullptr || sta_->isconnected();
}

Err HostNet::resolve(StrRef host, Ip4* out, uint32_t timeout_ms) {
  const std::string name(host.data, host.len);
  if (auto literal = parse_ip(name)) {
    *out = *literal;
    return Err::Ok;
  }
  if (!link_up() || name.empty() || name.size() > 253) return Err::DnsFailed;
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  if (lower.back() == '.') lower.pop_back();  // "example.com." is fully qualified
  {
    // One query to the gateway and its answer (or NXDOMAIN).
    env_.radio.set_traffic(RadioState::Rx);
    uint64_t d = env_.sample_us(env_.timing.dns);
    if (d > uint64_t(timeout_ms) * 1000) d = uint64_t(timeout_ms) * 1000;
    env_.clock.advance_us(d);
    env_.radio.set_traffic(RadioState::Off);
  }
  // The resolver is broken (fault): SERVFAIL or no answer, for every name.
  if (env_.world.fault_at(FaultKind::DnsFailure, env_.clock.now_ms())) return Err::DnsFailed;
  uint32_t mapped = kMappedBase;
  for (const auto& [n, endpoint] : env_.world.dns) {
    if (n == lower) {
      *out = endpoint.port ? ip_from_u32(mapped) : endpoint.ip;
      return Err::Ok;
    }
    if (endpoint.port) ++mapped;
  }
  return Err::DnsFailed;
}

std::optional<Endpoint> HostNet::route(Ip4 ip, uint16_t port) const {
  const uint32_t v = ip_to_u32(ip);
  uint32_t mapped = kMappedBase;
  for (const auto& entry : env_.world.dns) {
    if (!entry.second.port) continue;
    if (v == mapped) return entry.second;
    ++mapped;
  }
  auto r = env_.world.routes.find({v, port});
  if (r == env_.world.routes.end()) r = env_.world.routes.find({v, 0});
  if (r != env_.world.routes.end()) {
    Endpoint e = r->second;
    if (e.port == 0) e.port = port;
    return e;
  }
  if (ip.b[0] == 127) return Endpoint{ip, port};
  return std::nullopt;
}

Stream* HostNet::connect(Ip4 ip, uint16_t port, uint32_t timeout_ms, const TlsOptions* tls,
                         Err* err) {
  Err dummy;
  if (!err) err = &dummy;
  if (!link_up()) {
    *err = Err::ConnectFailed;  // no interface with an address: no route
    return nullptr;
  }
  const std::optional<Endpoint> where = route(ip, port);
  const uint64_t now_ms = env_.clock.now_ms();
  if (!where) {
    // SYNs into a world without that host: nobody answers.
    env_.radio.set_traffic(RadioState::Tx);
    env_.clock.advance_ms(timeout_ms);
    env_.radio.set_traffic(RadioState::Off);
    *err = Err::ConnectTimeout;
    return nullptr;
  }
  size_t slot = kMaxStreams;
  for (size_t i = 0; i < kMaxStreams; ++i) {
    if (!streams_[i] || streams_[i]->closed()) {
      slot = i;
      break;
    }
  }
  if (slot == kMaxStreams) {
    *err = Err::Overflow;  // lwIP's pcb pool is exhausted
    return nullptr;
  }
  if (env_.world.fault_at(FaultKind::HubDown, now_ms)) {
    // Nothing listens there: the SYN is answered with RST.
    Airtime air(env_, RadioState::Tx);
    air.round_trip();
    *err = Err::ConnectFailed;
    return nullptr;
  }
  // A fault on the HTTP path: the connection goes to the proxy that plays it.
  const Fault* fault = env_.world.proxy_fault_at(now_ms);
  Endpoint dial = *where;
  if (fault) {
    if (!env_.fault_proxy) env_.fault_proxy = std::make_shared<FaultProxy>();
    const std::optional<Endpoint> entry = env_.fault_proxy->entry();
    if (!entry) {
      *err = Err::IoError;
      return nullptr;
    }
    dial = *entry;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = Err::IoError;
    return nullptr;
  }
  Err result = Err::Ok;
  {
    Airtime air(env_, RadioState::Tx);
    air.round_trip();
    const sockaddr_in addr = to_sockaddr(dial);
    int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    if (r != 0 && errno == EINPROGRESS) {
      const int p = poll_one(fd, POLLOUT, timeout_ms);
      if (p == 0) {
        result = Err::ConnectTimeout;
        air.timed_out(timeout_ms);
      } else if (p < 0) {
        result = Err::ConnectFailed;
      } else {
        int so = 0;
        socklen_t len = sizeof so;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
        if (so != 0) result = Err::ConnectFailed;
      }
    } else if (r != 0) {
      result = Err::ConnectFailed;
    }
  }
  if (result != Err::Ok) {
    ::close(fd);
    *err = result;
    return nullptr;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  streams_[slot] = std::make_unique<HostStream>(env_, fd);
  if (fault) {
    sockaddr_in local{};
    socklen_t len = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
    const uint16_t local_port = ntohs(local.sin_port);
    env_.fault_proxy->attach(local_port, *where, *fault);
    streams_[slot]->set_proxy(env_.fault_proxy, local_port);
  }
  if (tls) {
    const Err e = streams_[slot]->start_tls(*tls, timeout_ms);
    if (e != Err::Ok) {
      streams_[slot]->close();
      *err = e;
      return nullptr;
    }
  }
  *err = Err::Ok;
  return streams_[slot].get();
}

HostNet::HostStream* HostNet::adopt(int fd, Err* err) {
  for (auto& s : streams_) {
    if (!s || s->closed()) {
      s = std::make_unique<HostStream>(env_, fd);
      *err = Err::Ok;
      return s.get();
    }
  }
  ::close(fd);
  *err = Err::Overflow;
  return nullptr;
}

Listener* HostNet::listen(uint16_t port, Err* err) {
  Err dummy;
  if (!err) err = &dummy;
  size_t slot = kMaxListeners;
  for (size_t i = 0; i < kMaxListeners; ++i) {
    if (!listeners_[i] || listeners_[i]->closed()) {
      slot = i;
      break;
    }
  }
  if (slot == kMaxListeners) {
    *err = Err::Overflow;
    return nullptr;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = Err::IoError;
    return nullptr;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // The board's port, or where the simulator maps it on this PC.
  const auto mapped = env_.listen_ports.find(port);
  if (mapped != env_.listen_ports.end()) {
    port = mapped->second;
  } else if (env_.listen_mapped_only) {
    ::close(fd);
    *err = Err::Unsupported;
    return nullptr;
  }
  const sockaddr_in addr = to_sockaddr(Endpoint{Ip4{{127, 0, 0, 1}}, port});
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 8) != 0) {
    ::close(fd);
    *err = Err::IoError;
    return nullptr;
  }
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  listeners_[slot] = std::make_unique<HostListener>(*this, fd, ntohs(bound.sin_port));
  *err = Err::Ok;
  return listeners_[slot].get();
}

void HostNet::close_all() {
  for (auto& s : streams_) s.reset();
  for (auto& l : listeners_) l.reset();
}

uint16_t HostNet::listener_port(const Listener* l) const {
  for (const auto& x : listeners_) {
    if (x && x.get() == l && !x->closed()) return x->port();
  }
  return 0;
}

size_t HostNet::open_streams() const {
  size_t n = 0;
  for (const auto& s : streams_) n += (s && !s->closed()) ? 1 : 0;
  return n;
}

}  // namespace bh::host
