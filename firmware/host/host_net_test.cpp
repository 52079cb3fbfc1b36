// HostNet against real sockets on 127.0.0.1.
#include "host_net.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "host_test_support.h"
#include "host_wlan.h"
#include "http_test_server.h"

namespace bh::host {
namespace {

using bh::testing::HttpTestServer;
using bh::testing::Reply;

constexpr Ip4 kLoopback = {{127, 0, 0, 1}};

struct HostNetTest : ::testing::Test {
  HostNetTest() {
    env.timing = bh::testing::fixed_timing();
    env.observer = &rec;
  }
  std::string exchange(Stream* s, const std::string& request) {
    EXPECT_EQ(s->write(reinterpret_cast<const uint8_t*>(request.data()), request.size(), 2000),
              Err::Ok);
    std::string got;
    uint8_t buf[256];
    while (true) {
      const int32_t n = s->read(buf, sizeof buf, 2000);
      if (n <= 0) break;
      got.append(reinterpret_cast<char*>(buf), size_t(n));
    }
    return got;
  }
  Env env;
  bh::testing::Recorder rec;
  HostNet net{env, nullptr};
};

TEST_F(HostNetTest, ConnectToAPortNobodyListensOnIsRefused) {
  Err err = Err::Ok;
  EXPECT_EQ(net.connect(kLoopback, bh::testing::unused_port(), 1000, nullptr, &err), nullptr);
  EXPECT_EQ(err, Err::ConnectFailed);
  EXPECT_EQ(net.open_streams(), 0u);
}

TEST_F(HostNetTest, ConnectWriteAndReadAgainstARealServer) {
  HttpTestServer server;
  Err err = Err::Invalid;
  Stream* s = net.connect(kLoopback, server.port(), 1000, nullptr, &err);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(err, Err::Ok);
  const std::string reply =
      exchange(s, "GET /trigger/hello/with/key/k HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(reply.find("200 OK"), std::string::npos);
  EXPECT_NE(reply.find("Congratulations! You've fired the hello event"), std::string::npos);
  s->close();
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/trigger/hello/with/key/k");
  // The radio sent and received meanwhile.
  bool tx = false, rx = false;
  for (const auto& r : rec.radio) {
    tx |= r.state == RadioState::Tx;
    rx |= r.state == RadioState::Rx;
  }
  EXPECT_TRUE(tx);
  EXPECT_TRUE(rx);
}

TEST_F(HostNetTest, ReadTimesOutWhenTheServerSaysNothingAndVirtualTimeFollows) {
  HttpTestServer server([](const bh::testing::RecordedRequest&) {
    Reply r;
    r.hang = true;
    return r;
  });
  Err err;
  Stream* s = net.connect(kLoopback, server.port(), 1000, nullptr, &err);
  ASSERT_NE(s, nullptr);
  const std::string req = "GET / HTTP/1.1\r\n\r\n";
  ASSERT_EQ(s->write(reinterpret_cast<const uint8_t*>(req.data()), req.size(), 1000), Err::Ok);
  const uint64_t before = env.clock.now_ms();
  uint8_t buf[16];
  EXPECT_EQ(s->read(buf, sizeof buf, 200), -int32_t(Err::Timeout));
  EXPECT_GE(env.clock.now_ms() - before, 200u);
  EXPECT_LT(env.clock.now_ms() - before, 1000u);
  s->close();
}

TEST_F(HostNetTest, PeerCloseReadsAsZero) {
  HttpTestServer server(
      [](const bh::testing::RecordedRequest&) { return Reply{}; });  // says nothing, closes
  Err err;
  Stream* s = net.connect(kLoopback, server.port(), 1000, nullptr, &err);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(exchange(s, "GET / HTTP/1.1\r\n\r\n"), "");
  uint8_t buf[4];
  EXPECT_EQ(s->read(buf, sizeof buf, 500), 0);
  s->close();
}

TEST_F(HostNetTest, DnsTableNamesResolveCaseInsensitivelyAndCostAQuery) {
  env.world.dns["hub.local"] = Endpoint{Ip4{{127, 0, 0, 9}}, 0};
  Ip4 ip;
  const uint64_t before = env.clock.now_ms();
  ASSERT_EQ(net.resolve("Hub.LOCAL", &ip, 5000), Err::Ok);
  EXPECT_EQ(ip_to_string(ip), "127.0.0.9");
  EXPECT_EQ(env.clock.now_ms() - before, 20u);
  EXPECT_EQ(net.resolve("maker1.ifttt.com", &ip, 5000), Err::DnsFailed);
  // Dotted literals are themselves, without a query.
  const uint64_t t = env.clock.now_ms();
  ASSERT_EQ(net.resolve("10.1.2.3", &ip, 5000), Err::Ok);
  EXPECT_EQ(ip_to_string(ip), "10.1.2.3");
  EXPECT_EQ(env.clock.now_ms(), t);
}

TEST_F(HostNetTest, NameWithAPortReachesThatPortWhateverPortIsDialled) {
  HttpTestServer hub;
  HttpTestServer other;
  env.world.dns["maker.ifttt.com"] = Endpoint{kLoopback, hub.port()};
  env.world.dns["other.example"] = Endpoint{kLoopback, other.port()};
  Ip4 maker, second;
  ASSERT_EQ(net.resolve("maker.ifttt.com", &maker, 5000), Err::Ok);
  ASSERT_EQ(net.resolve("other.example", &second, 5000), Err::Ok);
  EXPECT_FALSE(maker == second);
  EXPECT_EQ(maker.b[0], 198);
  EXPECT_EQ(maker.b[1], 18);
  Err err;
  Stream* s = net.connect(maker, 80, 1000, nullptr, &err);
  ASSERT_NE(s, nullptr);
  EXPECT_NE(exchange(s, "GET /trigger/a/with/key/k HTTP/1.1\r\n\r\n").find("200"),
            std::string::npos);
  s->close();
  EXPECT_EQ(hub.request_count(), 1u);
  EXPECT_EQ(other.request_count(), 0u);
}

TEST_F(HostNetTest, WorldRoutesMapLanAddressesToLocalServers) {
  HttpTestServer server;
  env.world.routes[{ip_to_u32(Ip4{{192, 168, 0, 10}}), 80}] = Endpoint{kLoopback, server.port()};
  Err err;
  Stream* s = net.connect(Ip4{{192, 168, 0, 10}}, 80, 1000, nullptr, &err);
  ASSERT_NE(s, nullptr);
  EXPECT_NE(exchange(s, "GET / HTTP/1.1\r\n\r\n").find("200 OK"), std::string::npos);
  s->close();
  EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(HostNetTest, AddressOutsideTheWorldTimesOutInVirtualTimeOnly) {
  Err err;
  const auto real_start = std::chrono::steady_clock::now();
  EXPECT_EQ(net.connect(Ip4{{93, 184, 216, 34}}, 80, 10000, nullptr, &err), nullptr);
  EXPECT_EQ(err, Err::ConnectTimeout);
  EXPECT_EQ(env.clock.now_ms(), 10000u);
  EXPECT_LT(std::chrono::steady_clock::now() - real_start, std::chrono::seconds(1));
}

TEST_F(HostNetTest, WithoutWifiThereIsNoNetwork) {
  HostWlan sta(env, HostWlan::Interface::Station);
  HostNet offline(env, &sta);
  env.world.dns["hub.local"] = Endpoint{kLoopback, 0};
  Ip4 ip;
  EXPECT_EQ(offline.resolve("hub.local", &ip, 1000), Err::DnsFailed);
  Err err;
  EXPECT_EQ(offline.connect(kLoopback, 80, 1000, nullptr, &err), nullptr);
  EXPECT_EQ(err, Err::ConnectFailed);
}

TEST_F(HostNetTest, StreamPoolIsFixed) {
  HttpTestServer server;
  Stream* streams[HostNet::kMaxStreams];
  Err err;
  for (auto& s : streams) {
    s = net.connect(kLoopback, server.port(), 1000, nullptr, &err);
    ASSERT_NE(s, nullptr);
  }
  EXPECT_EQ(net.connect(kLoopback, server.port(), 1000, nullptr, &err), nullptr);
  EXPECT_EQ(err, Err::Overflow);
  streams[0]->close();
  EXPECT_NE(net.connect(kLoopback, server.port(), 1000, nullptr, &err), nullptr);
  net.close_all();
  EXPECT_EQ(net.open_streams(), 0u);
}

TEST_F(HostNetTest, ListenAndAcceptARealClient) {
  Err err;
  Listener* l = net.listen(0, &err);
  ASSERT_NE(l, nullptr);
  const uint16_t port = net.listener_port(l);
  ASSERT_NE(port, 0);
  EXPECT_EQ(l->accept(50, &err), nullptr);
  EXPECT_EQ(err, Err::Timeout);

  std::thread client([port] {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      (void)!::write(fd, "hi", 2);
    }
    ::close(fd);
  });
  Stream* s = l->accept(2000, &err);
  ASSERT_NE(s, nullptr);
  uint8_t buf[8];
  int32_t n = s->read(buf, sizeof buf, 2000);
  client.join();
  ASSERT_EQ(n, 2);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 2), "hi");
  s->close();
  l->close();
  EXPECT_EQ(net.listener_port(l), 0);
}

}  // namespace
}  // namespace bh::host
