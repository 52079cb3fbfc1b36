// Errors as small values: the core never throws.
#pragma once

#include <stdint.h>  // uint8_t

namespace bh {

enum class Err : uint8_t {
  Ok = 0,
  // Wi-Fi
  WifiNoApFound,       // the SSID is not on the air
  WifiWrongPassword,   // the AP refused our key
  WifiConnectFailed,   // association/DHCP failed for another reason
  WifiTimeout,         // not connected within WIFI_TIMEOUT
  // Network
  DnsFailed,           // the host name did not resolve
  ConnectFailed,       // TCP connect refused/unreachable
  ConnectTimeout,      // TCP connect took longer than the timeout
  Timeout,             // no bytes within the read timeout
  Closed,              // peer closed before a whole response arrived
  IoError,             // reset or other socket error
  TlsUnsupported,      // https:// on a transport without TLS
  TlsFailed,           // handshake or certificate check failed
  // HTTP
  BadUrl,              // URL we cannot parse (or unsupported scheme)
  BadResponse,         // not HTTP/1.x, bad chunk framing, header too long
  HttpStatus,          // the server answered >= 400
  RedirectNotFollowed, // 3xx we do not follow (see http_client.h)
  TooManyRedirects,
  // Local
  Overflow,            // a fixed buffer was too small
  NotFound,            // file or key missing
  Invalid,             // bad argument
  Unsupported,         // this port cannot do it
};

// A short stable name, e.g. "dns-failed" (used in logs and tests).
const char* err_name(Err e);
// What to do next, for a person reading the serial log.
const char* err_hint(Err e);

}  // namespace bh
