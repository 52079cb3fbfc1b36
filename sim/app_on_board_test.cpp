// The button application (firmware/core/app.cpp) in every branch, on the
// virtual board, against a real HTTP server on 127.0.0.1 that records what
// it receives.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "app.h"
#include "board.h"
#include "http_test_server.h"
#include "sim_test_support.h"
#include "tls_test_server.h"

namespace bh::sim {
namespace {

using bh::testing::HttpTestServer;
using bh::testing::RecordedRequest;
using bh::testing::Reply;

constexpr const char* kPassword = "correct horse battery";

struct AppOnBoardTest : bh::testing::SimFixture, ::testing::Test {
  AppOnBoardTest() {
    env.world.dns["maker.ifttt.com"] = host::Endpoint{Ip4{{127, 0, 0, 1}}, server.port()};
    board->set_tap(&raw);
    use_config("http://maker.ifttt.com/trigger/button_pressed/with/key/k3y");
  }
  void use_config(const std::string& url, const std::string& password = kPassword) {
    dir.write("config.py", bh::testing::tutorial_config(url, password));
  }
  // Serial lines only, in order.
  std::vector<std::string> serial() const {
    std::vector<std::string> s;
    for (const auto& l : out.lines) {
      if (l.kind == LineKind::Serial) s.push_back(l.text);
    }
    return s;
  }
  // LED lines relative to t0, in ms.
  std::vector<std::pair<int64_t, std::string>> leds_since(uint64_t t0_us) const {
    std::vector<std::pair<int64_t, std::string>> v;
    for (const auto& l : out.lines) {
      if (l.kind == LineKind::Led)
        v.emplace_back((int64_t(l.t_us) - int64_t(t0_us)) / 1000, l.text);
    }
    return v;
  }
  void expect_no_password_anywhere() const {
    EXPECT_FALSE(out.has(kPassword)) << out.all();
    for (const auto& e : board->timeline().events())
      EXPECT_EQ(e.text.find(kPassword), std::string::npos);
  }
  // The tutorial's show_error(): alternate 3 times at 0.5 s, both dark at the end.
  void expect_error_blink() {
    const auto* failed_line = out.find("Error: ");
    ASSERT_NE(failed_line, nullptr) << out.all();
    const std::vector<std::pair<int64_t, std::string>> expected = {
        {0, "* LED D0 (GPIO16) on"},     {500, "* LED D4 (GPIO2) on"},
        {500, "* LED D0 (GPIO16) off"},  {1000, "* LED D4 (GPIO2) off"},
        {1000, "* LED D0 (GPIO16) on"},  {1500, "* LED D4 (GPIO2) on"},
        {1500, "* LED D0 (GPIO16) off"}, {2000, "* LED D4 (GPIO2) off"},
        {2000, "* LED D0 (GPIO16) on"},  {2500, "* LED D4 (GPIO2) on"},
        {2500, "* LED D0 (GPIO16) off"}, {3000, "* LED D4 (GPIO2) off"}};
    EXPECT_EQ(leds_since(failed_line->t_us), expected) << out.all();
    // The last thing the firmware drove on both pins was high (LED off).
    for (uint8_t pin : {uint8_t(2), uint8_t(16)}) {
      const bh::testing::Recorder::Pin* last = nullptr;
      for (const auto& p : raw.pins) {
        if (p.pin == pin && p.output) last = &p;
      }
      ASSERT_NE(last, nullptr);
      EXPECT_TRUE(last->level) << "GPIO" << int(pin);
    }
    // Then deep sleep, right after the blinking.
    const bh::testing::CapturedLine* sleep = nullptr;
    for (const auto& l : out.lines) {
      if (l.text == "* deep sleep (until RST)" && l.t_us >= failed_line->t_us) sleep = &l;
    }
    ASSERT_NE(sleep, nullptr);
    EXPECT_EQ(sleep->t_us - failed_line->t_us, 3'000'000u);
  }

  HttpTestServer server;
  bh::testing::Recorder raw;
};

TEST_F(AppOnBoardTest, PowerOnSendsNothingAndSleeps) {
  board->power_on();
  EXPECT_EQ(board->state(), Board::State::DeepSleep);
  EXPECT_TRUE(out.has("Buttonhook: reset cause 0 (power-on)"));
  EXPECT_FALSE(out.has("Connecting to WiFi..."));
  EXPECT_TRUE(out.has("* deep sleep (until RST)"));
  EXPECT_EQ(server.connection_count(), 0u);
  ASSERT_NE(board->app(), nullptr);
  EXPECT_EQ(board->app()->last_press(), PressResult::None);
}

TEST_F(AppOnBoardTest, PressPostsOnceWithTheButtonIdAndSleeps) {
  board->power_on();
  board->advance_us(5'000'000);
  const uint64_t pressed = env.clock.now_us();
  board->press();
  ASSERT_EQ(server.request_count(), 1u);
  const RecordedRequest req = server.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/trigger/button_pressed/with/key/k3y");
  EXPECT_EQ(req.header("Content-Type"), "application/json");
  EXPECT_EQ(req.header("Host"), "maker.ifttt.com");
  EXPECT_EQ(nlohmann::json::parse(req.body), nlohmann::json({{"value1", "micropython1"}}));

  const std::vector<std::string> lines = serial();
  const std::vector<std::string> tutorial = {"Connecting to WiFi...", "Network config: (",
                                             "Invoking webhook", "Webhook invoked"};
  size_t at = 0;
  for (const auto& want : tutorial) {
    while (at < lines.size() && lines[at].rfind(want, 0) != 0) ++at;
    EXPECT_LT(at, lines.size()) << "missing, or out of order: " << want << "\n" << out.all();
  }
  EXPECT_TRUE(
      out.has("Network config: ('192.168.0.2', '255.255.255.0', '192.168.0.1', '192.168.0.1')"));
  // boot 200 ms, then scan 2000 + association 150 + DHCP 1200 (fixed timing).
  const auto* net = out.find("Network config: (");
  EXPECT_EQ(net->t_us - pressed, 3'550'000u);
  EXPECT_TRUE(out.has("Buttonhook: reset cause 5 (deep-sleep wake)"));
  EXPECT_EQ(board->state(), Board::State::DeepSleep);
  EXPECT_EQ(board->app()->last_press(), PressResult::Delivered);
  EXPECT_FALSE(out.has("LED"));
  expect_no_password_anywhere();
}

TEST_F(AppOnBoardTest, ServerErrorIsWebhookFailedBlinkAndSleep) {
  server.set_handler([](const RecordedRequest&) { return Reply::status(500, "hub exploded"); });
  board->power_on();
  board->press();
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(out.has("Webhook failed"));
  EXPECT_TRUE(out.has("HTTP 500"));
  EXPECT_EQ(board->app()->last_press(), PressResult::Failed);
  expect_error_blink();
}

TEST_F(AppOnBoardTest, WrongWifiPasswordIsReportedWithoutPrintingIt) {
  env.world.aps[0].password = "the router's real key";
  board->power_on();
  board->press();
  EXPECT_TRUE(out.has("wifi-wrong-password")) << out.all();
  EXPECT_EQ(server.connection_count(), 0u);
  expect_error_blink();
  expect_no_password_anywhere();
  EXPECT_FALSE(out.has("the router's real key"));
}

TEST_F(AppOnBoardTest, NoAccessPointIsReported) {
  env.world.aps[0].ssid = "someone-else";
  board->power_on();
  board->press();
  EXPECT_TRUE(out.has("wifi-no-ap-found")) << out.all();
  expect_error_blink();
  expect_no_password_anywhere();
}

TEST_F(AppOnBoardTest, AccessPointDownIsReported) {
  env.world.aps[0].down.push_back(host::TimeWindow{});
  board->power_on();
  board->press();
  EXPECT_TRUE(out.has("wifi-no-ap-found")) << out.all();
  expect_error_blink();
}

TEST_F(AppOnBoardTest, DnsFailureIsReported) {
  use_config("http://maker1.ifttt.com/trigger/button_pressed/with/key/k3y");
  board->power_on();
  board->press();
  EXPECT_TRUE(out.has("Webhook failed"));
  EXPECT_TRUE(out.has("dns-failed")) << out.all();
  EXPECT_EQ(server.connection_count(), 0u);
  expect_error_blink();
  expect_no_password_anywhere();
}

TEST_F(AppOnBoardTest, HubDownIsConnectFailed) {
  env.world.dns["maker.ifttt.com"].port = bh::testing::unused_port();
  board->power_on();
  board->press();
  EXPECT_TRUE(out.has("connect-failed")) << out.all();
  expect_error_blink();
}

TEST_F(AppOnBoardTest, DebugJumperKeepsTheBoardAwakeAndAPressWhileAwakeFiresToo) {
  board->jumper(true);
  board->power_on();
  EXPECT_TRUE(out.has("Debug mode detected."));
  EXPECT_EQ(board->state(), Board::State::Awake);
  board->advance_us(10'000'000);
  EXPECT_EQ(board->state(), Board::State::Awake);
  EXPECT_EQ(server.request_count(), 0u);

  board->press();  // reset cause 6
  EXPECT_TRUE(out.has("Buttonhook: reset cause 6 (external reset)"));
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(out.has("Webhook invoked"));
  EXPECT_EQ(board->state(), Board::State::Awake);
  EXPECT_FALSE(out.has("* deep sleep"));

  board->jumper(false);
  board->press();  // cause 6 again, now it sleeps afterwards
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(board->state(), Board::State::DeepSleep);
}

// ---- world faults, each as the app sees it (sim/README.md "Faults") ----

struct FaultOnBoardTest : AppOnBoardTest {
  // A fault from now on; the board was powered on first.
  void fault(host::FaultKind kind, int status = 500) {
    host::Fault f;
    f.kind = kind;
    f.status = status;
    f.window.from_ms = env.clock.now_ms();
    board->add_fault(f);
  }
  void press_once() {
    board->power_on();
    board->advance_us(1'000'000);
  }
};

TEST_F(FaultOnBoardTest, ApDownIsAWifiError) {
  press_once();
  fault(host::FaultKind::ApDown);
  board->press();
  EXPECT_TRUE(out.has("* fault ap-down begins: every access point is off the air")) << out.all();
  EXPECT_TRUE(out.has("(wifi-no-ap-found)")) << out.all();
  EXPECT_EQ(board->app()->last_error(), Err::WifiNoApFound);
  EXPECT_EQ(server.connection_count(), 0u);
  expect_error_blink();
}

TEST_F(FaultOnBoardTest, WrongPasswordIsAWifiError) {
  press_once();
  fault(host::FaultKind::WrongPassword);
  board->press();
  EXPECT_EQ(board->app()->last_error(), Err::WifiWrongPassword) << out.all();
  expect_no_password_anywhere();
}

TEST_F(FaultOnBoardTest, DnsFailureIsReported) {
  press_once();
  fault(host::FaultKind::DnsFailure);
  board->press();
  EXPECT_EQ(board->app()->last_error(), Err::DnsFailed) << out.all();
  EXPECT_EQ(server.connection_count(), 0u);
}

TEST_F(FaultOnBoardTest, Hub5xxIsWebhookFailedWith500) {
  press_once();
  fault(host::FaultKind::Http5xx);
  board->press();
  EXPECT_TRUE(out.has("Webhook failed")) << out.all();
  EXPECT_TRUE(out.has("Error: HTTP 500")) << out.all();
  EXPECT_EQ(board->app()->last_status(), 500);
  EXPECT_EQ(board->app()->last_press(), PressResult::Failed);
  EXPECT_EQ(server.connection_count(), 0u);  // the proxy answered
  expect_error_blink();
}

TEST_F(FaultOnBoardTest, HubSlowIsATimeoutAfterTheHubGotTheRequest) {
  press_once();
  fault(host::FaultKind::HttpSlow);
  const auto real_start = std::chrono::steady_clock::now();
  board->press();
  EXPECT_LT(std::chrono::steady_clock::now() - real_start, std::chrono::seconds(2));
  EXPECT_TRUE(out.has("Webhook failed")) << out.all();
  EXPECT_EQ(board->app()->last_error(), Err::Timeout) << out.all();
  EXPECT_TRUE(server.wait_for_requests(1, 2000));
  // Invoking .. failed: the config's HTTP_TIMEOUT (10 s) in virtual time.
  const auto* invoking = out.find("Invoking webhook");
  const auto* failed = out.find("Webhook failed");
  ASSERT_TRUE(invoking && failed);
  EXPECT_GE(failed->t_us - invoking->t_us, 10'000'000u);
}

TEST_F(FaultOnBoardTest, ResetMidRequestIsAnIoErrorAndNothingReachesTheHub) {
  press_once();
  fault(host::FaultKind::ResetMidRequest);
  board->press();
  EXPECT_EQ(board->app()->last_error(), Err::IoError) << out.all();
  EXPECT_TRUE(out.has("(io-error)")) << out.all();
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(FaultOnBoardTest, ResetAfterForwardIsAnIoErrorButTheHubGotTheRequest) {
  press_once();
  fault(host::FaultKind::ResetAfterForward);
  board->press();
  EXPECT_EQ(board->app()->last_error(), Err::IoError) << out.all();
  EXPECT_TRUE(server.wait_for_requests(1, 2000));
}

TEST_F(FaultOnBoardTest, HubDownIsConnectFailed) {
  press_once();
  fault(host::FaultKind::HubDown);
  board->press();
  EXPECT_EQ(board->app()->last_error(), Err::ConnectFailed) << out.all();
}

TEST_F(FaultOnBoardTest, AFaultWindowEndsAndTheNextPressGetsThrough) {
  press_once();
  host::Fault f;
  f.kind = host::FaultKind::Http5xx;
  f.window = host::TimeWindow{env.clock.now_ms(), env.clock.now_ms() + 20'000};
  board->add_fault(f);
  board->press();
  EXPECT_EQ(board->app()->last_status(), 500);
  board->advance_us(20'000'000);
  EXPECT_TRUE(out.has("* fault hub-5xx ends")) << out.all();
  board->press();
  EXPECT_EQ(board->app()->last_press(), PressResult::Delivered) << out.all();
  // The press refused during the window stayed queued and goes first.
  EXPECT_EQ(server.request_count(), 2u);
}

// ---- the button's sense contact (World::press_sense_pin) ----

// A failed press leaves the board in a 30 s retry sleep (TIMED_WAKE); a
// second press lands 29.5 s in, inside the margin in which the firmware
// cannot tell RST from its timer by the clock alone.
struct PressNearTheTimerTest : AppOnBoardTest {
  void run_it() {
    std::string config =
        bh::testing::tutorial_config("http://maker.ifttt.com/trigger/button_pressed/with/key/k3y",
                                     kPassword, "TIMED_WAKE = True\nPRESS_SENSE_PIN = 12\n");
    // D0 is on the RST wire: the second LED moves to D7.
    const std::string d0 = "LED2_PIN = 16 # D0";
    config.replace(config.find(d0), d0.size(), "LED2_PIN = 13 # D7");
    dir.write("config.py", config);
    env.world.gpio16_rst = true;
    board->power_on();
    host::Fault f;
    f.kind = host::FaultKind::Http5xx;
    f.window = host::TimeWindow{0, 20'000};
    board->add_fault(f);
    board->press();
    ASSERT_TRUE(board->timer_wake_us()) << out.all();
    board->advance_us(*board->timer_wake_us() - env.clock.now_us() - 500'000);
    board->press();
    board->advance_us(60'000'000);
  }
};

TEST_F(PressNearTheTimerTest, TheSenseContactTellsThePressFromTheTimer) {
  env.world.press_sense_pin = 12;
  run_it();
  EXPECT_TRUE(out.has("Woke from retry sleep: press")) << out.all();
  EXPECT_EQ(server.request_count(), 2u) << out.all();  // both presses delivered
}

TEST_F(PressNearTheTimerTest, WithoutItThePressIsTakenForTheTimer) {
  run_it();  // PRESS_SENSE_PIN names a pin nothing is wired to: it reads high
  EXPECT_FALSE(out.has("Woke from retry sleep: press")) << out.all();
  EXPECT_EQ(server.request_count(), 1u) << out.all();  // the second press was not queued
}

}  // namespace
}  // namespace bh::sim

namespace bh::sim {
namespace {

// https:// on the board: a real TLS server (OpenSSL, with a session cache);
// the first press pays a full handshake, the second wake resumes the
// session it kept in RTC memory, as both sides see it.
struct HttpsOnBoardTest : bh::testing::SimFixture, ::testing::Test {
  HttpsOnBoardTest() : pki(bh::testing::make_test_pki("hub.test")) {
    if (pki.dir.empty()) return;
    server = std::make_unique<bh::testing::TlsTestServer>(pki);
    env.world.dns["hub.test"] = host::Endpoint{Ip4{{127, 0, 0, 1}}, server->port()};
    dir.write("ca.pem", pki.ca_pem);
    dir.write("config.py", bh::testing::tutorial_config("https://hub.test/trigger/b/with/key/k",
                                                        kPassword) +
                               "TLS_CA = 'ca.pem'\n");
  }
  uint64_t awake_us(size_t wake) const {
    const auto& w = board->timeline().wakes().at(wake);
    return w.end_us - w.start_us;
  }
  bh::testing::TestPki pki;
  std::unique_ptr<bh::testing::TlsTestServer> server;
};

TEST_F(HttpsOnBoardTest, TheSecondWakeResumesTheTlsSessionFromRtcMemory) {
  if (!server) GTEST_SKIP() << "the openssl tool is not installed";
  board->power_on();
  board->advance_us(1'000'000);
  board->press();
  EXPECT_TRUE(out.has("Webhook invoked")) << out.all();
  EXPECT_FALSE(out.has("TLS: session resumed"));
  board->advance_us(5'000'000);
  board->press();
  EXPECT_TRUE(out.has("TLS: session resumed")) << out.all();
  EXPECT_EQ(server->handshakes(), 2);
  EXPECT_EQ(server->resumed(), 1);
  // The model's handshakes: 2.04 s full, 0.39 s resumed.
  EXPECT_GT(awake_us(1), 2'040'000u);
  EXPECT_LT(awake_us(2) + 1'600'000u, awake_us(1));
}

TEST_F(HttpsOnBoardTest, AWrongCaFailsThePressWithAClearReason) {
  if (!server) GTEST_SKIP() << "the openssl tool is not installed";
  dir.write("ca.pem", pki.other_ca_pem);
  board->power_on();
  board->press();
  EXPECT_TRUE(out.has("TLS: handshake with hub.test failed: the certificate is not signed by the "
                      "CA in TLS_CA"))
      << out.all();
  EXPECT_TRUE(out.has("tls-failed")) << out.all();
  EXPECT_EQ(server->handshakes(), 0);
}

}  // namespace
}  // namespace bh::sim
