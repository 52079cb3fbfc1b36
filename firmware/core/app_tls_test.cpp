// https:// webhooks: the App hands the port its trust settings and the TLS
// session kept in RTC memory, and forgets the session when a handshake fails.
#include <gtest/gtest.h>

#include "app.h"
#include "fake_board.h"

namespace bh {
namespace {

using testing::FakeBoard;
using testing::ScriptedNet;

const char* kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

class AppTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config("TLS_INSECURE = True\n");
    board.net.dns["hub.test"] = Ip4{{10, 0, 0, 9}};
    board.net.reply = kOk;
  }
  void config(const std::string& extra) {
    board.files.files["/config.py"] =
        "WIFI_SSID = 'home'\nWIFI_PASSWORD = 'secret-pass'\n"
        "WEBHOOK_URL = 'https://hub.test/trigger/button_pressed/with/key/k'\n"
        "BUTTON_ID = 'b1'\n" + extra;
  }
  void press() {
    board.machine.cause = ResetCause::DeepSleepWake;
    App app(board.hal);
    app.run();
  }
  const ScriptedNet::TlsCall& last_connect() const { return board.net.tls_calls.back(); }
  bool logged(const std::string& text) const {
    return board.machine.output().find(text) != std::string::npos;
  }
  FakeBoard board;
};

TEST_F(AppTlsTest, TheSessionOfOnePressIsOfferedByTheNext) {
  press();
  ASSERT_EQ(board.net.tls_calls.size(), 1u);
  EXPECT_EQ(last_connect().sni, "hub.test");
  EXPECT_EQ(last_connect().offered, 0);  // nothing saved yet: a full handshake
  EXPECT_FALSE(logged("TLS: session resumed"));
  press();
  EXPECT_EQ(last_connect().offered, 1);  // the session from RTC memory
  EXPECT_TRUE(logged("TLS: session resumed"));
}

TEST_F(AppTlsTest, AFailedHandshakeForgetsTheSession) {
  press();
  board.net.tls_fails = true;
  press();
  EXPECT_EQ(last_connect().offered, 1);
  EXPECT_EQ(last_connect().result, Err::TlsFailed);
  board.net.tls_fails = false;
  const size_t before = board.net.tls_calls.size();
  press();  // delivers the failed press, then this one
  ASSERT_EQ(board.net.tls_calls.size(), before + 2);
  EXPECT_EQ(board.net.tls_calls[before].offered, 0);  // forgotten: a full handshake again
  EXPECT_EQ(board.net.tls_calls[before + 1].offered, 2);  // and its session used at once
}

TEST_F(AppTlsTest, AServerThatDoesNotResumeGivesANewSessionEachTime) {
  board.net.tls_resumes = false;
  press();
  press();
  EXPECT_EQ(last_connect().offered, 1);
  press();
  EXPECT_EQ(last_connect().offered, 2);
  EXPECT_FALSE(logged("TLS: session resumed"));
}

TEST_F(AppTlsTest, TheCaFileIsReadFromTheBoardAndAMissingOneStopsBeforeWifi) {
  config("TLS_CA = 'ca.pem'\n");
  press();
  EXPECT_TRUE(logged("TLS_CA: cannot read /ca.pem"));
  EXPECT_EQ(board.sta.connect_calls, 0);
  board.files.files["/ca.pem"] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  press();
  EXPECT_EQ(last_connect().ca_pem, board.files.files["/ca.pem"]);
}

TEST_F(AppTlsTest, PlainHttpNeverTouchesTheTlsRecord) {
  board.files.files["/config.py"] =
      "WIFI_SSID = 'home'\nWIFI_PASSWORD = 'secret-pass'\n"
      "WEBHOOK_URL = 'http://hub.test/t'\nBUTTON_ID = 'b1'\n";
  board.machine.cause = ResetCause::DeepSleepWake;
  App app(board.hal);
  app.run();
  EXPECT_EQ(board.net.requests.size(), 1u);
  EXPECT_TRUE(board.net.tls_calls.empty());
  TlsCache cache;
  EXPECT_FALSE(rtc_load(board.machine, rtc::kTlsCacheOffset, &cache, sizeof cache,
                        rtc::kTlsCacheType));
}

}  // namespace
}  // namespace bh
