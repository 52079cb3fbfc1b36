// Net on ESP8266WiFi: DNS (WiFi.hostByName), TCP (WiFiClient), TLS
// (BearSSL::WiFiClientSecureCtx) and listening sockets (WiFiServer).
//
// Every client object lives in a fixed pool inside EspNet, made once at
// boot: no per-request `new` for streams, and a leak shows up as
// Err::Overflow instead of a slowly shrinking heap. (The Arduino core still
// allocates lwIP and BearSSL buffers inside those objects.)
#pragma once

#include <ESP8266WiFi.h>              // WiFiClient, WiFiServer, IPAddress
#include <WiFiClientSecureBearSSL.h>  // BearSSL::WiFiClientSecureCtx, X509List
#include <stddef.h>                   // size_t
#include <stdint.h>                   // fixed-width integers
#include <string.h>                   // memcpy

#include <optional>     // the trust anchors of the one TLS connection
#include <type_traits>  // the Session layout check

#include "hal.h"

namespace bh {
namespace esp {

// connect(IPAddress) would send no SNI and check no host name, and
// connect(host) would resolve the name again although the core already
// did. Both do TCP connect + _connectSSL(host); we do the same two steps
// with the core's address and TlsOptions::sni, and learn which one failed.
class TlsClient final : public BearSSL::WiFiClientSecureCtx {
 public:
  bool open_tcp(const IPAddress& ip, uint16_t port) { return WiFiClient::connect(ip, port) != 0; }
  bool handshake(const char* host) { return _connectSSL(host); }
};

// The TLS session between wakes. WiFiClientSecureCtx::setSession() offers a
// BearSSL::Session on connect (br_ssl_engine_set_session_parameters +
// br_ssl_client_reset(.., 1)) and writes the engine's session back into it
// by the time the connection is stopped. The core keeps the session in RTC
// memory as a TlsSession (hal.h); these two copy between the forms.
// BearSSL::Session holds nothing but a br_ssl_session_parameters, and its
// accessor is private to the client class, so it is read by layout.
static_assert(std::is_standard_layout<BearSSL::Session>::value &&
                  sizeof(BearSSL::Session) == sizeof(br_ssl_session_parameters),
              "BearSSL::Session is one br_ssl_session_parameters");
inline br_ssl_session_parameters& session_params(BearSSL::Session& s) {
  return *reinterpret_cast<br_ssl_session_parameters*>(&s);
}

// A Stream over one pooled client object; close() gives it back.
class PooledStream final : public Stream {
 public:
  int32_t read(uint8_t* buf, size_t len, uint32_t timeout_ms) override;
  Err write(const uint8_t* data, size_t len, uint32_t timeout_ms) override;
  void close() override;

  bool in_use() const { return client_ != nullptr; }
  Stream* attach(WiFiClient& client, std::optional<BearSSL::X509List>* anchors = nullptr) {
    client_ = &client;
    anchors_ = anchors;
    session_ = nullptr;
    out_ = nullptr;
    return this;
  }
  // After close(), the session the client saved goes to `out` (the core's
  // RTC copy), marked resumed if the server kept the ID offered.
  void save_session_on_close(BearSSL::Session* session, TlsSession* out) {
    session_ = session;
    out_ = out;
    if (out) {
      offered_len_ = out->id_len;
      memcpy(offered_, out->id, sizeof offered_);
    }
  }

 private:
  WiFiClient* client_ = nullptr;
  std::optional<BearSSL::X509List>* anchors_ = nullptr;  // freed on close
  BearSSL::Session* session_ = nullptr;
  TlsSession* out_ = nullptr;
  uint8_t offered_[32] = {};
  uint8_t offered_len_ = 0;
};

class EspNet;

class ServerSocket final : public Listener {
 public:
  explicit ServerSocket(EspNet& net) : net_(net), server_(0) {}
  Stream* accept(uint32_t timeout_ms, Err* err) override;
  void close() override;

  bool in_use() const { return open_; }
  bool open(uint16_t port);

 private:
  EspNet& net_;
  WiFiServer server_;
  bool open_ = false;
};

class EspNet final : public Net {
 public:
  static constexpr size_t kTcpStreams = 2;  // a webhook request + a console client

  // Logs what only the port knows: TLS errors, insecure mode.
  explicit EspNet(Machine& machine);

  Err resolve(StrRef host, Ip4* out, uint32_t timeout_ms) override;
  Stream* connect(Ip4 ip, uint16_t port, uint32_t timeout_ms, const TlsOptions* tls,
                  Err* err) override;
  Listener* listen(uint16_t port, Err* err) override;

  // A client accepted by a ServerSocket, into a free TCP slot (or nullptr).
  Stream* adopt(const WiFiClient& client);

 private:
  struct TcpSlot {
    WiFiClient client;
    PooledStream stream;
  };
  struct TlsSlot {
    TlsClient client;
    std::optional<BearSSL::X509List> anchors;
    BearSSL::Session session;  // what setSession() offers and saves
    PooledStream stream;
  };

  Stream* connect_tcp(const IPAddress& ip, uint16_t port, uint32_t timeout_ms, Err* err);
  Stream* connect_tls(const IPAddress& ip, uint16_t port, uint32_t timeout_ms,
                      const TlsOptions& tls, Err* err);
  Err set_trust(TlsSlot& slot, const TlsOptions& tls, uint32_t timeout_ms);
  void wait_for_clock(uint32_t timeout_ms);
  TcpSlot* free_tcp_slot();

  Machine& machine_;
  TcpSlot tcp_[kTcpStreams];
  TlsSlot tls_;            // one at a time: a handshake needs ~25 KB of the ~40 KB heap
  ServerSocket listener_;  // one: the console (or the setup portal)
};

}  // namespace esp
}  // namespace bh
