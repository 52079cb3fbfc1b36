// A small real HTTP/1.1 server on 127.0.0.1 (a free port) for tests: it
// records every request and answers with whatever the test's handler says,
// including the misbehaviours a client must survive — never answering,
// closing in the middle of a body, answering late.
//
// One thread, one connection at a time: enough for a board that makes one
// request per wake, and it keeps the recorded order exact.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // uint16_t

#include <atomic>              // stop flag
#include <condition_variable>  // waiting for requests
#include <functional>          // handler
#include <mutex>               // recorded requests
#include <string>              // text
#include <thread>              // the server thread
#include <utility>             // std::pair
#include <vector>              // lists

namespace bh::testing {

struct RecordedRequest {
  std::string method;
  std::string target;  // "/trigger/x/with/key/k"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The first header with this name (case-insensitive), or "".
  std::string header(const std::string& name) const;
};

struct Reply {
  std::string raw;    // exactly the bytes to send: status line, headers, body
  int delay_ms = 0;   // wait this long before answering
  bool hang = false;  // never answer; keep the connection until the client leaves
  size_t cut_after = std::string::npos;  // send only this many bytes, then close

  // "HTTP/1.1 <status> <reason>" with Content-Length, Connection: close.
  static Reply status(int code, const std::string& body,
                      const std::string& content_type = "text/plain");
  // The same answer in chunked transfer encoding, one chunk per piece.
  static Reply chunked(int code, const std::vector<std::string>& pieces);
};

class HttpTestServer {
 public:
  using Handler = std::function<Reply(const RecordedRequest&)>;

  // Default handler: 200 with IFTTT's text.
  explicit HttpTestServer(Handler handler = nullptr);
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  uint16_t port() const { return port_; }
  void set_handler(Handler handler);
  std::vector<RecordedRequest> requests() const;
  size_t request_count() const;
  // Connections accepted, whether or not a request came.
  size_t connection_count() const { return connections_.load(); }
  // Waits until at least n requests were recorded.
  bool wait_for_requests(size_t n, int timeout_ms) const;

 private:
  void serve();
  void handle(int fd);
  bool read_request(int fd, RecordedRequest* out);
  bool wait_readable(int fd, int timeout_ms) const;

  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::atomic<size_t> connections_{0};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  Handler handler_;
  std::vector<RecordedRequest> requests_;
  std::thread thread_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then released).
uint16_t unused_port();

}  // namespace bh::testing
