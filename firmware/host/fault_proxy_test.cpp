// The world's network faults as bh::HttpClient (firmware/core) sees them
// over HostNet, against a real server that records what reached it: each
// fault on the HTTP path played by the real FaultProxy, the resolver and
// refused connections by HostNet, and the modelled network time.
#include "fault_proxy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "host_machine.h"
#include "host_net.h"
#include "host_test_support.h"
#include "http_client.h"
#include "http_test_server.h"

namespace bh::host {
namespace {

using bh::testing::HttpTestServer;
using std::chrono::steady_clock;

constexpr uint32_t kTimeoutMs = 10000;

struct NetFaultTest : ::testing::Test {
  NetFaultTest() { env.timing = bh::testing::fixed_timing(); }

  void fault(FaultKind kind, TimeWindow window = TimeWindow{}, int status = 500) {
    env.world.faults.push_back(Fault{kind, window, status});
  }

  HttpResult post() {
    env.world.dns["hub.test"] = Endpoint{Ip4{{127, 0, 0, 1}}, server.port()};
    const HttpRequest req = bh::testing::webhook_post(kTimeoutMs);
    HttpResult result;
    HttpClient client(net, machine);
    const auto real_start = steady_clock::now();
    client.request(req, &result);
    real_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - real_start)
            .count();
    EXPECT_EQ(net.open_streams(), 0u);
    return result;
  }
  // The server's thread handles a connection after the client is done with
  // it: give it a moment to record (or not) what it got.
  size_t requests_seen(size_t at_least = 0) {
    server.wait_for_requests(at_least, 2000);
    return server.request_count();
  }

  HttpTestServer server;
  Env env;
  HostNet net{env, nullptr};
  HostMachine machine{env};
  int64_t real_ms = 0;
};

TEST_F(NetFaultTest, NoFaultGoesStraightToTheServer) {
  const HttpResult r = post();
  EXPECT_EQ(r.err, Err::Ok) << err_name(r.err);
  EXPECT_EQ(requests_seen(1), 1u);
  EXPECT_EQ(env.fault_proxy, nullptr);  // the proxy starts only when a fault needs it
}

TEST_F(NetFaultTest, Hub5xxIsAnsweredByTheProxyAndTheServerSeesNothing) {
  fault(FaultKind::Http5xx);
  const HttpResult r = post();
  EXPECT_EQ(r.err, Err::HttpStatus) << err_name(r.err);
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(std::string(r.body.c_str()).find("fault injected: hub-5xx"), std::string::npos);
  EXPECT_EQ(server.connection_count(), 0u);
  ASSERT_NE(env.fault_proxy, nullptr);
  EXPECT_EQ(env.fault_proxy->played(FaultKind::Http5xx), 1u);
}

TEST_F(NetFaultTest, Hub5xxAnswersTheStatusItIsGiven) {
  fault(FaultKind::Http5xx, TimeWindow{}, 503);
  EXPECT_EQ(post().status, 503);
}

TEST_F(NetFaultTest, HubSlowTimesOutInVirtualTimeAfterTheServerGotTheRequest) {
  fault(FaultKind::HttpSlow);
  const uint64_t t0 = env.clock.now_us();
  const HttpResult r = post();
  EXPECT_EQ(r.err, Err::Timeout) << err_name(r.err);
  EXPECT_EQ(r.status, 0);
  // The server answered (committed, for a hub); the board never heard it.
  EXPECT_EQ(requests_seen(1), 1u);
  EXPECT_GE(env.clock.now_us() - t0, uint64_t(kTimeoutMs) * 1000);
  EXPECT_LT(real_ms, 2000) << "the held answer must not cost the real timeout";
}

TEST_F(NetFaultTest, ResetMidRequestIsAnIoErrorAndTheServerGetsOnlyHalfARequest) {
  fault(FaultKind::ResetMidRequest);
  const HttpResult r = post();
  EXPECT_EQ(r.err, Err::IoError) << err_name(r.err);
  // The server's side was opened and closed with half a request: nothing to record.
  for (int i = 0; i < 200 && server.connection_count() == 0; ++i) {
    server.wait_for_requests(1, 10);
  }
  EXPECT_EQ(server.connection_count(), 1u);
  EXPECT_EQ(requests_seen(), 0u);
}

TEST_F(NetFaultTest, ResetAfterForwardIsAnIoErrorAfterTheServerAnswered) {
  fault(FaultKind::ResetAfterForward);
  const HttpResult r = post();
  EXPECT_EQ(r.err, Err::IoError) << err_name(r.err);
  EXPECT_EQ(requests_seen(1), 1u);
}

TEST_F(NetFaultTest, ProxyFaultWithTheServerGoneResetsTheBoard) {
  fault(FaultKind::ResetAfterForward);
  env.world.dns["hub.test"] = Endpoint{Ip4{{127, 0, 0, 1}}, bh::testing::unused_port()};
  HttpRequest req;
  req.url = "http://hub.test/";
  req.timeout_ms = kTimeoutMs;
  HttpResult r;
  HttpClient(net, machine).request(req, &r);
  EXPECT_EQ(r.err, Err::IoError) << err_name(r.err);
}

TEST_F(NetFaultTest, HubDownRefusesTheConnection) {
  fault(FaultKind::HubDown);
  const HttpResult r = post();
  EXPECT_EQ(r.err, Err::ConnectFailed) << err_name(r.err);
  EXPECT_EQ(server.connection_count(), 0u);
}

TEST_F(NetFaultTest, DnsFailureFailsEveryNameButNotLiterals) {
  fault(FaultKind::DnsFailure);
  EXPECT_EQ(post().err, Err::DnsFailed);
  Ip4 ip;
  EXPECT_EQ(net.resolve("127.0.0.1", &ip, 1000), Err::Ok);
  EXPECT_EQ(server.connection_count(), 0u);
}

TEST_F(NetFaultTest, AFaultActsOnlyInsideItsWindowOfVirtualTime) {
  fault(FaultKind::Http5xx, TimeWindow{10000, 20000});
  EXPECT_EQ(post().err, Err::Ok);
  env.clock.advance_ms(10000 - env.clock.now_ms());
  EXPECT_EQ(post().status, 500);
  env.clock.advance_ms(20000 - env.clock.now_ms());
  EXPECT_EQ(post().err, Err::Ok);
  EXPECT_EQ(requests_seen(2), 2u);
}

TEST_F(NetFaultTest, ModelledNetworkCostsOneRoundTripForTheConnectAndOneForTheAnswer) {
  env.net_round_trip = RangeMs{7, 7};
  const uint64_t t0 = env.clock.now_us();
  EXPECT_EQ(post().err, Err::Ok);
  // DNS 20 ms (fixed timing) + connect 7 + answer 7; writes and the rest of
  // the answer cost nothing, however the bytes were split.
  EXPECT_EQ(env.clock.now_us() - t0, 34'000u);
}

TEST_F(NetFaultTest, OneProxyServesManyBoards) {
  fault(FaultKind::Http5xx);
  env.fault_proxy = std::make_shared<FaultProxy>();
  Env other;
  other.timing = bh::testing::fixed_timing();
  other.world = env.world;
  other.world.dns["hub.test"] = Endpoint{Ip4{{127, 0, 0, 1}}, server.port()};
  other.fault_proxy = env.fault_proxy;
  HostNet other_net{other, nullptr};
  HostMachine other_machine{other};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(post().status, 500);
    HttpRequest req;
    req.url = "http://hub.test/";
    HttpResult r;
    HttpClient(other_net, other_machine).request(req, &r);
    EXPECT_EQ(r.status, 500);
  }
  EXPECT_EQ(env.fault_proxy->played(FaultKind::Http5xx), 6u);
}

}  // namespace
}  // namespace bh::host
