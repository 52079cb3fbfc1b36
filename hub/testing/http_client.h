// A deliberately dumb HTTP client over a raw socket, for tests that must
// control every byte (garbage, slow clients, keep-alive). Reads replies
// with Content-Length only, which is all the hub sends.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::testing {

struct HttpReply {
  int status = 0;  // 0: no reply (closed, or timed out)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<std::string> header(std::string_view name) const;
};

class Connection {
 public:
  explicit Connection(std::uint16_t port);  // 127.0.0.1; throws on failure
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool send(std::string_view bytes);  // false if the peer is gone
  // One reply (1xx replies are skipped). status 0 if none came in time.
  HttpReply read_reply(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True once the server closed the connection (EOF or reset) within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout);

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);  // false on EOF/error/timeout
  int fd_ = -1;
  std::string buffered_;
};

// "POST /x HTTP/1.1\r\nHost: test\r\n<extra>Content-Length: N\r\n\r\n<body>"
std::string http_request(std::string_view method, std::string_view target,
                         std::string_view body = {}, std::string_view extra_headers = {});

// One request on a fresh connection.
HttpReply fetch(std::uint16_t port, const std::string& raw_request);

}  // namespace hub::testing
