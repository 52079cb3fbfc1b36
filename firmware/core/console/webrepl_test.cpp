// The console's wire on an in-memory board: the WebSocket upgrade, the
// password, lockout, one client at a time, and WebREPL file transfer, with
// frames as webrepl_cli.py (unmasked) and browsers (masked) send them.
#include <gtest/gtest.h>

#include "remote_board.h"

namespace bh {
namespace {

using namespace bh::testing;  // NOLINT: test helpers

class WebReplTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener = &board.boot_console();
    ASSERT_EQ(board.console_boot, BootOutcome::StayAwake);
    ASSERT_EQ(board.app->remote().mode(), Remote::Mode::Console);
  }
  // A client that has logged in (the CLI's way: password in a binary frame).
  FakeStream& client(const std::string& after_login = "", bool masked = false) {
    FakeStream& c = listener->incoming();
    c.data(upgrade_request("foo"))
        .data(ws_binary("secret\r", masked))
        .data(after_login)
        .then_hang();
    return c;
  }

  RemoteBoard board;
  FakeListener* listener = nullptr;
};

TEST_F(WebReplTest, UpgradeAnswersTheCliKeyAsMicroPythonDoes) {
  FakeStream& c = client();
  board.loop();
  ServerReply r(c.written);
  EXPECT_NE(r.head.find("HTTP/1.1 101 Switching Protocols\r\n"), std::string::npos);
  EXPECT_NE(r.head.find("Sec-WebSocket-Accept: BM0S0+ghftShuFVHQATK/DBiJq8=\r\n"),
            std::string::npos);
  EXPECT_FALSE(r.bad);
  EXPECT_EQ(r.text(), "Password: \r\nWebREPL connected\r\n>>> ");
}

TEST_F(WebReplTest, UpgradeAnswersRfc6455sExampleKey) {
  FakeStream& c = listener->incoming();
  c.data(
       "GET /ws HTTP/1.1\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n"
       "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
      .then_hang();
  board.loop();
  EXPECT_NE(c.written.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos)
      << c.written;
}

TEST_F(WebReplTest, NotAnUpgradeIsClosed) {
  FakeStream& c = listener->incoming();
  c.data("GET / HTTP/1.1\r\nHost: x\r\n\r\n").then_hang();
  board.loop();
  EXPECT_TRUE(c.closed());
  EXPECT_EQ(c.written, "");
}

TEST_F(WebReplTest, BrowserTypesThePasswordKeyByKeyInMaskedTextFrames) {
  FakeStream& c = listener->incoming();
  c.data(upgrade_request("dGhlIHNhbXBsZSBub25jZQ=="));
  for (char ch : std::string("secret\r")) c.data(ws_text(std::string(1, ch)));
  c.then_hang();
  board.loop();
  EXPECT_EQ(ServerReply(c.written).text(), "Password: \r\nWebREPL connected\r\n>>> ");
  EXPECT_TRUE(board.logged("WebREPL: client logged in"));
}

TEST_F(WebReplTest, WrongPasswordIsDeniedClosedAndTheNextTryWaitsLongerEachTime) {
  FakeStream& first = listener->incoming();
  first.data(upgrade_request("foo")).data(ws_binary("guess\r", false)).then_hang();
  board.loop();
  EXPECT_EQ(ServerReply(first.written).text(), "Password: \r\nAccess denied\r\n");
  EXPECT_TRUE(first.closed());
  EXPECT_TRUE(board.logged("wrong password; next try in 1 s"));

  // The next client gets no prompt until the delay is over.
  FakeStream& second = listener->incoming();
  second.data(upgrade_request("foo")).data(ws_binary("guess2\r", false)).then_hang();
  board.loop();
  EXPECT_EQ(ServerReply(second.written).text(), "");
  board.machine.now += 1000;
  board.loop();
  EXPECT_EQ(ServerReply(second.written).text(), "Password: \r\nAccess denied\r\n");
  EXPECT_TRUE(board.logged("next try in 2 s"));

  FakeStream& third = client();
  board.machine.now += 1999;
  board.loop();
  EXPECT_EQ(ServerReply(third.written).text(), "");
  board.machine.now += 1;
  board.loop();
  EXPECT_EQ(ServerReply(third.written).text(), "Password: \r\nWebREPL connected\r\n>>> ");
}

TEST_F(WebReplTest, ALongerPasswordIsWrongToo) {
  FakeStream& c = listener->incoming();
  c.data(upgrade_request("foo")).data(ws_binary("secret1234\r")).then_hang();
  board.loop();
  EXPECT_NE(ServerReply(c.written).text().find("Access denied"), std::string::npos);
}

TEST_F(WebReplTest, OneClientAtATime) {
  FakeStream& first = client();
  board.loop();
  FakeStream& second = listener->incoming();
  second.data(upgrade_request("foo")).then_hang();
  board.loop();
  EXPECT_TRUE(second.closed());
  EXPECT_EQ(second.written, "");
  EXPECT_FALSE(first.closed());
}

TEST_F(WebReplTest, AClientThatLeavesFreesTheConsole) {
  FakeStream& first = listener->incoming();
  first.data(upgrade_request("foo")).data(ws_binary("secret\r")).data(ws_frame(8, "")).then_hang();
  board.loop();
  EXPECT_TRUE(first.closed());
  FakeStream& second = client();
  board.loop();
  EXPECT_NE(ServerReply(second.written).text().find("WebREPL connected"), std::string::npos);
}

TEST_F(WebReplTest, WithoutAPasswordNobodyGetsIn) {
  board.files.files.erase("/webrepl_cfg.py");
  FakeStream& c = client();
  board.loop();
  EXPECT_TRUE(c.closed());
  EXPECT_EQ(c.written, "");
}

TEST_F(WebReplTest, TheLoginTextGoesOutBeforeTheVersionReply) {
  // webrepl_cli.py sends its version query right after the password, then
  // skips text frames until the reply: the text must not come after it.
  FakeStream& c = client(ws_binary(webrepl_request(3, 0, ""), false));
  board.loop();
  const ServerReply r(c.written);
  ASSERT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.frames[1].payload, "\r\nWebREPL connected\r\n>>> ");
  EXPECT_EQ(r.frames[2].opcode, 2);
}

TEST_F(WebReplTest, VersionQueryGetsThreeBytesAndNoStatus) {
  FakeStream& c = client(ws_binary(webrepl_request(3, 0, "")));
  board.loop();
  EXPECT_EQ(ServerReply(c.written).binary(), (std::vector<std::string>{std::string("\0\1\0", 3)}));
}

TEST_F(WebReplTest, PutOfABinaryFileLargerThanAFrameArrivesExactly) {
  std::string data;
  for (int i = 0; i < 3000; ++i) data += char((i * 7) & 255);  // every byte value
  const std::string req = webrepl_request(1, uint32_t(data.size()), "/ca.pem");
  // As the CLI sends it: the header in 10 + 72 bytes, data in 1024-byte frames.
  FakeStream& c =
      client(ws_binary(req.substr(0, 10), false) + ws_binary(req.substr(10), false) +
             ws_binary(data.substr(0, 1024), false) + ws_binary(data.substr(1024, 1024), false) +
             ws_binary(data.substr(2048), false));
  c.max_read(100);  // TCP hands bytes over in pieces
  board.loop(10);
  EXPECT_EQ(board.files.files["/ca.pem"], data);
  EXPECT_EQ(ServerReply(c.written).binary(),
            (std::vector<std::string>{status_frame(0), status_frame(0)}));
}

TEST_F(WebReplTest, PutFromTheBrowserNamesTheFileWithoutASlash) {
  FakeStream& c = client(ws_binary(webrepl_request(1, 5, "notes.txt")) + ws_binary("hello"));
  board.loop();
  EXPECT_EQ(board.files.files["/notes.txt"], "hello");
  EXPECT_NE(ServerReply(c.written).text().find("/notes.txt: saved"), std::string::npos);
}

TEST_F(WebReplTest, PutOfAnEmptyFile) {
  FakeStream& c = client(ws_binary(webrepl_request(1, 0, "/empty")));
  board.loop();
  EXPECT_EQ(board.files.files.count("/empty"), 1u);
  EXPECT_EQ(board.files.files["/empty"], "");
  EXPECT_EQ(ServerReply(c.written).binary().size(), 2u);
}

TEST_F(WebReplTest, PutLargerThanTheBoardTakesIsRefusedAtOnce) {
  FakeStream& c = client(ws_binary(webrepl_request(1, 5000, "/big.bin")));
  board.loop();
  ServerReply r(c.written);
  EXPECT_EQ(r.binary(), (std::vector<std::string>{status_frame(27)}));
  EXPECT_NE(r.text().find("/big.bin: too large: the board takes files up to 4096 bytes"),
            std::string::npos);
  EXPECT_EQ(board.files.files.count("/big.bin"), 0u);
}

TEST_F(WebReplTest, PutOfConfigPyIsReadAtOnceAndItsErrorsShown) {
  const std::string bad = "WIFI_SSID = 'home'\n";
  FakeStream& c =
      client(ws_binary(webrepl_request(1, uint32_t(bad.size()), "config.py")) + ws_binary(bad));
  board.loop();
  EXPECT_EQ(board.files.files["/config.py"], bad);
  const std::string text = ServerReply(c.written).text();
  EXPECT_NE(text.find("WIFI_PASSWORD is missing"), std::string::npos) << text;
}

TEST_F(WebReplTest, GetSendsChunksOf256AndAnEmptyOneThenTheStatus) {
  std::string data;
  for (int i = 0; i < 600; ++i) data += char(255 - (i & 255));
  board.files.files["/data.bin"] = data;
  std::string script = ws_binary(webrepl_request(2, 0, "/data.bin"), false);
  for (int i = 0; i < 4; ++i) script += ws_binary(std::string(1, '\0'), false);
  FakeStream& c = client(script);
  board.loop(6);
  const auto bin = ServerReply(c.written).binary();
  ASSERT_EQ(bin.size(), 6u);
  EXPECT_EQ(bin[0], status_frame(0));
  std::string got;
  const size_t sizes[] = {256, 256, 88, 0};
  for (int i = 0; i < 4; ++i) {
    const std::string& f = bin[1 + i];
    ASSERT_GE(f.size(), 2u);
    const size_t n = uint8_t(f[0]) | uint8_t(f[1]) << 8;
    EXPECT_EQ(n, sizes[i]);
    EXPECT_EQ(f.size(), 2 + n) << "length and bytes in one frame";
    got += f.substr(2);
  }
  EXPECT_EQ(got, data);
  EXPECT_EQ(bin[5], status_frame(0));
  EXPECT_EQ(c.written.find("Sec-WebSocket-Accept"), c.written.rfind("Sec-WebSocket-Accept"));
}

TEST_F(WebReplTest, GetSendsAChunkOnlyWhenTheClientAsks) {
  board.files.files["/small"] = "abc";
  FakeStream& c = client(ws_binary(webrepl_request(2, 0, "/small"), false));
  board.loop();
  EXPECT_EQ(ServerReply(c.written).binary(), (std::vector<std::string>{status_frame(0)}))
      << "no chunk before the client's first 0x00";
}

TEST_F(WebReplTest, ARequestAfterAGetIsReadFromItsFirstByte) {
  board.files.files["/small"] = "abc";
  FakeStream& c = client(
      ws_binary(webrepl_request(2, 0, "/small"), false) + ws_binary(std::string(1, '\0'), false) +
      ws_binary(std::string(1, '\0'), false) + ws_binary(webrepl_request(3, 0, ""), false));
  board.loop(4);
  const auto bin = ServerReply(c.written).binary();
  ASSERT_EQ(bin.size(), 5u);
  EXPECT_EQ(bin[1], std::string("\3\0abc", 5));
  EXPECT_EQ(bin[2], std::string("\0\0", 2));
  EXPECT_EQ(bin[3], status_frame(0));
  EXPECT_EQ(bin[4], std::string("\0\1\0", 3)) << "the version, not EINVAL";
}

TEST_F(WebReplTest, GetOfAMissingFileIsENOENT) {
  FakeStream& c = client(ws_binary(webrepl_request(2, 0, "/nope")));
  board.loop();
  ServerReply r(c.written);
  EXPECT_EQ(r.binary(), (std::vector<std::string>{status_frame(2)}));
  EXPECT_NE(r.text().find("/nope: no such file"), std::string::npos);
}

TEST_F(WebReplTest, GetOfATooLargeFileIsEFBIG) {
  board.files.files["/huge"] = std::string(5000, 'x');
  FakeStream& c = client(ws_binary(webrepl_request(2, 0, "/huge")));
  board.loop();
  EXPECT_EQ(ServerReply(c.written).binary(), (std::vector<std::string>{status_frame(27)}));
}

TEST_F(WebReplTest, LongTextFramesUseTheExtendedLength) {
  const std::string paste = "config show" + std::string(200, ' ') + "\r";
  FakeStream& c = client(ws_text(paste));
  board.loop();
  ServerReply r(c.written);
  EXPECT_FALSE(r.bad);
  EXPECT_NE(r.text().find("WIFI_SSID = 'home'"), std::string::npos);
}

TEST_F(WebReplTest, AnIdleBoardDoesNotWait) {
  FakeStream& c = client();
  board.loop();
  const uint32_t before = board.machine.now;
  board.loop(100);
  EXPECT_EQ(board.machine.now, before) << "polls with no data take no time";
  EXPECT_FALSE(c.closed());
}

TEST_F(WebReplTest, AClientThatNeverLogsInIsDroppedAfterAMinute) {
  FakeStream& c = listener->incoming();
  c.data(upgrade_request("foo")).then_hang();
  board.loop();
  board.machine.now += 60001;
  board.loop();
  EXPECT_TRUE(c.closed());
}

}  // namespace
}  // namespace bh
