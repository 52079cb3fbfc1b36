// The HTTP/1.1 server (Boost.Beast, in server.cpp only): accepts
// connections, reads requests with limits and timeouts, hands each one to a
// handler on a worker pool (so a handler that waits for an fsync never
// stalls the I/O thread), or on the I/O thread when it says it never blocks,
// writes the response, keeps the connection alive.
// Drains on stop(): stops accepting, closes idle connections, lets in-flight
// requests finish (bounded by drain_timeout), then run() returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "message.h"

namespace hub {

using RequestHandler = std::function<Response(const Request&)>;
using Respond = std::function<void(Response)>;
// Answers by calling `respond` exactly once, from any thread, now or later
// (a trigger answers from the store's thread once its batch is committed).
using AsyncRequestHandler = std::function<void(const Request&, Respond respond)>;
using LogSink = std::function<void(const std::string& line)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the OS picks a free port; see Server::port()
  std::size_t body_limit = 64 * 1024;
  std::size_t header_limit = 8 * 1024;
  std::chrono::milliseconds read_timeout{15000};  // per request, from its first byte; and idle
  std::chrono::milliseconds drain_timeout{5000};
  std::size_t worker_threads = 4;
  // Threads serving connections, each with its own event loop (the calling
  // thread of run() is one): a connection stays on the loop that accepted it.
  std::size_t io_threads = 1;
  // Requests for which the handler never blocks: handled on the I/O thread,
  // sparing the hop to a worker and back. Empty: every request goes to the pool.
  std::function<bool(const Request&)> runs_inline;
  bool handle_signals = false;  // SIGINT/SIGTERM call stop()
  LogSink access_log;           // one line per request; empty: none
  LogSink error_log;            // connection failures; empty: none
};

class Server {
 public:
  // Binds and listens; throws std::runtime_error (naming the address) when it cannot.
  Server(ServerOptions options, RequestHandler handler);
  Server(ServerOptions options, AsyncRequestHandler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:PORT"

  // Serves on the calling thread until stopped and drained.
  void run();
  // Begins the drain; safe from any thread, any number of times.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub
