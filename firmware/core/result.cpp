#include "result.h"

namespace bh {

const char* err_name(Err e) {
  switch (e) {
    case Err::Ok: return "ok";
    case Err::WifiNoApFound: return "wifi-no-ap-found";
    case Err::WifiWrongPassword: return "wifi-wrong-password";
    case Err::WifiConnectFailed: return "wifi-connect-failed";
    case Err::WifiTimeout: return "wifi-timeout";
    case Err::DnsFailed: return "dns-failed";
    case Err::ConnectFailed: return "connect-failed";
    case Err::ConnectTimeout: return "connect-timeout";
    case Err::Timeout: return "timeout";
    case Err::Closed: return "closed";
    case Err::IoError: return "io-error";
    case Err::TlsUnsupported: return "tls-unsupported";
    case Err::TlsFailed: return "tls-failed";
    case Err::BadUrl: return "bad-url";
    case Err::BadResponse: return "bad-response";
    case Err::HttpStatus: return "http-status";
    case Err::RedirectNotFollowed: return "redirect-not-followed";
    case Err::TooManyRedirects: return "too-many-redirects";
    case Err::Overflow: return "overflow";
    case Err::NotFound: return "not-found";
    case Err::Invalid: return "invalid";
    case Err::Unsupported: return "unsupported";
  }
  return "unknown";
}

const char* err_hint(Err e) {
  switch (e) {
    case Err::Ok: return "";
    case Err::WifiNoApFound: return "is the router on and WIFI_SSID in config.py spelled exactly?";
    case Err::WifiWrongPassword: return "check WIFI_PASSWORD in config.py";
    case Err::WifiConnectFailed: return "the router refused the board; move closer or restart the router";
    case Err::WifiTimeout: return "no connection within WIFI_TIMEOUT; weak signal or busy router";
    case Err::DnsFailed: return "check the host name in WEBHOOK_URL and the router's DNS";
    case Err::ConnectFailed: return "is the webhook server running and reachable on that port?";
    case Err::ConnectTimeout: return "the webhook server did not answer; is it up?";
    case Err::Timeout: return "the webhook server is too slow; raise HTTP_TIMEOUT or check the server";
    case Err::Closed: return "the server closed the connection early";
    case Err::IoError: return "the connection broke; try again";
    case Err::TlsUnsupported: return "this build has no TLS; use http:// or a TLS-capable port";
    case Err::TlsFailed: return "TLS failed; check the CA certificate / fingerprint in config.py";
    case Err::BadUrl: return "WEBHOOK_URL must look like http://host[:port]/path";
    case Err::BadResponse: return "the server's reply is not valid HTTP/1.1";
    case Err::HttpStatus: return "the server rejected the request; check the key and event in WEBHOOK_URL";
    case Err::RedirectNotFollowed: return "the server redirected a POST; put the final URL in WEBHOOK_URL";
    case Err::TooManyRedirects: return "redirect loop; put the final URL in WEBHOOK_URL";
    case Err::Overflow: return "a value is longer than the firmware allows";
    case Err::NotFound: return "";
    case Err::Invalid: return "";
    case Err::Unsupported: return "";
  }
  return "";
}

}  // namespace bh
