#include "host_gpio.h"

#include <gtest/gtest.h>

#include "host_test_support.h"

namespace bh::host {
namespace {

struct HostGpioTest : ::testing::Test {
  HostGpioTest() { env.observer = &rec; }
  Env env;
  bh::testing::Recorder rec;
  HostGpio gpio{env};
};

TEST_F(HostGpioTest, InputWithPullUpReadsHighUntilTheJumperTiesItToGround) {
  Pin debug(gpio, 14, PinMode::In, Pull::Up);
  EXPECT_TRUE(debug.value());
  gpio.drive(14, false);  // jumper D5 -> GND
  EXPECT_FALSE(debug.value());
  gpio.drive(14, std::nullopt);
  EXPECT_TRUE(debug.value());
}

TEST_F(HostGpioTest, FloatingInputReadsLow) {
  Pin p(gpio, 5, PinMode::In);
  EXPECT_FALSE(p.value());
}

TEST_F(HostGpioTest, OutputReadsItsLatchWhateverDrivesThePin) {
  Pin led(gpio, 2, PinMode::Out);
  gpio.drive(2, true);
  led.off();
  EXPECT_FALSE(led.value());
  led.on();
  EXPECT_TRUE(led.value());
}

TEST_F(HostGpioTest, OpenDrainPullsLowOrReleasesToThePullUp) {
  Pin p(gpio, 4, PinMode::OpenDrain, Pull::Up);
  p.value(false);
  EXPECT_FALSE(p.value());
  p.value(true);
  EXPECT_TRUE(p.value());
}

TEST_F(HostGpioTest, ActiveLowLedChangesReachTheObserverWithTheirTime) {
  // After reset the latch is 0: making the pin an output drives it low,
  // which lights an active-low LED until the firmware writes 1.
  env.clock.advance_ms(5);
  Pin led(gpio, 2, PinMode::Out);
  ASSERT_EQ(rec.pins.size(), 1u);
  EXPECT_EQ(rec.pins[0].t_us, 5000u);
  EXPECT_TRUE(rec.pins[0].output);
  EXPECT_FALSE(rec.pins[0].level);  // low = LED lit
  led.on();                         // high = LED off
  led.on();                         // no change, no event
  env.clock.advance_ms(500);
  led.off();
  ASSERT_EQ(rec.pins.size(), 3u);
  EXPECT_TRUE(rec.pins[1].level);
  EXPECT_EQ(rec.pins[2].t_us, 505000u);
  EXPECT_FALSE(rec.pins[2].level);
}

TEST_F(HostGpioTest, WritesToAnInputAreInvisibleUntilItBecomesAnOutput) {
  gpio.mode(16, PinMode::In, Pull::None);
  gpio.write(16, true);
  EXPECT_TRUE(rec.pins.empty());
  gpio.mode(16, PinMode::Out, Pull::None);
  ASSERT_EQ(rec.pins.size(), 1u);
  EXPECT_TRUE(rec.pins[0].level);
}

TEST_F(HostGpioTest, ResetMakesEveryPinAnInputAndKeepsTheJumper) {
  Pin led(gpio, 16, PinMode::Out);
  led.on();
  gpio.drive(14, false);
  gpio.reset();
  EXPECT_FALSE(gpio.is_output(16));
  EXPECT_FALSE(gpio.latch(16));
  EXPECT_FALSE(rec.pins.back().output);
  Pin debug(gpio, 14, PinMode::In, Pull::Up);
  EXPECT_FALSE(debug.value());
}

TEST_F(HostGpioTest, PinsBeyondGpio16AreIgnored) {
  gpio.mode(17, PinMode::Out, Pull::None);
  gpio.write(17, true);
  EXPECT_FALSE(gpio.read(17));
  EXPECT_TRUE(rec.pins.empty());
}

TEST(NodeMcuNames, MatchTheSilkScreen) {
  EXPECT_STREQ(nodemcu_name(2), "D4");
  EXPECT_STREQ(nodemcu_name(16), "D0");
  EXPECT_STREQ(nodemcu_name(14), "D5");
  EXPECT_STREQ(nodemcu_name(9), "");
}

}  // namespace
}  // namespace bh::host
