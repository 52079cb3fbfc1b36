#include "tls_test_server.h"

#include <arpa/inet.h>   // htonl
#include <netinet/in.h>  // sockaddr_in
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>        // poll
#include <stdio.h>       // popen
#include <stdlib.h>      // mkdtemp, system
#include <sys/socket.h>  // socket
#include <unistd.h>      // close

#include <filesystem>  // the temporary directory
#include <fstream>     // reading the PEM files
#include <sstream>     // whole files
#include <vector>      // directories to remove

namespace bh::testing {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool run(const std::string& cmd) {
  return system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

// The directories made for the run go when the test binary ends.
std::vector<std::string>& made_dirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

void remove_made_dirs() {
  for (const auto& d : made_dirs()) {
    std::error_code ignored;
    std::filesystem::remove_all(d, ignored);
  }
}

}  // namespace

TestPki make_test_pki(const std::string& host) {
  TestPki pki;
  std::string tmpl = (std::filesystem::temp_directory_path() / "bh-tls-test.XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return pki;
  const std::string d = tmpl;
  if (made_dirs().empty()) atexit(remove_made_dirs);
  made_dirs().push_back(d);
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  const bool ok =
      run("openssl req -x509 " + ec + " -keyout " + d + "/ca.key -out " + d +
          "/ca.pem -days 2 -subj '/CN=Buttonhook test CA'") &&
      run("openssl req -x509 " + ec + " -keyout " + d + "/other.key -out " + d +
          "/other.pem -days 2 -subj '/CN=Another CA'") &&
      run("openssl req " + ec + " -keyout " + d + "/server.key -out " + d +
          "/server.csr -subj '/CN=" + host + "'") &&
      run("printf 'subjectAltName=DNS:" + host + "\\n' > " + d + "/san.ext") &&
      run("openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d +
          "/ca.key -CAcreateserial -days 2 -extfile " + d + "/san.ext -out " + d + "/server.pem") &&
      run("sh -c 'openssl x509 -in " + d + "/server.pem -noout -fingerprint -sha1 > " + d +
          "/sha1'");
  if (!ok) return pki;
  pki.dir = d;
  pki.ca_pem = slurp(d + "/ca.pem");
  pki.other_ca_pem = slurp(d + "/other.pem");
  pki.cert_file = d + "/server.pem";
  pki.key_file = d + "/server.key";
  const std::string line = slurp(d + "/sha1");  // "sha1 Fingerprint=AB:CD:..."
  const size_t eq = line.find('=');
  pki.sha1 = eq == std::string::npos ? "" : line.substr(eq + 1, 59);
  return pki;
}

TlsTestServer::TlsTestServer(const TestPki& pki, bool session_cache) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate_file(ctx, pki.cert_file.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_use_PrivateKey_file(ctx, pki.key_file.c_str(), SSL_FILETYPE_PEM);
  // Session IDs only: BearSSL does not do tickets.
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  static const unsigned char kId[] = "buttonhook-test";
  SSL_CTX_set_session_id_context(ctx, kId, sizeof kId - 1);
  SSL_CTX_set_session_cache_mode(ctx, session_cache ? SSL_SESS_CACHE_SERVER : SSL_SESS_CACHE_OFF);
  ctx_ = ctx;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(fd_, 8);
  socklen_t len = sizeof a;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { serve(); });
}

TlsTestServer::~TlsTestServer() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

void TlsTestServer::serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) continue;
    SSL* ssl = SSL_new(static_cast<SSL_CTX*>(ctx_));
    SSL_set_fd(ssl, c);
    if (SSL_accept(ssl) == 1) {
      ++handshakes_;
      if (SSL_session_reused(ssl)) ++resumed_;
      std::string req;
      char buf[512];
      while (req.find("\r\n\r\n") == std::string::npos) {
        const int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, size_t(n));
      }
      const char kReply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      SSL_write(ssl, kReply, sizeof kReply - 1);
      SSL_shutdown(ssl);
    } else {
      ++failed_;
      ERR_clear_error();
    }
    SSL_free(ssl);
    ::close(c);
  }
}

}  // namespace bh::testing
