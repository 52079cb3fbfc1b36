// The HTTP-path faults, played for real: a small TCP proxy on 127.0.0.1
// between the board's sockets and the real server (a hub, a test server).
//
// HostNet sends a connection made while a proxy fault is active (see
// FaultKind) to entry() instead of the server, then attach()es it — the
// board's local port, the server it was meant for, the fault — before it
// writes a byte. The proxy reads the whole request first (headers and
// Content-Length body), so what happens next does not depend on how the
// bytes were split:
//
//   hub-5xx              answers Fault::status itself, closes; the server sees nothing
//   hub-slow             forwards the request, reads the server's whole answer (the
//                        server committed), holds it; silent() turns true so the
//                        board's reads time out in virtual time without real waiting
//   reset-mid-request    forwards half of the request, closes the server side (the
//                        server sees a truncated request), resets the board's side
//   reset-after-forward  forwards the request, reads the whole answer, then resets the
//                        board's side: the server committed, the board saw a failure —
//                        the case an idempotency key exists for
//
// If the server cannot be reached the board's side is reset. One thread
// serves every connection of every board that shares the proxy.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // uint16_t

#include <array>     // counts by kind
#include <map>       // attachments by port
#include <mutex>     // shared with the boards' thread
#include <optional>  // entry()
#include <set>       // silent ports
#include <thread>    // the proxy's thread

#include "env.h"

namespace bh::host {

class FaultProxy {
 public:
  FaultProxy() = default;
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Where a faulted connection dials. Starts the proxy on the first call;
  // nullopt if it cannot listen.
  std::optional<Endpoint> entry();
  // The connection from board_port (the board's local port) is for server
  // and plays fault. Call after connect() returned, before writing.
  void attach(uint16_t board_port, Endpoint server, const Fault& fault);
  // The connection from board_port will never get another byte (hub-slow
  // holds its answer): a read may give up at once.
  bool silent(uint16_t board_port) const;
  // Connections attached with this fault so far.
  size_t played(FaultKind kind) const;

 private:
  struct Conn;
  struct Attachment {
    Endpoint server;
    Fault fault;
  };
  void serve();
  void on_attached(Conn& c);
  void on_request_complete(Conn& c);
  void on_reply_complete(Conn& c);
  void finish(Conn& c, bool reset_board);
  void set_silent(uint16_t port, bool on);

  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  uint16_t port_ = 0;
  bool started_ = false;
  std::thread thread_;
  mutable std::mutex mu_;  // guards the three below
  std::map<uint16_t, Attachment> pending_;
  std::set<uint16_t> silent_;
  std::array<size_t, size_t(kLastFaultKind) + 1> played_{};
};

}  // namespace bh::host
