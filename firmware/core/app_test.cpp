// The application in every branch, on an in-memory board.
#include "app.h"

#include <gtest/gtest.h>

#include "fake_board.h"

namespace bh {
namespace {

using testing::FakeBoard;

const char* kTutorialConfig =
    "WIFI_SSID = 'your SSID'\n"
    "WIFI_PASSWORD = 'your Wi-Fi password'\n"
    "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/with/key/k3y'\n"
    "BUTTON_ID = 'micropython1'\n"
    "LED_PIN = 2 # D4\n"
    "LED2_PIN = 16 # D0\n"
    "DEBUG_PIN = 14 # D5\n";

const char* kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 54\r\n\r\n"
    "Congratulations! You've fired the button_pressed event";

class AppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    board.files.files["/config.py"] = kTutorialConfig;
    board.net.dns["maker.ifttt.com"] = Ip4{{127, 0, 0, 1}};
    board.net.reply = kOk;
  }
  BootOutcome boot(ResetCause cause) {
    board.machine.cause = cause;
    App app(board.hal);
    BootOutcome out = app.run();
    press = app.last_press();
    error = app.last_error();
    status = app.last_status();
    return out;
  }
  bool logged(const std::string& text) const {
    return board.machine.output().find(text) != std::string::npos;
  }
  // The tutorial's show_error(): LED (GPIO2) and LED2 (GPIO16) alternate
  // three times at 0.5 s, then both are driven high (active-low: both off).
  void expect_error_blink() const {
    const auto& w = board.gpio.writes;
    ASSERT_EQ(w.size(), 14u);
    for (int i = 0; i < 3; ++i) {
      const auto* c = &w[i * 4];
      EXPECT_EQ(c[0].pin, 2); EXPECT_TRUE(c[0].high);
      EXPECT_EQ(c[1].pin, 16); EXPECT_FALSE(c[1].high);
      EXPECT_EQ(c[2].pin, 2); EXPECT_FALSE(c[2].high);
      EXPECT_EQ(c[3].pin, 16); EXPECT_TRUE(c[3].high);
      EXPECT_EQ(c[2].t_ms - c[0].t_ms, 500u);
      if (i) {
        EXPECT_EQ(c[0].t_ms - w[(i - 1) * 4].t_ms, 1000u);
      }
    }
    EXPECT_EQ(w[12].pin, 2); EXPECT_TRUE(w[12].high);
    EXPECT_EQ(w[13].pin, 16); EXPECT_TRUE(w[13].high);
    EXPECT_TRUE(board.gpio.level[2]);
    EXPECT_TRUE(board.gpio.level[16]);
  }
  void expect_password_never_logged() const {
    EXPECT_EQ(board.machine.output().find("your Wi-Fi password"), std::string::npos)
        << board.machine.output();
  }

  FakeBoard board;
  PressResult press = PressResult::None;
  Err error = Err::Ok;
  int status = 0;
};

TEST_F(AppTest, PowerOnSleepsWithoutWebhook) {
  EXPECT_EQ(boot(ResetCause::PowerOn), BootOutcome::DeepSleep);
  EXPECT_EQ(board.net.requests.size(), 0u);
  EXPECT_EQ(board.sta.connect_calls, 0);
  EXPECT_EQ(board.machine.deepsleep_calls, 1);
  EXPECT_EQ(board.machine.deepsleep_ms, 0u);  // until RST
  EXPECT_EQ(press, PressResult::None);
  EXPECT_TRUE(board.gpio.writes.empty());
}

TEST_F(AppTest, OtherResetCausesDoNotFire) {
  for (ResetCause c : {ResetCause::Watchdog, ResetCause::Exception, ResetCause::SoftWatchdog,
                       ResetCause::SoftRestart}) {
    boot(c);
    EXPECT_EQ(board.net.requests.size(), 0u) << reset_cause_name(c);
  }
}

TEST_F(AppTest, PressDeliversTheTutorialsRequest) {
  EXPECT_EQ(boot(ResetCause::DeepSleepWake), BootOutcome::DeepSleep);
  EXPECT_EQ(press, PressResult::Delivered);
  EXPECT_EQ(status, 200);
  ASSERT_EQ(board.net.requests.size(), 1u);
  const std::string& req = board.net.requests[0];
  EXPECT_EQ(req.rfind("POST /trigger/button_pressed/with/key/k3y HTTP/1.1\r\n", 0), 0u) << req;
  EXPECT_NE(req.find("Host: maker.ifttt.com\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("Content-Type: application/json\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\n\r\n{\"value1\":\"micropython1\"}"), std::string::npos) << req;
  EXPECT_EQ(board.net.open_streams, 0);
  // The tutorial's serial lines, in order.
  const std::string out = board.machine.output();
  size_t a = out.find("Connecting to WiFi...");
  size_t b = out.find("Network config: ('192.168.0.45', '255.255.255.0', '192.168.0.1', '192.168.0.1')");
  size_t c = out.find("Invoking webhook");
  size_t d = out.find("Webhook invoked");
  ASSERT_NE(a, std::string::npos) << out;
  ASSERT_NE(b, std::string::npos) << out;
  ASSERT_NE(c, std::string::npos) << out;
  ASSERT_NE(d, std::string::npos) << out;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(c, d);
  EXPECT_FALSE(board.ap.is_active) << "the AP interface must be turned off";
  EXPECT_EQ(board.sta.last_ssid, "your SSID");
  EXPECT_TRUE(board.gpio.writes.empty()) << "no LED activity on success";
  EXPECT_EQ(board.machine.deepsleep_calls, 1);
  expect_password_never_logged();
}

TEST_F(AppTest, TheAccessPointIsOffAfterEveryBootInButtonMode) {
  // The SDK keeps the soft AP's state in flash and starts it by default; a
  // boot that never connects (power-on, debug mode) must turn it off too.
  for (ResetCause cause : {ResetCause::PowerOn, ResetCause::DeepSleepWake}) {
    board.ap.is_active = true;
    boot(cause);
    EXPECT_FALSE(board.ap.is_active) << reset_cause_name(cause);
  }
  board.gpio.grounded[14] = true;  // debug jumper
  board.ap.is_active = true;
  EXPECT_EQ(boot(ResetCause::PowerOn), BootOutcome::StayAwake);
  EXPECT_FALSE(board.ap.is_active) << "debug mode";
}

TEST_F(AppTest, PressWhileAwakeFiresToo) {
  boot(ResetCause::ExternalReset);
  EXPECT_EQ(press, PressResult::Delivered);
  EXPECT_EQ(board.net.requests.size(), 1u);
}

TEST_F(AppTest, ServerErrorBlinksAndSleeps) {
  board.net.reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops\n";
  EXPECT_EQ(boot(ResetCause::DeepSleepWake), BootOutcome::DeepSleep);
  EXPECT_EQ(press, PressResult::Failed);
  EXPECT_EQ(error, Err::HttpStatus);
  EXPECT_EQ(status, 500);
  EXPECT_TRUE(logged("Webhook failed"));
  EXPECT_TRUE(logged("HTTP 500: oops"));
  expect_error_blink();
  EXPECT_EQ(board.machine.deepsleep_calls, 1);
}

TEST_F(AppTest, BadKeyReportsIftttsMessage) {
  board.net.reply =
      "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 51\r\n\r\n"
      "{\"errors\":[{\"message\":\"You sent an invalid key.\"}]}";
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(status, 401);
  EXPECT_TRUE(logged("You sent an invalid key."));
  expect_error_blink();
}

TEST_F(AppTest, WrongWifiPasswordIsReportedWithoutThePassword) {
  board.sta.outcome = WlanStatus::WrongPassword;
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(error, Err::WifiWrongPassword);
  EXPECT_EQ(board.net.requests.size(), 0u);
  EXPECT_TRUE(logged("wrong password for 'your SSID'"));
  EXPECT_TRUE(logged("check WIFI_PASSWORD in config.py"));
  expect_error_blink();
  expect_password_never_logged();
  EXPECT_EQ(board.machine.deepsleep_calls, 1);
}

TEST_F(AppTest, NoAccessPoint) {
  board.sta.outcome = WlanStatus::NoApFound;
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(error, Err::WifiNoApFound);
  EXPECT_TRUE(logged("no access point named 'your SSID'"));
  expect_error_blink();
}

TEST_F(AppTest, WifiTimeoutGivesUpInsteadOfLoopingForever) {
  board.sta.outcome = WlanStatus::Connecting;  // never connects
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(error, Err::WifiTimeout);
  // 15 s default timeout (+ one poll), then the 3 s blink.
  EXPECT_GE(board.machine.now, 15000u);
  EXPECT_LE(board.machine.now, 15000u + 100u + 3000u);
  expect_error_blink();
}

TEST_F(AppTest, DnsFailure) {
  board.net.dns.clear();
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(error, Err::DnsFailed);
  EXPECT_TRUE(logged("Error: webhook request to maker.ifttt.com:80 (dns-failed)"))
      << board.machine.output();
  expect_error_blink();
}

TEST_F(AppTest, ServerDown) {
  board.net.connect_error = Err::ConnectFailed;
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(error, Err::ConnectFailed);
  EXPECT_TRUE(logged("Webhook failed"));
  EXPECT_TRUE(logged("Error: webhook request to maker.ifttt.com:80 (connect-failed)"))
      << board.machine.output();
  expect_error_blink();
}

TEST_F(AppTest, NetworkErrorsNameHostAndPortButNeverThePath) {
  board.files.files["/config.py"] =
      "WIFI_SSID = 'your SSID'\n"
      "WIFI_PASSWORD = 'your Wi-Fi password'\n"
      "WEBHOOK_URL = 'http://hub.lan:8080/trigger/button_pressed/with/key/s3cretK3y?x=1'\n"
      "BUTTON_ID = 'micropython1'\n";
  board.net.dns["hub.lan"] = Ip4{{192, 168, 0, 9}};
  for (Err e : {Err::ConnectFailed, Err::ConnectTimeout}) {
    board.net.connect_error = e;
    boot(ResetCause::DeepSleepWake);
    EXPECT_EQ(error, e);
    const std::string want =
        std::string("Error: webhook request to hub.lan:8080 (") + err_name(e) + ")";
    EXPECT_TRUE(logged(want)) << board.machine.output();
  }
  EXPECT_EQ(board.machine.output().find("s3cretK3y"), std::string::npos) << board.machine.output();
  EXPECT_EQ(board.machine.output().find("/trigger"), std::string::npos) << board.machine.output();
}

TEST_F(AppTest, DebugJumperKeepsTheBoardAwake) {
  board.gpio.grounded[14] = true;
  EXPECT_EQ(boot(ResetCause::DeepSleepWake), BootOutcome::StayAwake);
  EXPECT_EQ(press, PressResult::Delivered);  // the press still fires first
  EXPECT_TRUE(logged("Debug mode detected."));
  EXPECT_EQ(board.machine.deepsleep_calls, 0);
}

TEST_F(AppTest, NoJumperMeansNoDebugMessage) {
  boot(ResetCause::PowerOn);
  EXPECT_FALSE(logged("Debug mode detected."));
}

TEST_F(AppTest, MissingConfigOnPressBlinksAndExplains) {
  board.files.files.clear();
  EXPECT_EQ(boot(ResetCause::DeepSleepWake), BootOutcome::DeepSleep);
  EXPECT_EQ(press, PressResult::Failed);
  EXPECT_TRUE(logged("no config.py"));
  expect_error_blink();
}

TEST_F(AppTest, ConfigSyntaxErrorNamesTheLine) {
  board.files.files["/config.py"] = "WIFI_SSID = 'home'\nWIFI_PASSWORD = 'unterminated\n";
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(press, PressResult::Failed);
  EXPECT_TRUE(logged("config.py:2")) << board.machine.output();
  EXPECT_FALSE(logged("unterminated\n")) << "the password text must not be echoed";
  EXPECT_EQ(board.net.requests.size(), 0u);
}

TEST_F(AppTest, ResetCauseNamesAreEsp8266s) {
  EXPECT_STREQ(reset_cause_name(ResetCause::PowerOn), "power-on");
  EXPECT_STREQ(reset_cause_name(ResetCause::DeepSleepWake), "deep-sleep wake");
  EXPECT_STREQ(reset_cause_name(ResetCause::ExternalReset), "external reset");
  EXPECT_EQ(static_cast<int>(ResetCause::DeepSleepWake), 5);
  EXPECT_EQ(static_cast<int>(ResetCause::ExternalReset), 6);
}

}  // namespace
}  // namespace bh
