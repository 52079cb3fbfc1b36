// bh::HttpClient (firmware/core) over HostNet against a real local server.
#include "http_client.h"

#include <gtest/gtest.h>

#include <string>

#include "host_machine.h"
#include "host_net.h"
#include "host_test_support.h"
#include "http_test_server.h"

namespace bh::host {
namespace {

using bh::testing::HttpTestServer;
using bh::testing::RecordedRequest;
using bh::testing::Reply;

struct HttpClientTest : ::testing::Test {
  HttpClientTest() { env.timing = bh::testing::fixed_timing(); }

  HttpResult post(HttpTestServer& server, uint32_t timeout_ms = 2000) {
    env.world.dns["hub.test"] = Endpoint{Ip4{{127, 0, 0, 1}}, server.port()};
    const HttpRequest req = bh::testing::webhook_post(timeout_ms);
    HttpResult result;
    HttpClient client(net, machine);
    client.request(req, &result);
    return result;
  }

  Env env;
  HostNet net{env, nullptr};
  HostMachine machine{env};
};

TEST_F(HttpClientTest, OkWithContentLength) {
  HttpTestServer server;
  const HttpResult r = post(server);
  EXPECT_EQ(r.err, Err::Ok) << err_name(r.err);
  EXPECT_EQ(r.status, 200);
  EXPECT_STREQ(r.body.c_str(), "Congratulations! You've fired the button_pressed event");
  ASSERT_EQ(server.request_count(), 1u);
  const RecordedRequest req = server.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/trigger/button_pressed/with/key/k");
  EXPECT_EQ(req.header("Content-Type"), "application/json");
  EXPECT_EQ(req.header("Host"), "hub.test");
  EXPECT_EQ(req.body, "{\"value1\":\"micropython1\"}");
}

TEST_F(HttpClientTest, ChunkedReply) {
  HttpTestServer server([](const RecordedRequest&) {
    return Reply::chunked(200, {"Congratulations! ", "You've fired ", "the event"});
  });
  const HttpResult r = post(server);
  EXPECT_EQ(r.err, Err::Ok) << err_name(r.err);
  EXPECT_EQ(r.status, 200);
  EXPECT_STREQ(r.body.c_str(), "Congratulations! You've fired the event");
}

TEST_F(HttpClientTest, ServerErrorIsHttpStatusWithTheBody) {
  HttpTestServer server(
      [](const RecordedRequest&) { return Reply::status(500, "database is down"); });
  const HttpResult r = post(server);
  EXPECT_EQ(r.err, Err::HttpStatus);
  EXPECT_EQ(r.status, 500);
  EXPECT_STREQ(r.body.c_str(), "database is down");
}

TEST_F(HttpClientTest, ServerThatNeverAnswersTimesOut) {
  HttpTestServer server([](const RecordedRequest&) {
    Reply r;
    r.hang = true;
    return r;
  });
  const auto start = std::chrono::steady_clock::now();
  const HttpResult r = post(server, 300);
  EXPECT_EQ(r.err, Err::Timeout) << err_name(r.err);
  EXPECT_EQ(r.status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(HttpClientTest, ServerClosingMidBodyIsClosed) {
  HttpTestServer server([](const RecordedRequest&) {
    Reply r = Reply::status(200, std::string(100, 'x'));
    r.cut_after = r.raw.size() - 60;
    return r;
  });
  const HttpResult r = post(server);
  EXPECT_EQ(r.err, Err::Closed) << err_name(r.err);
}

TEST_F(HttpClientTest, RefusedConnectionIsConnectFailed) {
  env.world.dns["hub.test"] = Endpoint{Ip4{{127, 0, 0, 1}}, bh::testing::unused_port()};
  HttpRequest req;
  req.url = "http://hub.test/";
  HttpResult result;
  HttpClient client(net, machine);
  client.request(req, &result);
  EXPECT_EQ(result.err, Err::ConnectFailed);
}

TEST_F(HttpClientTest, UnknownNameIsDnsFailed) {
  HttpRequest req;
  req.url = "http://maker1.ifttt.com/trigger/x/with/key/k";
  HttpResult result;
  HttpClient client(net, machine);
  client.request(req, &result);
  EXPECT_EQ(result.err, Err::DnsFailed);
}

}  // namespace
}  // namespace bh::host
