// The board's HTTP request reader, on scripted streams.
#include "http_request.h"

#include <gtest/gtest.h>

#include "fake_board.h"
#include "fake_net.h"

namespace bh {
namespace {

using testing::FakeMachine;
using testing::FakeStream;

TEST(HttpRequestTest, KeepsWhatTheConsoleAndPortalNeed) {
  FakeMachine m;
  FakeStream s(&m);
  s.data(
       "POST /?a=1 HTTP/1.1\r\nHost: x\r\nCONTENT-LENGTH: 12\r\nUpgrade: WebSocket\r\n"
       "Sec-WebSocket-Key: abc==\r\n\r\nbody follows")
      .max_read(7);
  HttpRequestHead h;
  ASSERT_EQ(read_request_head(s, m, &h, 100, 1000), Err::Ok);
  EXPECT_TRUE(h.post);
  EXPECT_TRUE(h.root);
  EXPECT_TRUE(h.websocket);
  EXPECT_EQ(h.content_length, 12u);
  EXPECT_EQ(std::string(h.ws_key.c_str()), "abc==");
  uint8_t body[12];
  EXPECT_TRUE(read_exact(s, body, sizeof body, 100));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(body), 12), "body follows");
}

TEST(HttpRequestTest, BareLfAndOtherPaths) {
  FakeMachine m;
  FakeStream s(&m);
  s.data("GET /favicon.ico HTTP/1.0\n\n");
  HttpRequestHead h;
  ASSERT_EQ(read_request_head(s, m, &h, 100, 1000), Err::Ok);
  EXPECT_FALSE(h.post);
  EXPECT_FALSE(h.root);
  EXPECT_FALSE(h.websocket);
}

TEST(HttpRequestTest, SilenceTimesOutAndCloseIsClosed) {
  FakeMachine m;
  FakeStream silent(&m);
  silent.then_hang();
  HttpRequestHead h;
  EXPECT_EQ(read_request_head(silent, m, &h, 100, 1000), Err::Timeout);
  EXPECT_EQ(m.now, 100u) << "the first byte's wait";
  FakeStream slow(&m);
  slow.data("GET / HTTP/1.1\r\n").then_hang();
  EXPECT_EQ(read_request_head(slow, m, &h, 100, 1000), Err::Timeout);
  FakeStream closed(&m);
  closed.data("GET / HTTP/1.1\r\n");
  EXPECT_EQ(read_request_head(closed, m, &h, 100, 1000), Err::Closed);
}

TEST(HttpRequestTest, AnEndlessHeadIsRefused) {
  FakeMachine m;
  FakeStream s(&m);
  s.data("GET / HTTP/1.1\r\nX: " + std::string(5000, 'a') + "\r\n\r\n");
  HttpRequestHead h;
  EXPECT_EQ(read_request_head(s, m, &h, 100, 1000), Err::Overflow);
}

}  // namespace
}  // namespace bh
