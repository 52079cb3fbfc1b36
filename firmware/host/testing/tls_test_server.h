// A real TLS server on 127.0.0.1 for tests, on OpenSSL (a TLS stack other
// than the client's BearSSL, as a webhook server would be), with a session
// cache so that a client can resume; it answers every request with 200 "ok"
// and counts the handshakes that resumed a session.
//
// make_test_pki() writes a CA and a server certificate for `host` signed by
// it, with the `openssl` command line tool, into a fresh directory.
#pragma once

#include <stdint.h>  // uint16_t

#include <atomic>  // counters
#include <string>  // paths
#include <thread>  // the server thread

namespace bh::testing {

struct TestPki {
  std::string dir;
  std::string ca_pem;       // the CA certificate (PEM text)
  std::string cert_file;    // the server's certificate
  std::string key_file;     // and key
  std::string sha1;         // SHA-1 fingerprint of the server's certificate, "AB:CD:.."
  std::string other_ca_pem; // a CA that signed nothing here
};
// Empty dir on failure (no openssl).
TestPki make_test_pki(const std::string& host);

class TlsTestServer {
 public:
  // session_cache = false: the server never resumes (a full handshake each time).
  TlsTestServer(const TestPki& pki, bool session_cache = true);
  ~TlsTestServer();
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  uint16_t port() const { return port_; }
  int handshakes() const { return handshakes_; }
  int resumed() const { return resumed_; }
  int failed() const { return failed_; }

 private:
  void serve();
  void* ctx_ = nullptr;  // SSL_CTX
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_{0};
  std::atomic<int> resumed_{0};
  std::atomic<int> failed_{0};
  std::thread thread_;
};

}  // namespace bh::testing
