#include "fault_proxy.h"

#include <arpa/inet.h>   // htons, ntohs
#include <errno.h>       // errno
#include <fcntl.h>       // O_CLOEXEC
#include <netinet/in.h>  // sockaddr_in
#include <poll.h>        // poll
#include <strings.h>     // strncasecmp
#include <sys/socket.h>  // socket, accept4, send, recv
#include <unistd.h>      // close, pipe2

#include <algorithm>  // std::remove_if
#include <memory>     // std::unique_ptr
#include <string>     // buffers
#include <vector>     // connections

#include "host_net.h"  // to_sockaddr

namespace bh::host {

namespace {

constexpr int kServerConnectTimeoutMs = 2000;

// Content-Length of a message whose header block ends at head_end (the
// index of "\r\n\r\n"); 0 when absent.
size_t content_length(const std::string& msg, size_t head_end) {
  static constexpr char kName[] = "\r\ncontent-length:";
  const size_t name_len = sizeof kName - 1;
  for (size_t i = 0; i + name_len <= head_end + 2; ++i) {
    if (strncasecmp(msg.data() + i, kName, name_len) != 0) continue;
    size_t at = i + name_len;
    while (at < head_end && msg[at] == ' ') ++at;
    size_t v = 0;
    while (at < head_end && msg[at] >= '0' && msg[at] <= '9') v = v * 10 + size_t(msg[at++] - '0');
    return v;
  }
  return 0;
}

// Headers and the Content-Length body have all arrived.
bool message_complete(const std::string& msg) {
  const size_t end = msg.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  return msg.size() >= end + 4 + content_length(msg, end);
}

// Close with an RST instead of a FIN: what a crashed middlebox or a reset
// router does to the board's connection.
void close_with_reset(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

// A blocking connection to the server, or -1.
int dial(const Endpoint& server) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const sockaddr_in a = to_sockaddr(server);
  int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a);
  if (r != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int so = 0;
    socklen_t len = sizeof so;
    if (::poll(&p, 1, kServerConnectTimeoutMs) == 1 &&
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len) == 0 && so == 0) {
      r = 0;
    }
  }
  if (r != 0) {
    ::close(fd);
    return -1;
  }
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

bool send_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    const ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= size_t(n);
  }
  return true;
}

const char* reason(int status) {
  switch (status) {
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Server Error";
  }
}

}  // namespace

struct FaultProxy::Conn {
  enum class Stage { Request, Reply, Holding, Done };
  int board = -1;   // accepted: the board's side
  int server = -1;  // dialled: the real server's side
  uint16_t board_port = 0;
  std::optional<Attachment> how;
  std::string request;
  std::string reply;
  Stage stage = Stage::Request;
};

FaultProxy::~FaultProxy() {
  if (started_) {
    const char q = 'q';
    (void)!::write(wake_[1], &q, 1);
    thread_.join();
  }
  for (int fd : {listen_fd_, wake_[0], wake_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

std::optional<Endpoint> FaultProxy::entry() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) return std::nullopt;
    const sockaddr_in a = to_sockaddr(Endpoint{Ip4{{127, 0, 0, 1}}, 0});
    sockaddr_in bound{};
    socklen_t len = sizeof bound;
    if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len) != 0 ||
        ::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
      ::close(listen_fd_);
      listen_fd_ = -1;
      return std::nullopt;
    }
    port_ = ntohs(bound.sin_port);
    started_ = true;
    thread_ = std::thread([this] { serve(); });
  }
  return Endpoint{Ip4{{127, 0, 0, 1}}, port_};
}

void FaultProxy::attach(uint16_t board_port, Endpoint server, const Fault& fault) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_[board_port] = Attachment{server, fault};
    silent_.erase(board_port);
    ++played_[size_t(fault.kind)];
  }
  const char w = 'a';
  (void)!::write(wake_[1], &w, 1);
}

bool FaultProxy::silent(uint16_t board_port) const {
  std::lock_guard<std::mutex> lock(mu_);
  return silent_.count(board_port) != 0;
}

size_t FaultProxy::played(FaultKind kind) const {
  std::lock_guard<std::mutex> lock(mu_);
  return played_[size_t(kind)];
}

void FaultProxy::set_silent(uint16_t port, bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  if (on) {
    silent_.insert(port);
  } else {
    silent_.erase(port);
  }
}

void FaultProxy::serve() {
  std::vector<std::unique_ptr<Conn>> conns;
  std::vector<pollfd> fds;
  std::vector<Conn*> owner;  // fds[i] belongs to owner[i] (nullptr: wake pipe, listener)
  while (true) {
    // Connections whose attachment has come.
    for (auto& c : conns) {
      if (c->how) continue;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = pending_.find(c->board_port);
        if (it == pending_.end()) continue;
        c->how = it->second;
        pending_.erase(it);
      }
      on_attached(*c);
    }
    conns.erase(std::remove_if(conns.begin(), conns.end(),
                               [](const auto& c) { return c->stage == Conn::Stage::Done; }),
                conns.end());

    fds.clear();
    owner.clear();
    fds.push_back({wake_[0], POLLIN, 0});
    owner.push_back(nullptr);
    fds.push_back({listen_fd_, POLLIN, 0});
    owner.push_back(nullptr);
    for (auto& c : conns) {
      const bool from_server = c->stage == Conn::Stage::Reply;
      fds.push_back({from_server ? c->server : c->board, POLLIN, 0});
      owner.push_back(c.get());
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) {
      char buf[64];
      bool quit = false;
      ssize_t n;
      while ((n = ::read(wake_[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; ++i) quit |= buf[i] == 'q';
      }
      if (quit) break;
    }
    if (fds[1].revents & POLLIN) {
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
      if (fd >= 0) {
        auto c = std::make_unique<Conn>();
        c->board = fd;
        c->board_port = ntohs(peer.sin_port);
        conns.push_back(std::move(c));
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      Conn& c = *owner[i];
      char buf[4096];
      const ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
      switch (c.stage) {
        case Conn::Stage::Request:
          if (n <= 0) {
            finish(c, false);  // the board gave up before its request was whole
            break;
          }
          c.request.append(buf, size_t(n));
          if (c.how && message_complete(c.request)) on_request_complete(c);
          break;
        case Conn::Stage::Reply:
          if (n > 0) c.reply.append(buf, size_t(n));
          if (n <= 0 || message_complete(c.reply)) on_reply_complete(c);
          break;
        case Conn::Stage::Holding:
          if (n <= 0) finish(c, false);  // the board timed out and closed
          break;
        case Conn::Stage::Done: break;
      }
    }
  }
  for (auto& c : conns) finish(*c, false);
}

void FaultProxy::on_attached(Conn& c) {
  if (message_complete(c.request)) on_request_complete(c);
}

void FaultProxy::on_request_complete(Conn& c) {
  const Fault& f = c.how->fault;
  if (f.kind == FaultKind::Http5xx) {
    const std::string body =
        std::string("{\"errors\":[{\"message\":\"fault injected: ") + fault_name(f.kind) + "\"}]}";
    const std::string reply =
        "HTTP/1.1 " + std::to_string(f.status) + " " + reason(f.status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    send_all(c.board, reply.data(), reply.size());
    finish(c, false);
    return;
  }
  c.server = dial(c.how->server);
  if (c.server < 0) {
    finish(c, true);
    return;
  }
  if (f.kind == FaultKind::ResetMidRequest) {
    send_all(c.server, c.request.data(), c.request.size() / 2);
    finish(c, true);
    return;
  }
  if (!send_all(c.server, c.request.data(), c.request.size())) {
    finish(c, true);
    return;
  }
  c.stage = Conn::Stage::Reply;
}

void FaultProxy::on_reply_complete(Conn& c) {
  ::close(c.server);
  c.server = -1;
  if (c.how->fault.kind == FaultKind::HttpSlow) {
    // The answer exists and is never sent: the board waits out its timeout.
    set_silent(c.board_port, true);
    c.stage = Conn::Stage::Holding;
    return;
  }
  finish(c, true);
}

void FaultProxy::finish(Conn& c, bool reset_board) {
  if (c.server >= 0) ::close(c.server);
  c.server = -1;
  if (c.board >= 0) {
    if (reset_board) {
      close_with_reset(c.board);
    } else {
      ::close(c.board);
    }
  }
  c.board = -1;
  if (c.stage == Conn::Stage::Holding) set_silent(c.board_port, false);
  c.stage = Conn::Stage::Done;
}

}  // namespace bh::host
