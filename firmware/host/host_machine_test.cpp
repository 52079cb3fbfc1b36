#include "host_machine.h"

#include <gtest/gtest.h>
#include <string.h>

#include <chrono>

#include "host_test_support.h"

namespace bh::host {
namespace {

struct HostMachineTest : ::testing::Test {
  HostMachineTest() { env.observer = &rec; }
  Env env;
  bh::testing::Recorder rec;
  HostMachine machine{env};
};

TEST_F(HostMachineTest, SleepAdvancesVirtualTimeWithoutWaiting) {
  machine.boot(ResetCause::PowerOn);
  const auto real_start = std::chrono::steady_clock::now();
  machine.sleep_ms(3600 * 1000);
  const auto real_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - real_start)
                           .count();
  EXPECT_EQ(machine.ticks_ms(), 3600u * 1000u);
  EXPECT_LT(real_ms, 100);
}

TEST_F(HostMachineTest, TicksCountFromTheLatestBoot) {
  env.clock.advance_ms(5000);
  machine.boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(machine.ticks_ms(), 0u);
  machine.sleep_ms(250);
  EXPECT_EQ(machine.ticks_ms(), 250u);
}

TEST_F(HostMachineTest, ReportsTheResetCauseItBootedWith) {
  machine.boot(ResetCause::PowerOn);
  EXPECT_EQ(machine.reset_cause(), ResetCause::PowerOn);
  machine.boot(ResetCause::DeepSleepWake);
  EXPECT_EQ(static_cast<int>(machine.reset_cause()), 5);
  machine.boot(ResetCause::ExternalReset);
  EXPECT_EQ(static_cast<int>(machine.reset_cause()), 6);
}

TEST_F(HostMachineTest, DeepSleepIsARequestAndTheFirstOneWins) {
  machine.boot(ResetCause::PowerOn);
  EXPECT_FALSE(machine.deepsleep_request());
  machine.deepsleep(0);
  machine.deepsleep(60000);
  ASSERT_TRUE(machine.deepsleep_request());
  EXPECT_EQ(*machine.deepsleep_request(), 0u);
  machine.boot(ResetCause::DeepSleepWake);
  EXPECT_FALSE(machine.deepsleep_request());
}

TEST_F(HostMachineTest, RtcMemorySurvivesDeepSleepAndIsGarbageAfterPowerOff) {
  uint8_t pattern[512];
  for (size_t i = 0; i < sizeof pattern; ++i) pattern[i] = uint8_t(i * 7);
  ASSERT_TRUE(machine.rtc_memory_write(0, pattern, sizeof pattern));
  machine.deepsleep(0);
  machine.boot(ResetCause::DeepSleepWake);
  uint8_t back[512];
  ASSERT_TRUE(machine.rtc_memory_read(0, back, sizeof back));
  EXPECT_EQ(memcmp(back, pattern, sizeof back), 0);

  machine.power_off();
  machine.boot(ResetCause::PowerOn);
  ASSERT_TRUE(machine.rtc_memory_read(0, back, sizeof back));
  EXPECT_NE(memcmp(back, pattern, sizeof back), 0);
  // Garbage, not zeros: a firmware that trusts zeroed RTC memory is wrong.
  size_t zeros = 0, distinct_from_first = 0;
  for (uint8_t b : back) {
    zeros += b == 0;
    distinct_from_first += b != back[0];
  }
  EXPECT_LT(zeros, 64u);
  EXPECT_GT(distinct_from_first, 256u);
}

TEST_F(HostMachineTest, RtcMemoryTakesAlignedOffsetsWithinItsSize) {
  EXPECT_EQ(machine.rtc_memory_size(), 512u);
  uint32_t v = 0x12345678;
  EXPECT_TRUE(machine.rtc_memory_write(508, &v, 4));
  EXPECT_FALSE(machine.rtc_memory_write(510, &v, 4));  // unaligned
  EXPECT_FALSE(machine.rtc_memory_write(512, &v, 4));  // past the end
  EXPECT_FALSE(machine.rtc_memory_read(0, &v, 513));
  uint32_t back = 0;
  EXPECT_TRUE(machine.rtc_memory_read(508, &back, 4));
  EXPECT_EQ(back, 0x12345678u);
}

TEST_F(HostMachineTest, LogLinesReachTheObserverAtTheirTime) {
  env.clock.advance_ms(1234);
  machine.log("Connecting to WiFi...");
  ASSERT_EQ(rec.serial.size(), 1u);
  EXPECT_EQ(rec.serial[0].first, 1234000u);
  EXPECT_EQ(rec.serial[0].second, "Connecting to WiFi...");
}

TEST_F(HostMachineTest, BatteryAndChipIdComeFromTheWorld) {
  env.world.battery_mv = 2950;
  env.world.chip_id = 0x12abcdef;
  EXPECT_EQ(machine.battery_mv(), 2950);
  EXPECT_EQ(machine.chip_id(), 0xabcdefu);
}

}  // namespace
}  // namespace bh::host
