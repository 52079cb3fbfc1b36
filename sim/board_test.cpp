// The virtual board's own behaviour: reset causes, deep sleep and the
// GPIO16 wire, RTC memory over deep sleep and power loss, the jumper, LED
// reporting, the wake summary, crashes.
#include "board.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "crash_guard.h"
#include "sim_test_support.h"

namespace bh::sim {
namespace {

using bh::testing::SimFixture;

// Firmware that does one scripted thing per boot.
struct ScriptedFirmware : Firmware {
  ScriptedFirmware(Hal& h, std::function<BootOutcome(Hal&)> run_fn, int* loops)
      : hal(h), fn(std::move(run_fn)), loop_count(loops) {}
  BootOutcome run() override { return fn(hal); }
  void loop() override {
    if (loop_count) ++*loop_count;
  }
  Hal& hal;
  std::function<BootOutcome(Hal&)> fn;
  int* loop_count;
};

struct BoardTest : SimFixture, ::testing::Test {
  void run_firmware(std::function<BootOutcome(Hal&)> fn) {
    board->set_firmware(
        [fn, this](Hal& h) { return std::make_unique<ScriptedFirmware>(h, fn, &loops); });
  }
  std::vector<ResetCause> causes;
  int loops = 0;
};

BootOutcome record_cause_and_sleep(std::vector<ResetCause>* causes, Hal& h, uint32_t ms = 0) {
  causes->push_back(h.machine.reset_cause());
  h.machine.deepsleep(ms);
  return BootOutcome::DeepSleep;
}

TEST_F(BoardTest, PowerOnIsCause0PressInDeepSleepIs5PressAwakeIs6) {
  run_firmware([this](Hal& h) {
    causes.push_back(h.machine.reset_cause());
    Pin debug(h.gpio, 14, PinMode::In, Pull::Up);
    if (!debug.value()) return BootOutcome::StayAwake;
    h.machine.deepsleep(0);
    return BootOutcome::DeepSleep;
  });
  board->power_on();
  EXPECT_EQ(board->state(), Board::State::DeepSleep);
  board->press();
  board->jumper(true);
  board->press();
  EXPECT_EQ(board->state(), Board::State::Awake);
  board->press();
  ASSERT_EQ(causes.size(), 4u);
  EXPECT_EQ(causes[0], ResetCause::PowerOn);
  EXPECT_EQ(causes[1], ResetCause::DeepSleepWake);
  EXPECT_EQ(causes[2], ResetCause::DeepSleepWake);
  EXPECT_EQ(causes[3], ResetCause::ExternalReset);
  EXPECT_TRUE(out.has("* power on (reset cause 0: power-on)"));
  EXPECT_TRUE(out.has("* RST pressed during deep sleep: wake (reset cause 5: deep-sleep wake)"));
  EXPECT_TRUE(out.has("* RST pressed while awake: reboot (reset cause 6: external reset)"));
  EXPECT_TRUE(out.has("* jumper on: GPIO14 (D5) to GND"));
}

TEST_F(BoardTest, PressWithoutPowerDoesNothing) {
  run_firmware([this](Hal& h) { return record_cause_and_sleep(&causes, h); });
  board->press();
  EXPECT_TRUE(causes.empty());
  EXPECT_EQ(board->state(), Board::State::Off);
  EXPECT_TRUE(out.has("no power"));
}

TEST_F(BoardTest, TimedDeepSleepWakesByTimerOnlyWithTheGpio16Wire) {
  env.world.gpio16_rst = true;
  run_firmware([this](Hal& h) { return record_cause_and_sleep(&causes, h, 60000); });
  board->power_on();
  const uint64_t slept_at = env.clock.now_us();
  EXPECT_TRUE(out.has("* deep sleep for 60.000 s (GPIO16->RST wakes the board)"));
  board->advance_us(59'999'000);
  EXPECT_EQ(causes.size(), 1u);
  board->advance_us(1000);
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(causes[1], ResetCause::DeepSleepWake);
  const auto* wake = out.find("* GPIO16->RST: timer wake (reset cause 5: deep-sleep wake)");
  ASSERT_NE(wake, nullptr);
  EXPECT_EQ(wake->t_us, slept_at + 60'000'000);
}

TEST_F(BoardTest, TimedDeepSleepWithoutTheWireNeverWakes) {
  run_firmware([this](Hal& h) { return record_cause_and_sleep(&causes, h, 60000); });
  board->power_on();
  const auto* warning =
      out.find("* deep sleep for 60.000 s requested, but GPIO16 is not wired to RST");
  ASSERT_NE(warning, nullptr);
  EXPECT_EQ(warning->kind, LineKind::Warning);
  board->advance_us(3600'000'000ull);
  EXPECT_EQ(causes.size(), 1u);
  board->press();  // RST still wakes it
  EXPECT_EQ(causes.size(), 2u);
}

TEST_F(BoardTest, RtcMemorySurvivesDeepSleepButNotPowerLoss) {
  std::vector<uint32_t> seen;
  run_firmware([&seen](Hal& h) {
    uint32_t v = 0;
    h.machine.rtc_memory_read(0, &v, 4);
    seen.push_back(v);
    const uint32_t next = h.machine.reset_cause() == ResetCause::PowerOn ? 1 : v + 1;
    h.machine.rtc_memory_write(0, &next, 4);
    h.machine.deepsleep(0);
    return BootOutcome::DeepSleep;
  });
  board->power_on();
  board->press();
  board->press();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1], 1u);
  EXPECT_EQ(seen[2], 2u);
  board->power_off();
  EXPECT_TRUE(out.has("* power off (RTC memory lost)"));
  board->power_on();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_NE(seen[3], 2u);  // power-up garbage
}

TEST_F(BoardTest, AwakeBoardRunsItsLoopAsTimePasses) {
  run_firmware([](Hal&) { return BootOutcome::StayAwake; });
  board->power_on();
  board->advance_us(1'000'000);
  EXPECT_EQ(loops, 100);  // every 10 ms
  EXPECT_EQ(board->state(), Board::State::Awake);
  EXPECT_FALSE(out.has("deep sleep"));
}

TEST_F(BoardTest, LedChangesAreReportedAtTheirTimeAndInstantGlitchesAreNot) {
  run_firmware([](Hal& h) {
    Pin led(h.gpio, 2, PinMode::Out);  // latch 0: lit for no time at all
    led.on();
    h.machine.sleep_ms(100);
    led.off();  // lit
    h.machine.sleep_ms(500);
    led.on();
    h.machine.deepsleep(0);
    return BootOutcome::DeepSleep;
  });
  board->power_on();
  std::vector<std::pair<uint64_t, std::string>> leds;
  for (const auto& l : out.lines) {
    if (l.kind == LineKind::Led) leds.emplace_back(l.t_us / 1000, l.text);
  }
  const uint64_t boot_ms = 200;
  const std::vector<std::pair<uint64_t, std::string>> expected = {
      {boot_ms + 100, "* LED D4 (GPIO2) on"}, {boot_ms + 600, "* LED D4 (GPIO2) off"}};
  EXPECT_EQ(leds, expected);
}

TEST_F(BoardTest, EachWakeEndsWithItsDurationAndCharge) {
  run_firmware([this](Hal& h) { return record_cause_and_sleep(&causes, h); });
  board->power_on();
  const std::regex summary(R"(\* awake \d+\.\d{3} s, charge \d+\.\d mAs \(\d+\.\d µAh\))");
  size_t found = 0;
  for (const auto& l : out.lines) found += std::regex_match(l.text, summary);
  EXPECT_EQ(found, 1u) << out.all();
  // Boot only (200 ms at 70 mA, the soft AP's receiver does not add while
  // booting): 14.0 mAs.
  EXPECT_TRUE(out.has("* awake 0.200 s, charge 14.0 mAs (3.9 µAh)")) << out.all();
  const auto& w = board->timeline().wakes().at(0);
  EXPECT_EQ(w.cause, "power-on");
  EXPECT_EQ(w.end, "deep-sleep");
}

TEST_F(BoardTest, PowerStatesFollowTheRadio) {
  run_firmware([](Hal& h) {
    h.machine.sleep_ms(100);  // the soft AP is on (factory default)
    h.ap.active(false);
    h.machine.sleep_ms(100);  // both interfaces off
    h.sta.active(true);
    h.sta.connect("buttonhook-demo", "correct horse battery", nullptr);
    while (!h.sta.isconnected()) h.machine.sleep_ms(50);
    h.machine.sleep_ms(100);
    h.machine.deepsleep(0);
    return BootOutcome::DeepSleep;
  });
  board->advance_us(1'000'000);
  board->power_on();
  std::vector<std::string> states;
  for (const auto& s : board->timeline().segments()) states.push_back(s.state);
  const std::vector<std::string> expected = {"off",        "booting",    "listen",
                                             "idle-awake", "scanning",   "associating",
                                             "dhcp",       "idle-awake", "deep-sleep"};
  EXPECT_EQ(states, expected);
}

TEST_F(BoardTest, PressWhileAwakeAndPowerOffEndTheWake) {
  run_firmware([](Hal&) { return BootOutcome::StayAwake; });
  board->power_on();
  board->advance_us(1'000'000);
  board->press();
  board->power_off();
  EXPECT_EQ(board->state(), Board::State::Off);
  ASSERT_EQ(board->timeline().wakes().size(), 2u);
  EXPECT_EQ(board->timeline().wakes()[0].end, "reset");
  EXPECT_EQ(board->timeline().wakes()[1].end, "power-off");
}

TEST(BoardCrash, FirmwareCrashPrintsAndExits70) {
  EXPECT_EXIT(
      {
        bh::testing::SimFixture f;
        crash_guard::install(f.env.clock.now_us_address(), false);
        f.board->set_firmware([](Hal& h) {
          struct Crasher : Firmware {
            BootOutcome run() override {
              raise(SIGSEGV);
              return BootOutcome::DeepSleep;
            }
            void loop() override {}
          };
          return std::make_unique<Crasher>();
        });
        f.board->power_on();
      },
      ::testing::ExitedWithCode(crash_guard::kExitCode), "");
}

}  // namespace
}  // namespace bh::sim
