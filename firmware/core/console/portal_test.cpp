// The setup portal on an in-memory board: when it starts, the access point
// and its per-board password, the page, and saving the form.
#include <gtest/gtest.h>

#include "remote_board.h"

namespace bh {
namespace {

using namespace bh::testing;  // NOLINT: test helpers

class PortalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    board.sta.scan_result = {"home", "Caf\xc3\xa9 <guest>"};
    listener = &board.net.serve(80);
  }
  std::string request(const std::string& text) {
    FakeStream& c = listener->incoming();
    c.data(text).then_hang();
    board.loop(1);
    EXPECT_TRUE(c.closed());
    return c.written;
  }
  std::string post(const std::string& form) {
    return request(
        "POST / HTTP/1.1\r\nHost: 192.168.4.1\r\nContent-Type: "
        "application/x-www-form-urlencoded\r\nContent-Length: " +
        std::to_string(form.size()) + "\r\n\r\n" + form);
  }
  bool has(const std::string& out, const std::string& what) {
    return out.find(what) != std::string::npos;
  }

  RemoteBoard board;
  FakeListener* listener = nullptr;
};

TEST_F(PortalTest, NoConfigStartsTheAccessPointWithAPerBoardPassword) {
  EXPECT_EQ(board.boot(ResetCause::PowerOn), BootOutcome::StayAwake);
  EXPECT_EQ(board.app->remote().mode(), Remote::Mode::Portal);
  EXPECT_TRUE(board.ap.is_active);
  EXPECT_EQ(board.ap.essid, "Buttonhook-C0FFEE");
  const std::string pass = board.ap.password;
  ASSERT_EQ(pass.size(), 10u);
  EXPECT_EQ(pass.find_first_not_of("abcdefghijkmnpqrstuvwxyz23456789"), std::string::npos);
  EXPECT_TRUE(board.logged("Setup portal: join Wi-Fi 'Buttonhook-C0FFEE' with password '" + pass +
                           "', open http://192.168.4.1/"))
      << board.machine.output();
  EXPECT_NE(pass, "micropythoN");
  // Made once: the next portal has the same password.
  EXPECT_TRUE(has(board.files.files["/ap_cfg.py"], "PASS = '" + pass + "'"));
  board.boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(board.ap.password, pass);
}

TEST_F(PortalTest, ButtonHeldAtPowerOnStartsThePortalWithoutFiring) {
  board.files.files["/config.py"] = kRemoteConfig;
  // Held while the power came up: cause 6 with RTC memory garbage.
  memset(board.machine.rtc, 0xA5, sizeof board.machine.rtc);
  EXPECT_EQ(board.boot(ResetCause::ExternalReset), BootOutcome::StayAwake);
  EXPECT_EQ(board.app->remote().mode(), Remote::Mode::Portal);
  EXPECT_TRUE(board.net.connects.empty()) << "no webhook";
  EXPECT_EQ(board.app->press_log().count, 0);
}

TEST_F(PortalTest, APressWhileAwakeIsAPressNotThePortal) {
  board.files.files["/config.py"] = kRemoteConfig;
  board.boot(ResetCause::PowerOn);  // RTC memory now holds the queue
  EXPECT_FALSE(board.ap.is_active) << "off in button mode";
  board.boot(ResetCause::ExternalReset);
  EXPECT_EQ(board.app->remote().mode(), Remote::Mode::Off);
  EXPECT_EQ(board.net.connects.size(), 1u);
}

TEST_F(PortalTest, ThePageOffersTheScannedNetworksEscaped) {
  board.boot(ResetCause::PowerOn);
  const std::string page = request("GET / HTTP/1.1\r\nHost: 192.168.4.1\r\n\r\n");
  EXPECT_TRUE(has(page, "HTTP/1.1 200 OK\r\n")) << page;
  EXPECT_TRUE(has(page, "<option value='home'>"));
  EXPECT_TRUE(has(page, "<option value='Caf\xc3\xa9 &lt;guest>'>"));
  for (const char* name : {"name=s", "name=p", "name=u", "name=b", "name=c"}) {
    EXPECT_TRUE(has(page, name)) << name;
  }
}

TEST_F(PortalTest, OtherPathsAre404) {
  board.boot(ResetCause::PowerOn);
  EXPECT_TRUE(has(request("GET /favicon.ico HTTP/1.1\r\n\r\n"), "HTTP/1.1 404 Not Found"));
}

TEST_F(PortalTest, ThePageShowsTheCurrentSettingsToChange) {
  board.files.files["/config.py"] = kRemoteConfig;
  memset(board.machine.rtc, 0xA5, sizeof board.machine.rtc);
  board.boot(ResetCause::ExternalReset);
  const std::string page = request("GET /?x HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(has(page, "name=s list=n required value='home'")) << page;
  EXPECT_TRUE(has(page, "value='micropython1'"));
  EXPECT_FALSE(has(page, "wifi-secret-1"));
}

TEST_F(PortalTest, SavingTheFormWritesConfigAndConsolePasswordAndRestarts) {
  board.boot(ResetCause::PowerOn);
  const std::string reply = post(
      "s=Caf%C3%A9+net&p=correct+horse&u=http%3A%2F%2Fhub.test%2Ftrigger%2Fbutton_pressed"
      "%2Fwith%2Fkey%2Fk3y&b=hall+button&c=s3cret");
  EXPECT_TRUE(has(reply, "id=saved")) << reply;
  EXPECT_EQ(board.files.files["/config.py"],
            "WIFI_SSID = 'Caf\xc3\xa9 net'\nWIFI_PASSWORD = 'correct horse'\n"
            "WEBHOOK_URL = 'http://hub.test/trigger/button_pressed/with/key/k3y'\n"
            "BUTTON_ID = 'hall button'\n");
  EXPECT_EQ(board.files.files["/webrepl_cfg.py"], "PASS = 's3cret'\n");
  EXPECT_EQ(board.machine.resets, 1);
  // The restart: button mode, access point off.
  EXPECT_EQ(board.boot(ResetCause::SoftRestart), BootOutcome::DeepSleep);
  EXPECT_FALSE(board.ap.is_active);
}

TEST_F(PortalTest, SavingKeepsOtherSettingsOfAValidConfig) {
  board.files.files["/config.py"] = std::string(kRemoteConfig) + "LED_PIN = 5\n";
  memset(board.machine.rtc, 0xA5, sizeof board.machine.rtc);
  board.boot(ResetCause::ExternalReset);
  post("s=home&p=&u=https%3A%2F%2Fhub.test%2Fx&b=b1&c=");
  const std::string& cfg = board.files.files["/config.py"];
  EXPECT_TRUE(has(cfg, "LED_PIN = 5\n")) << cfg;
  EXPECT_TRUE(has(cfg, "WIFI_PASSWORD = ''\n"));
  EXPECT_TRUE(has(cfg, "WEBHOOK_URL = 'https://hub.test/x'\n"));
  EXPECT_EQ(board.files.files["/webrepl_cfg.py"], "") << "no console password: unchanged";
}

TEST_F(PortalTest, ABadFormIsShownAgainWithWhatIsWrong) {
  board.boot(ResetCause::PowerOn);
  std::string reply = post("s=home&p=short&u=http%3A%2F%2Fhub.test%2Fx&b=b1&c=");
  EXPECT_TRUE(has(reply, "id=error")) << reply;
  EXPECT_TRUE(has(reply, "WIFI_PASSWORD")) << reply;
  EXPECT_TRUE(has(reply, "value='home'")) << "what was typed stays";
  EXPECT_FALSE(has(reply, "config.py:")) << "a line the visitor never saw";
  reply = post("s=home&p=&u=http%3A%2F%2Fhub.test%2Fx&b=b1&c=abc");
  EXPECT_TRUE(has(reply, "Console password: 4 to 9 characters"));
  reply = post("s=home&p=&u=gopher%3A%2F%2Fx&b=b1&c=");
  EXPECT_TRUE(has(reply, "id=error"));
  EXPECT_EQ(board.files.files.count("/config.py"), 0u);
  EXPECT_EQ(board.machine.resets, 0);
}

TEST_F(PortalTest, AFormLargerThanTheBoardTakesIs413) {
  board.boot(ResetCause::PowerOn);
  const std::string reply = post(std::string(2000, 'x'));
  EXPECT_TRUE(has(reply, "HTTP/1.1 413")) << reply;
  EXPECT_EQ(board.files.files.count("/config.py"), 0u);
}

TEST_F(PortalTest, ALeftAlonePortalSleepsAfterTenMinutes) {
  board.boot(ResetCause::PowerOn);
  board.loop(1);
  EXPECT_EQ(board.machine.deepsleep_calls, 0);
  board.machine.now += 10 * 60000;
  board.loop(1);
  EXPECT_EQ(board.machine.deepsleep_calls, 1);
}

}  // namespace
}  // namespace bh
