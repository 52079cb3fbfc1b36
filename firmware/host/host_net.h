// Net on the host: REAL TCP sockets to this PC's loopback, with the board's
// view of names and addresses coming from the World.
//
// Names: a dotted IPv4 literal is itself; any other name must be in the
// World's DNS table (else Err::DnsFailed, after the time a query takes).
// A table entry with a port ("127.0.0.1:8080") resolves to an address of
// its own in 198.18.0.0/15 (RFC 2544's benchmarking range, never on a real
// network) that routes to that endpoint whatever port the firmware dials,
// so `maker.ifttt.com` port 80 reaches a hub on 127.0.0.1:8080 and two such
// names never clash.
//
// Addresses: 127.0.0.0/8 goes where it says; the World's routes map others;
// anything else is a host on an Internet this world does not have: the
// connect times out (in virtual time, no real waiting).
//
// Time: each socket operation advances the virtual clock by the real time it
// took, with the radio in Tx or Rx meanwhile. DNS answers cost
// RadioTiming::dns.
//
// Streams and listeners come from fixed pools, as lwIP's would.
//
// TLS: connect() with TlsOptions runs a real BearSSL handshake (host_tls.h)
// over the socket, the library the ESP8266 port uses, with the same session
// semantics; its virtual time is RadioTiming::tls_full or tls_resumed.
#pragma once

#include <netinet/in.h>  // sockaddr_in
#include <stddef.h>  // size_t
#include <stdint.h>  // fixed-width integers

#include <array>     // pools
#include <memory>    // std::unique_ptr
#include <optional>  // routes

#include "env.h"
#include "hal.h"

namespace bh::host {

class HostWlan;

class HostNet final : public Net {
 public:
  static constexpr size_t kMaxStreams = 8;
  static constexpr size_t kMaxListeners = 4;
  // First address handed to DNS entries with a port: 198.18.0.1.
  static constexpr uint32_t kMappedBase = (198u << 24) | (18u << 16) | 1u;

  // sta: the station whose link the network needs; nullptr = always up
  // (tests of the sockets alone).
  HostNet(Env& env, HostWlan* sta);
  ~HostNet();
  HostNet(const HostNet&) = delete;
  HostNet& operator=(const HostNet&) = delete;

  Err resolve(StrRef host, Ip4* out, uint32_t timeout_ms) override;
  Stream* connect(Ip4 ip, uint16_t port, uint32_t timeout_ms, const TlsOptions* tls,
                  Err* err) override;
  Listener* listen(uint16_t port, Err* err) override;

  // ---- the board's side ----
  // A reset or power-off: every socket is gone.
  void close_all();
  // The real port a listener is bound to (after listen(0)).
  uint16_t listener_port(const Listener* l) const;
  size_t open_streams() const;
  // Where ip:port really goes on this PC, or nullopt (no route).
  std::optional<Endpoint> route(Ip4 ip, uint16_t port) const;

  class HostStream;
  class HostListener;

 private:
  bool link_up();
  HostStream* adopt(int fd, Err* err);
  Env& env_;
  HostWlan* sta_;
  std::array<std::unique_ptr<HostStream>, kMaxStreams> streams_;
  std::array<std::unique_ptr<HostListener>, kMaxListeners> listeners_;
};

// The socket address of an endpoint (the fault proxy dials with it too).
sockaddr_in to_sockaddr(const Endpoint& e);

}  // namespace bh::host
