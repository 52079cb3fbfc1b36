// "No press is ever lost": the press queue in RTC memory, retries, timed
// wakes, fast connect and the give-up policy, boot after boot on an
// in-memory board whose RTC memory and RTC clock survive deep sleep.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "app.h"
#include "fake_board.h"

namespace bh {
namespace {

using testing::FakeBoard;

const char* kConfig =
    "WIFI_SSID = 'home'\n"
    "WIFI_PASSWORD = 'password1'\n"
    "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/with/key/k3y'\n"
    "BUTTON_ID = 'micropython1'\n";

// The GPIO16->RST wire (TIMED_WAKE) takes D0: LED2 moves to D7.
const std::string kTimedWake = "TIMED_WAKE = True\nLED2_PIN = 13\n";

const char* kOk =
    "HTTP/1.1 200 OK\r\nContent-Length: 54\r\n\r\n"
    "Congratulations! You've fired the button_pressed event";

class QueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config("");
    board.net.dns["maker.ifttt.com"] = Ip4{{127, 0, 0, 1}};
    board.net.reply = kOk;
  }
  void config(const std::string& extra) { board.files.files["/config.py"] = kConfig + extra; }
  void server(bool up) { board.net.connect_error = up ? Err::Ok : Err::ConnectFailed; }

  // A boot of a fresh board (RTC memory as the fake starts it: zeros).
  BootOutcome boot(ResetCause cause) {
    board.machine.cause = cause;
    return run();
  }
  // Deep sleep for ms, then a wake with this cause.
  BootOutcome wake(uint64_t after_ms, ResetCause cause = ResetCause::DeepSleepWake) {
    board.wake_after(after_ms, cause);
    return run();
  }
  // Wake when the timer set by the last boot fires.
  BootOutcome timer() { return wake(board.machine.deepsleep_ms); }
  BootOutcome run() {
    first_line = board.machine.lines.size();
    first_request = board.net.requests.size();
    app = std::make_unique<App>(board.hal);
    return app->run();
  }

  std::string out() const {  // the log of the last boot
    std::string s;
    for (size_t i = first_line; i < board.machine.lines.size(); ++i)
      s += board.machine.lines[i] + "\n";
    return s;
  }
  bool logged(const std::string& text) const { return out().find(text) != std::string::npos; }
  // Idempotency-Key and body of every request of the last boot.
  std::vector<std::string> keys() const {
    std::vector<std::string> k;
    for (size_t i = first_request; i < board.net.requests.size(); ++i) {
      const std::string& r = board.net.requests[i];
      const size_t at = r.find("\r\nIdempotency-Key: ");
      k.push_back(at == std::string::npos ? "(none)"
                                          : r.substr(at + 19, r.find("\r\n", at + 2) - at - 19));
    }
    return k;
  }
  std::vector<std::string> bodies() const {
    std::vector<std::string> b;
    for (size_t i = first_request; i < board.net.requests.size(); ++i) {
      const std::string& r = board.net.requests[i];
      b.push_back(r.substr(r.find("\r\n\r\n") + 4));
    }
    return b;
  }
  int queued() const { return app->press_log().count; }
  // The LED pattern played this boot, one character per pin write pair
  // ('1' LED lit, '2' LED2 lit, 'B' both, '.' none), without the final
  // "both off".
  std::string leds() const {
    std::string s;
    const auto& w = board.gpio.writes;
    for (size_t i = 0; i + 2 < w.size(); i += 2) {
      const bool l1 = !w[i].high, l2 = !w[i + 1].high;
      s += l1 && l2 ? 'B' : l1 ? '1' : l2 ? '2' : '.';
    }
    return s;
  }

  FakeBoard board;
  std::unique_ptr<App> app;
  size_t first_line = 0;
  size_t first_request = 0;
};

// ------------------------------------------------------------ the queue ---

TEST_F(QueueTest, EachPostCarriesAnIdempotencyKey) {
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(keys(), std::vector<std::string>{"micropython1-1-1"});
  EXPECT_EQ(bodies(), std::vector<std::string>{"{\"value1\":\"micropython1\"}"})
      << "an ordinary press sends the tutorial's body";
  EXPECT_TRUE(logged("Queued press #1 (1 waiting)")) << out();
  EXPECT_EQ(board.files.files["/boots"], "1");
  wake(60'000);
  EXPECT_EQ(keys(), std::vector<std::string>{"micropython1-1-2"});
}

TEST_F(QueueTest, TheKeyStaysOneHeaderLineWhateverTheButtonIdHolds) {
  board.files.files["/config.py"] = std::string(kConfig).replace(
      std::string(kConfig).find("'micropython1'"), 14, "'caf\\xe9 %\\r\\nX: 1'");
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(keys(), std::vector<std::string>{"caf%C3%A9%20%25%0D%0AX:%201-1-1"});
}

TEST_F(QueueTest, AFailedPressSurvivesDeepSleepAndGoesFirst) {
  server(false);
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(app->last_press(), PressResult::Failed);
  EXPECT_EQ(queued(), 1);
  EXPECT_TRUE(logged("1 waiting; retry at the next press")) << out();
  EXPECT_EQ(board.machine.deepsleep_ms, 0u) << "no TIMED_WAKE: sleep until the next press";
  EXPECT_EQ(leds(), "212121") << "the tutorial's blink";

  server(true);
  wake(3'600'000);  // the next press, an hour later
  EXPECT_EQ(app->last_press(), PressResult::Delivered);
  EXPECT_EQ(keys(), (std::vector<std::string>{"micropython1-1-1", "micropython1-1-2"}));
  EXPECT_EQ(queued(), 0);
  EXPECT_EQ(board.gpio.writes.size(), 0u);
  const std::string log = out();
  EXPECT_LT(log.find("Invoking webhook"), log.find("Webhook invoked"));
}

TEST_F(QueueTest, ManyFailedPressesAreDeliveredInOrder) {
  server(false);
  boot(ResetCause::DeepSleepWake);
  for (int i = 0; i < 3; ++i) wake(10'000);
  EXPECT_EQ(queued(), 4);
  server(true);
  wake(10'000, ResetCause::ExternalReset);  // a press while awake counts too
  EXPECT_EQ(keys(),
            (std::vector<std::string>{"micropython1-1-1", "micropython1-1-2", "micropython1-1-3",
                                      "micropython1-1-4", "micropython1-1-5"}));
}

TEST_F(QueueTest, AFailureMidQueueKeepsTheRestInOrder) {
  server(false);
  boot(ResetCause::DeepSleepWake);
  wake(10'000);
  wake(10'000);
  // The server takes one request, then refuses.
  server(true);
  board.net.connections_left = 1;
  wake(10'000);
  EXPECT_EQ(queued(), 3);
  EXPECT_EQ(app->press_log().queue[0].seq, 2u);
  EXPECT_EQ(app->press_log().queue[2].seq, 4u);
  board.net.connections_left = -1;
  wake(10'000, ResetCause::Watchdog);
  EXPECT_EQ(keys(),
            (std::vector<std::string>{"micropython1-1-2", "micropython1-1-3", "micropython1-1-4"}));
}

TEST_F(QueueTest, NonPressBootsDeliverWhatIsQueued) {
  server(false);
  boot(ResetCause::DeepSleepWake);
  server(true);
  wake(0, ResetCause::Watchdog);  // say, a crash mid-delivery
  EXPECT_EQ(app->wake(), Wake::NotPress);
  EXPECT_EQ(keys(), std::vector<std::string>{"micropython1-1-1"});
  EXPECT_EQ(queued(), 0);
}

TEST_F(QueueTest, AFullQueueDropsTheOldestAndSaysSo) {
  config("MAX_ATTEMPTS = 100\n");
  server(false);
  boot(ResetCause::DeepSleepWake);
  for (size_t i = 0; i < sizes::kPressQueueMax; ++i) wake(1'000);
  EXPECT_TRUE(logged("Queue full: dropped press #1")) << out();
  EXPECT_EQ(queued(), static_cast<int>(sizes::kPressQueueMax));
  server(true);
  wake(1'000);
  ASSERT_EQ(keys().size(), sizes::kPressQueueMax);
  EXPECT_EQ(keys()[0], "micropython1-1-3");  // #1 and #2 (full again at the last press)
  EXPECT_NE(bodies()[0].find("\"value3\":\"dropped=2\""), std::string::npos) << bodies()[0];
}

// -------------------------------------------------------- power loss ------

TEST_F(QueueTest, GarbageRtcMemoryIsDetectedAndCounted) {
  server(false);
  boot(ResetCause::DeepSleepWake);  // zeros: not a valid record either
  EXPECT_TRUE(logged("RTC memory lost: boot 1")) << out();
  wake(1'000);
  EXPECT_FALSE(logged("RTC memory lost")) << "valid after a deep sleep";
  EXPECT_EQ(queued(), 2);

  board.power_cycle(42);  // battery out: the two presses are gone
  server(true);
  run();
  EXPECT_TRUE(logged("RTC memory lost: boot 2")) << out();
  EXPECT_EQ(board.files.files["/boots"], "2");
  EXPECT_EQ(queued(), 0);
  EXPECT_TRUE(keys().empty()) << "power-on is not a press";
  wake(1'000);
  EXPECT_EQ(keys(), std::vector<std::string>{"micropython1-2-1"})
      << "a new boot counter: (boot, seq) never repeats";
}

TEST_F(QueueTest, EveryGarbagePatternIsRejected) {
  for (uint32_t seed = 1; seed <= 50; ++seed) {
    board.power_cycle(seed);
    run();
    ASSERT_TRUE(logged("RTC memory lost")) << seed;
  }
  EXPECT_EQ(board.files.files["/boots"], "50");
}

// ------------------------------------------------------ timed retries -----

TEST_F(QueueTest, TimedWakeBacksOff30s2min10minThenHourly) {
  config(kTimedWake);
  server(false);
  boot(ResetCause::DeepSleepWake);
  std::vector<uint32_t> sleeps = {board.machine.deepsleep_ms};
  EXPECT_TRUE(logged("1 waiting; retry in 30 s")) << out();
  EXPECT_EQ(leds(), "1....1....1....1....") << "queued, will retry";
  for (int i = 0; i < 5; ++i) {
    timer();
    EXPECT_EQ(app->wake(), Wake::Timer) << out();
    EXPECT_EQ(queued(), 1) << "a timer wake is not a press";
    sleeps.push_back(board.machine.deepsleep_ms);
  }
  EXPECT_EQ(sleeps,
            (std::vector<uint32_t>{30'000, 120'000, 600'000, 3'600'000, 3'600'000, 3'600'000}));
  server(true);
  timer();
  EXPECT_EQ(keys(), std::vector<std::string>{"micropython1-1-1"});
  EXPECT_EQ(board.machine.deepsleep_ms, 0u) << "nothing queued: sleep until a press";
}

TEST_F(QueueTest, ARefusedRequestWaitsForAPressNotATimer) {
  // 401: a wrong key. Retrying by timer would spend the battery on the same
  // refusal; the press stays queued for after config.py is fixed.
  config(kTimedWake);
  board.net.reply = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n";
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(board.machine.deepsleep_ms, 0u);
  EXPECT_EQ(queued(), 1);
  EXPECT_EQ(leds(), "212121");
  board.net.reply = "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n";
  wake(1'000);
  EXPECT_EQ(board.machine.deepsleep_ms, 120'000u) << "429 is worth a timed retry (2nd failure)";
  board.net.reply = kOk;
  timer();
  EXPECT_EQ(keys(), (std::vector<std::string>{"micropython1-1-1", "micropython1-1-2"}));
}

TEST_F(QueueTest, APressDuringTheRetrySleepIsStillAPress) {
  config(kTimedWake);
  server(false);
  boot(ResetCause::DeepSleepWake);
  ASSERT_EQ(board.machine.deepsleep_ms, 30'000u);
  server(true);
  wake(5'000);  // RST, 5 s into the 30 s sleep: cause 5 as well
  EXPECT_EQ(app->wake(), Wake::Press);
  EXPECT_TRUE(logged("Woke from retry sleep: press")) << out();
  EXPECT_EQ(keys(), (std::vector<std::string>{"micropython1-1-1", "micropython1-1-2"}));
}

TEST_F(QueueTest, PressThenTimerOrder) {
  // A press during the retry sleep that fails again: the timer restarts
  // from the press, and its wake is the timer's, not another press.
  config(kTimedWake);
  server(false);
  boot(ResetCause::DeepSleepWake);
  wake(10'000);
  EXPECT_EQ(app->wake(), Wake::Press);
  EXPECT_EQ(queued(), 2);
  EXPECT_EQ(board.machine.deepsleep_ms, 120'000u);
  timer();
  EXPECT_EQ(app->wake(), Wake::Timer);
  EXPECT_EQ(queued(), 2);
}

TEST_F(QueueTest, TimerThenPressOrder) {
  config(kTimedWake);
  server(false);
  boot(ResetCause::DeepSleepWake);
  timer();
  EXPECT_EQ(app->wake(), Wake::Timer);
  ASSERT_EQ(board.machine.deepsleep_ms, 120'000u);
  server(true);
  wake(60'000);
  EXPECT_EQ(app->wake(), Wake::Press);
  EXPECT_EQ(keys().size(), 2u);
  // Delivered: the next sleep has no timer, so the next wake is a press
  // however soon it comes.
  EXPECT_EQ(board.machine.deepsleep_ms, 0u);
  wake(100);
  EXPECT_EQ(app->wake(), Wake::Press);
  EXPECT_EQ(keys(), std::vector<std::string>{"micropython1-1-3"});
}

TEST_F(QueueTest, APressWithinTheTimersMarginIsTakenForTheTimer) {
  // The residual ambiguity: RST 1 s before the timer would fire. The wake
  // still delivers the queue, but no new press is counted.
  config(kTimedWake);
  server(false);
  boot(ResetCause::DeepSleepWake);
  server(true);
  wake(29'000);
  EXPECT_EQ(app->wake(), Wake::Unsure);
  EXPECT_TRUE(logged("Woke from retry sleep: timer or press (taken as timer)")) << out();
  EXPECT_EQ(keys(), std::vector<std::string>{"micropython1-1-1"});
}

TEST_F(QueueTest, WithoutAClockThroughSleepARetryWakeIsUnsure) {
  // The real ESP8266: no clock survives the wake, and no sense pin.
  board.machine.has_clock = false;
  config(kTimedWake);
  server(false);
  boot(ResetCause::DeepSleepWake);
  wake(2'000);
  EXPECT_EQ(app->wake(), Wake::Unsure);
  EXPECT_EQ(queued(), 1);
}

TEST_F(QueueTest, TheSensePinSettlesTimerVersusPress) {
  board.machine.has_clock = false;
  config(kTimedWake + "PRESS_SENSE_PIN = 12\n");
  server(false);
  boot(ResetCause::DeepSleepWake);
  board.gpio.grounded[12] = true;  // the button still held (or latched) at boot
  wake(29'500);                    // inside the margin: the clock could not tell
  EXPECT_EQ(app->wake(), Wake::Press);
  EXPECT_EQ(queued(), 2);
  EXPECT_TRUE(board.gpio.pullup[12]);
  board.gpio.grounded[12] = false;
  wake(1'000);  // very early, but the pin says nobody pressed
  EXPECT_EQ(app->wake(), Wake::Timer);
  EXPECT_EQ(queued(), 2);
}

TEST_F(QueueTest, WithoutASensePinPowerOnNotesTheAmbiguityOnce) {
  const std::string note =
      "Note: TIMED_WAKE without PRESS_SENSE_PIN: a press during a retry sleep may be taken for "
      "the timer; wire a sense pin";
  config(kTimedWake);
  server(false);
  boot(ResetCause::PowerOn);
  EXPECT_TRUE(logged(note)) << out();
  wake(60'000);  // a press: no note on a wake
  EXPECT_FALSE(logged(note)) << out();
  timer();
  EXPECT_EQ(app->wake(), Wake::Timer) << out();
  EXPECT_FALSE(logged(note)) << out();
  for (const std::string& c : {kTimedWake + "PRESS_SENSE_PIN = 12\n", std::string()}) {
    config(c);
    boot(ResetCause::PowerOn);
    EXPECT_FALSE(logged("Note:")) << c << out();
  }
}

TEST_F(QueueTest, ARefusedConfigNeverLightsAnLedOnTheResetWire) {
  // LED2_PIN's default is 16, which TIMED_WAKE wires to RST: config.py is
  // refused, and the error pattern that says so must not light D0 (that
  // would reset the board, a press each time, in a loop).
  config("TIMED_WAKE = True\n");
  boot(ResetCause::DeepSleepWake);
  EXPECT_TRUE(logged("Error: config.py: TIMED_WAKE = True wires GPIO16 to RST")) << out();
  EXPECT_EQ(app->last_press(), PressResult::Failed);
  ASSERT_FALSE(board.gpio.writes.empty());
  for (const auto& w : board.gpio.writes) EXPECT_NE(w.pin, 16) << "t=" << w.t_ms;
  EXPECT_EQ(board.gpio.writes.back().pin, 2);
  EXPECT_TRUE(board.gpio.writes.back().high) << "LED left dark";
}

TEST_F(QueueTest, DebugModeRetriesAtTheNextPressNotByTimer) {
  config(kTimedWake);
  server(false);
  board.gpio.grounded[14] = true;
  EXPECT_EQ(boot(ResetCause::DeepSleepWake), BootOutcome::StayAwake);
  EXPECT_EQ(leds(), "212121");
  EXPECT_EQ(queued(), 1);
}

// ----------------------------------------------------------- give up ------

TEST_F(QueueTest, GivingUpAfterMaxAttemptsIsReportedNeverSilent) {
  config("MAX_ATTEMPTS = 2\n");
  server(false);
  boot(ResetCause::DeepSleepWake);  // #1: try 1
  EXPECT_EQ(leds(), "212121");
  wake(1'000);  // #1: try 2, #2: try 1 -> #1 given up
  EXPECT_TRUE(logged("Dropped press #1 after 2 tries")) << out();
  EXPECT_EQ(leds(), "B.B.B.B.B.B.B.B.B.B.") << "gave up";
  EXPECT_EQ(queued(), 1);
  server(true);
  wake(1'000);
  EXPECT_EQ(keys(), (std::vector<std::string>{"micropython1-1-2", "micropython1-1-3"}));
  EXPECT_EQ(bodies()[0], "{\"value1\":\"micropython1\",\"value3\":\"dropped=1\"}");
  EXPECT_EQ(bodies()[1], "{\"value1\":\"micropython1\"}") << "reported once";
  wake(1'000);
  EXPECT_EQ(bodies()[0], "{\"value1\":\"micropython1\"}");
}

TEST_F(QueueTest, PressesDuringAnOutageDoNotUseUpTheTriesOfOlderPresses) {
  // Each press is a round, but the older presses' tries follow the retry
  // timer: three presses in a minute of outage must not drop the first.
  config(kTimedWake + "MAX_ATTEMPTS = 3\n");
  server(false);
  boot(ResetCause::DeepSleepWake);  // #1: try 1, retry in 30 s
  wake(1'000);                      // #2: try 1 (early: #1 stays at 1)
  wake(1'000);                      // #3: try 1
  EXPECT_FALSE(logged("Dropped")) << out();
  EXPECT_EQ(queued(), 3);
  server(true);
  timer();  // #1: try 2
  EXPECT_EQ(keys(), (std::vector<std::string>{"micropython1-1-1", "micropython1-1-2",
                                              "micropython1-1-3"}));
}

TEST_F(QueueTest, GivingUpAfterMaxAge) {
  config(kTimedWake + "MAX_AGE = 600\n");
  server(false);
  boot(ResetCause::DeepSleepWake);
  timer();  // 30 s
  timer();  // 2 min
  EXPECT_EQ(queued(), 1);
  timer();  // 10 min: 12.5 min old
  EXPECT_TRUE(logged("Dropped press #1")) << out();
  EXPECT_EQ(queued(), 0);
  EXPECT_EQ(board.machine.deepsleep_ms, 0u);
  server(true);
  wake(5'000);
  EXPECT_EQ(bodies()[0], "{\"value1\":\"micropython1\",\"value3\":\"dropped=1\"}");
}

TEST_F(QueueTest, AgeCountsTimedSleepsEvenWithoutAClock) {
  board.machine.has_clock = false;
  config(kTimedWake + "MAX_AGE = 600\nPRESS_SENSE_PIN = 12\n");
  server(false);
  boot(ResetCause::DeepSleepWake);
  timer();
  timer();
  timer();  // 30 s + 2 min + 10 min of timer sleeps
  EXPECT_TRUE(logged("Dropped press #1")) << out();
}

// ------------------------------------------------------- fast connect -----

TEST_F(QueueTest, TheSecondPressConnectsFastFromTheCache) {
  boot(ResetCause::DeepSleepWake);
  ASSERT_EQ(board.sta.hints.size(), 1u);
  EXPECT_FALSE(board.sta.hints[0].has_bssid) << "nothing cached yet: a full connect";
  EXPECT_FALSE(board.sta.hints[0].has_static_ip);
  const uint32_t full_ms = board.machine.now;

  wake(60'000);
  ASSERT_EQ(board.sta.hints.size(), 2u);
  const ConnectHint& h = board.sta.hints[1];
  EXPECT_TRUE(h.has_bssid);
  EXPECT_EQ(std::vector<uint8_t>(h.bssid, h.bssid + 6),
            std::vector<uint8_t>(board.sta.ap_bssid, board.sta.ap_bssid + 6));
  EXPECT_EQ(h.channel, 6);
  EXPECT_TRUE(h.has_static_ip) << "the last DHCP lease, reused";
  EXPECT_EQ(h.static_ip.ip, (Ip4{{192, 168, 0, 45}}));
  EXPECT_EQ(h.static_ip.gateway, (Ip4{{192, 168, 0, 1}}));
  EXPECT_LT(board.machine.now, full_ms);
  EXPECT_TRUE(
      logged("Network config: ('192.168.0.45', '255.255.255.0', '192.168.0.1', "
             "'192.168.0.1')"));
  EXPECT_EQ(keys().size(), 1u);
}

TEST_F(QueueTest, AFailedFastConnectFallsBackAndForgetsTheCache) {
  boot(ResetCause::DeepSleepWake);
  board.sta.ap_bssid[5] = 2;  // the router was replaced
  wake(60'000);
  ASSERT_EQ(board.sta.hints.size(), 3u);
  EXPECT_TRUE(board.sta.hints[1].has_bssid);
  EXPECT_FALSE(board.sta.hints[2].has_bssid) << "fallback: a full connect";
  EXPECT_FALSE(board.sta.hints[2].has_static_ip) << "and DHCP";
  EXPECT_TRUE(logged("Fast connect failed; scanning")) << out();
  EXPECT_EQ(keys().size(), 1u);
  wake(60'000);  // the cache now names the new router
  EXPECT_EQ(board.sta.hints[3].bssid[5], 2);
}

TEST_F(QueueTest, AFailedFastAndFullConnectLeavesNoCache) {
  boot(ResetCause::DeepSleepWake);
  board.sta.outcome = WlanStatus::NoApFound;  // the network is gone
  wake(60'000);
  EXPECT_EQ(board.sta.hints.size(), 3u);
  EXPECT_EQ(queued(), 1);
  wake(60'000);
  ASSERT_EQ(board.sta.hints.size(), 4u);
  EXPECT_FALSE(board.sta.hints[3].has_bssid) << "the cache was invalidated";
}

TEST_F(QueueTest, AStaleLeaseIsForgottenWhenTheNetworkSeemsDead) {
  for (Err silence : {Err::ConnectTimeout, Err::Timeout, Err::DnsFailed}) {
    boot(ResetCause::DeepSleepWake);    // caches the lease
    board.net.connect_error = silence;  // with the cached IP, nothing answers
    wake(60'000);
    ASSERT_TRUE(board.sta.hints.back().has_bssid);
    EXPECT_EQ(queued(), 1) << err_name(silence);
    server(true);
    wake(60'000);
    EXPECT_FALSE(board.sta.hints.back().has_bssid) << "a full connect, with DHCP";
    EXPECT_FALSE(board.sta.hints.back().has_static_ip);
    EXPECT_EQ(keys().size(), 2u);
  }
}

TEST_F(QueueTest, AnAnswerFromTheServerKeepsTheCache) {
  boot(ResetCause::DeepSleepWake);
  server(false);  // connection refused: the server's host answered
  wake(60'000);
  board.net.reply = "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n";
  server(true);
  wake(60'000);
  board.net.reply = kOk;
  wake(60'000);
  ASSERT_EQ(board.sta.hints.size(), 4u);
  EXPECT_FALSE(board.sta.hints[0].has_bssid);
  for (size_t i = 1; i < 4; ++i) EXPECT_TRUE(board.sta.hints[i].has_bssid) << i;
  EXPECT_EQ(queued(), 0);
}

TEST_F(QueueTest, AStaticIpIsUsedOnEveryConnect) {
  config("STATIC_IP = '192.168.0.50'\nGATEWAY = '192.168.0.1'\nDNS = '9.9.9.9'\n");
  boot(ResetCause::DeepSleepWake);
  ASSERT_EQ(board.sta.hints.size(), 1u);
  EXPECT_FALSE(board.sta.hints[0].has_bssid);
  EXPECT_TRUE(board.sta.hints[0].has_static_ip);
  EXPECT_EQ(board.sta.hints[0].static_ip.ip, (Ip4{{192, 168, 0, 50}}));
  EXPECT_TRUE(
      logged("Network config: ('192.168.0.50', '255.255.255.0', '192.168.0.1', "
             "'9.9.9.9')"))
      << out();
  wake(60'000);
  EXPECT_TRUE(board.sta.hints[1].has_bssid);
  EXPECT_EQ(board.sta.hints[1].static_ip.ip, (Ip4{{192, 168, 0, 50}}))
      << "the configured address, not a cached lease";
}

TEST_F(QueueTest, ANewSsidIgnoresTheCache) {
  boot(ResetCause::DeepSleepWake);
  board.files.files["/config.py"] =
      std::string(kConfig).replace(std::string(kConfig).find("'home'"), 6, "'office'");
  wake(60'000);
  ASSERT_EQ(board.sta.hints.size(), 2u);
  EXPECT_FALSE(board.sta.hints[1].has_bssid);
}

// ------------------------------------------------------------- no config --

TEST_F(QueueTest, APressWithoutConfigIsKeptForWhenItIsFixed) {
  board.files.files.erase("/config.py");
  boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(app->last_press(), PressResult::Failed);
  EXPECT_EQ(queued(), 1);
  config("");
  wake(60'000, ResetCause::ExternalReset);
  EXPECT_EQ(keys(), (std::vector<std::string>{"micropython1-1-1", "micropython1-1-2"}));
}

}  // namespace
}  // namespace bh
