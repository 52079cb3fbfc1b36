// TLS on the host: BearSSL against a real OpenSSL server on 127.0.0.1.
#include <gtest/gtest.h>

#include <string>

#include "host_net.h"
#include "host_test_support.h"
#include "tls_test_server.h"

namespace bh::host {
namespace {

using bh::testing::TestPki;
using bh::testing::TlsTestServer;

constexpr Ip4 kLoopback = {{127, 0, 0, 1}};

struct HostTlsTest : ::testing::Test {
  static void SetUpTestSuite() { pki = new TestPki(bh::testing::make_test_pki("hub.test")); }
  static void TearDownTestSuite() { delete pki; }
  void SetUp() override {
    if (pki->dir.empty()) GTEST_SKIP() << "the openssl tool is not installed";
    env.timing = bh::testing::fixed_timing();
    env.observer = &rec;
  }
  // One request over TLS; "" when the connect fails (then err says why).
  std::string post(uint16_t port, const TlsOptions& tls, Err* err) {
    Stream* s = net.connect(kLoopback, port, 2000, &tls, err);
    if (!s) return "";
    const std::string req = "POST / HTTP/1.1\r\nHost: hub.test\r\nContent-Length: 0\r\n\r\n";
    EXPECT_EQ(s->write(reinterpret_cast<const uint8_t*>(req.data()), req.size(), 2000), Err::Ok);
    std::string got;
    uint8_t buf[256];
    while (true) {
      const int32_t n = s->read(buf, sizeof buf, 2000);
      if (n <= 0) break;
      got.append(reinterpret_cast<char*>(buf), size_t(n));
    }
    s->close();
    return got;
  }
  bool logged(const std::string& text) const {
    for (const auto& [t, line] : rec.serial) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  static TestPki* pki;
  Env env;
  bh::testing::Recorder rec;
  HostNet net{env, nullptr};
};
TestPki* HostTlsTest::pki = nullptr;

TEST_F(HostTlsTest, SecondConnectResumesTheSavedSessionOnTheServerToo) {
  TlsTestServer server(*pki);
  TlsSession session{};
  TlsOptions tls;
  tls.sni = "hub.test";
  tls.ca_pem = StrRef(pki->ca_pem.data(), pki->ca_pem.size());
  tls.session = &session;
  Err err = Err::Invalid;

  uint64_t t0 = env.clock.now_ms();
  EXPECT_NE(post(server.port(), tls, &err).find("200 OK"), std::string::npos);
  EXPECT_EQ(err, Err::Ok);
  EXPECT_GT(session.id_len, 0u);
  EXPECT_EQ(session.resumed, 0u);
  EXPECT_GE(env.clock.now_ms() - t0, 2040u);  // the model's full handshake

  const TlsSession first = session;
  t0 = env.clock.now_ms();
  EXPECT_NE(post(server.port(), tls, &err).find("200 OK"), std::string::npos);
  EXPECT_EQ(session.resumed, 1u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(session.id), session.id_len),
            std::string(reinterpret_cast<const char*>(first.id), first.id_len));
  EXPECT_GE(env.clock.now_ms() - t0, 390u);
  EXPECT_LT(env.clock.now_ms() - t0, 2040u);
  EXPECT_EQ(server.handshakes(), 2);
  EXPECT_EQ(server.resumed(), 1);  // the server agrees: it reused the session
}

TEST_F(HostTlsTest, AServerWithoutASessionCacheGetsAFullHandshakeAndANewSession) {
  TlsTestServer server(*pki, /*session_cache=*/false);
  TlsSession session{};
  TlsOptions tls;
  tls.sni = "hub.test";
  tls.ca_pem = StrRef(pki->ca_pem.data(), pki->ca_pem.size());
  tls.session = &session;
  Err err = Err::Invalid;
  post(server.port(), tls, &err);
  post(server.port(), tls, &err);
  EXPECT_EQ(err, Err::Ok);
  EXPECT_EQ(session.resumed, 0u);
  EXPECT_EQ(server.resumed(), 0);
  EXPECT_EQ(server.handshakes(), 2);
}

TEST_F(HostTlsTest, TheRightFingerprintConnectsAndAWrongOneFailsClearly) {
  TlsTestServer server(*pki);
  TlsOptions tls;
  tls.sni = "hub.test";
  tls.fingerprint_sha1 = StrRef(pki->sha1.data(), pki->sha1.size());
  Err err = Err::Invalid;
  EXPECT_NE(post(server.port(), tls, &err).find("200 OK"), std::string::npos);
  EXPECT_EQ(err, Err::Ok);

  std::string wrong = pki->sha1;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  tls.fingerprint_sha1 = StrRef(wrong.data(), wrong.size());
  EXPECT_EQ(post(server.port(), tls, &err), "");
  EXPECT_EQ(err, Err::TlsFailed);
  EXPECT_TRUE(logged("TLS: handshake with hub.test failed: the certificate's SHA-1 fingerprint "
                     "does not match TLS_FINGERPRINT"));
  EXPECT_EQ(net.open_streams(), 0u);
}

TEST_F(HostTlsTest, AnotherCaOrAnotherHostNameFailsClearly) {
  TlsTestServer server(*pki);
  TlsOptions tls;
  tls.sni = "hub.test";
  tls.ca_pem = StrRef(pki->other_ca_pem.data(), pki->other_ca_pem.size());
  Err err = Err::Invalid;
  EXPECT_EQ(post(server.port(), tls, &err), "");
  EXPECT_EQ(err, Err::TlsFailed);
  EXPECT_TRUE(logged("the certificate is not signed by the CA in TLS_CA"));

  tls.ca_pem = StrRef(pki->ca_pem.data(), pki->ca_pem.size());
  tls.sni = "elsewhere.test";
  EXPECT_EQ(post(server.port(), tls, &err), "");
  EXPECT_EQ(err, Err::TlsFailed);
  EXPECT_TRUE(logged("expected server name"));
}

TEST_F(HostTlsTest, NoWayToCheckTheServerIsRefusedUpFront) {
  TlsTestServer server(*pki);
  TlsOptions tls;
  tls.sni = "hub.test";
  Err err = Err::Invalid;
  EXPECT_EQ(post(server.port(), tls, &err), "");
  EXPECT_EQ(err, Err::TlsFailed);
  EXPECT_TRUE(logged("TLS: no CA certificate, fingerprint or insecure flag given"));
}

TEST_F(HostTlsTest, InsecureSkipsEveryCheck) {
  TlsTestServer server(*pki);
  TlsOptions tls;
  tls.sni = "elsewhere.test";
  tls.insecure = true;
  Err err = Err::Invalid;
  EXPECT_NE(post(server.port(), tls, &err).find("200 OK"), std::string::npos);
  EXPECT_EQ(err, Err::Ok);
}

}  // namespace
}  // namespace bh::host
