// TLS on the host, with BearSSL: the library the ESP8266 port gets through
// WiFiClientSecure, so a session saved on one wake and offered on the next
// behaves as it does on the board (br_ssl_session_parameters in RTC memory,
// br_ssl_engine_set_session_parameters + br_ssl_client_reset(..., 1)).
//
// TlsClient drives one client engine over a byte transport it does not own
// (HostStream's raw socket reads and writes). Trust follows TlsOptions the
// way the ESP8266 port applies it: insecure (no checks), a SHA-1 fingerprint
// of the server's certificate (no name or date checks, as
// WiFiClientSecure::setFingerprint), or CA certificates in PEM (the full
// X.509 chain check with the host name).
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // fixed-width integers

#include <functional>  // the transport
#include <memory>      // the engine's state
#include <string>      // error text

#include "hal.h"

namespace bh::host {

class TlsClient {
 public:
  // > 0 bytes moved, 0 peer closed (read), < 0 -(int)Err.
  using ReadFn = std::function<int32_t(uint8_t* buf, size_t len, uint32_t timeout_ms)>;
  using WriteFn = std::function<Err(const uint8_t* data, size_t len, uint32_t timeout_ms)>;

  TlsClient(ReadFn read, WriteFn write);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // Sets up trust from opts and runs the handshake. On success, fills
  // opts.session (if given) with the session the handshake ended with and
  // its `resumed` flag. On failure, error() says why in words.
  Err handshake(const TlsOptions& opts, uint32_t timeout_ms);
  bool resumed() const { return resumed_; }
  const std::string& error() const { return error_; }

  // Application data, after handshake(); same conventions as Stream.
  int32_t read(uint8_t* buf, size_t len, uint32_t timeout_ms);
  Err write(const uint8_t* data, size_t len, uint32_t timeout_ms);
  // Sends close_notify (best effort).
  void close(uint32_t timeout_ms);

 private:
  struct State;
  // Runs the engine until one of `want` (BR_SSL_* bits) is set.
  Err run_until(unsigned want, uint64_t deadline_ms);
  Err fail_from_engine(const char* what);

  ReadFn read_;
  WriteFn write_;
  std::unique_ptr<State> st_;
  bool resumed_ = false;
  std::string error_;
};

}  // namespace bh::host
