#include "http_test_server.h"

#include <arpa/inet.h>   // htons
#include <errno.h>       // errno
#include <fcntl.h>       // O_CLOEXEC
#include <netinet/in.h>  // sockaddr_in
#include <poll.h>        // poll
#include <stdio.h>       // snprintf
#include <strings.h>     // strcasecmp
#include <sys/socket.h>  // socket API
#include <unistd.h>      // close, pipe

#include <chrono>     // timeouts
#include <cstdlib>    // strtoul
#include <stdexcept>  // setup failures

namespace bh::testing {

namespace {

const char* reason(int code) {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

void send_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    const ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    data += n;
    len -= size_t(n);
  }
}

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
  return s.substr(a, b - a);
}

}  // namespace

std::string RecordedRequest::header(const std::string& name) const {
  for (const auto& h : headers) {
    if (strcasecmp(h.first.c_str(), name.c_str()) == 0) return h.second;
  }
  return "";
}

Reply Reply::status(int code, const std::string& body, const std::string& content_type) {
  Reply r;
  r.raw = "HTTP/1.1 " + std::to_string(code) + " " + reason(code) +
          "\r\nContent-Type: " + content_type +
          "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
          body;
  return r;
}

Reply Reply::chunked(int code, const std::vector<std::string>& pieces) {
  Reply r;
  r.raw = "HTTP/1.1 " + std::to_string(code) + " " + reason(code) +
          "\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  char size[32];
  for (const auto& p : pieces) {
    snprintf(size, sizeof size, "%zx\r\n", p.size());
    r.raw += size + p + "\r\n";
  }
  r.raw += "0\r\n\r\n";
  return r;
}

HttpTestServer::HttpTestServer(Handler handler) : handler_(std::move(handler)) {
  if (!handler_) {
    handler_ = [](const RecordedRequest& req) {
      const auto slash = req.target.find("/trigger/");
      std::string event = "event";
      if (slash != std::string::npos) {
        const auto start = slash + 9;
        event = req.target.substr(start, req.target.find('/', start) - start);
      }
      return Reply::status(200, "Congratulations! You've fired the " + event + " event");
    };
  }
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("bind/listen on 127.0.0.1 failed");
  }
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { serve(); });
}

HttpTestServer::~HttpTestServer() {
  const char c = 'x';
  (void)!::write(stop_pipe_[1], &c, 1);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

void HttpTestServer::set_handler(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

std::vector<RecordedRequest> HttpTestServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t HttpTestServer::request_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

bool HttpTestServer::wait_for_requests(size_t n, int timeout_ms) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [&] { return requests_.size() >= n; });
}

// Waits for fd to be readable; false on timeout or when the server stops.
bool HttpTestServer::wait_readable(int fd, int timeout_ms) const {
  pollfd p[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
  while (true) {
    const int r = ::poll(p, 2, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    if (p[1].revents) return false;
    return true;
  }
}

void HttpTestServer::serve() {
  while (true) {
    if (!wait_readable(listen_fd_, -1)) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    handle(fd);
    ::close(fd);
  }
}

bool HttpTestServer::read_request(int fd, RecordedRequest* out) {
  std::string data;
  size_t header_end = std::string::npos;
  char buf[4096];
  while (header_end == std::string::npos) {
    if (!wait_readable(fd, 5000)) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    data.append(buf, size_t(n));
    header_end = data.find("\r\n\r\n");
  }
  size_t line_start = 0;
  bool first = true;
  size_t content_length = 0;
  while (line_start < header_end) {
    size_t eol = data.find("\r\n", line_start);
    const std::string line = data.substr(line_start, eol - line_start);
    line_start = eol + 2;
    if (first) {
      first = false;
      const size_t sp1 = line.find(' ');
      const size_t sp2 = line.find(' ', sp1 + 1);
      out->method = line.substr(0, sp1);
      out->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    out->headers.emplace_back(line.substr(0, colon), trim(line.substr(colon + 1)));
    if (strcasecmp(out->headers.back().first.c_str(), "Content-Length") == 0) {
      content_length = std::strtoul(out->headers.back().second.c_str(), nullptr, 10);
    }
  }
  out->body = data.substr(header_end + 4);
  while (out->body.size() < content_length) {
    if (!wait_readable(fd, 5000)) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    out->body.append(buf, size_t(n));
  }
  return true;
}

void HttpTestServer::handle(int fd) {
  RecordedRequest req;
  if (!read_request(fd, &req)) return;
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(req);
    handler = handler_;
  }
  cv_.notify_all();
  const Reply reply = handler(req);
  if (reply.hang) {
    // Until the client gives up (EOF) or the server stops.
    char sink[512];
    while (wait_readable(fd, -1)) {
      if (::recv(fd, sink, sizeof sink, 0) <= 0) return;
    }
    return;
  }
  if (reply.delay_ms > 0) {
    pollfd stop{stop_pipe_[0], POLLIN, 0};
    if (::poll(&stop, 1, reply.delay_ms) > 0) return;  // the server is stopping
  }
  const size_t n = reply.cut_after < reply.raw.size() ? reply.cut_after : reply.raw.size();
  send_all(fd, reply.raw.data(), n);
}

uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return 0;
  }
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace bh::testing
