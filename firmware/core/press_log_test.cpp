// The press queue's pure rules: queue operations, give-up, backoff, telling
// a timer wake from a press, the RTC records' checksums, and LED patterns.
#include "press_log.h"

#include <gtest/gtest.h>

#include <string>

#include "fake_board.h"
#include "led_pattern.h"

namespace bh {
namespace {

TEST(PressLog, PushPopKeepOrderAndNumberPresses) {
  PressLog log;
  press_log_reset(&log, 7);
  EXPECT_EQ(log.boot, 7u);
  EXPECT_EQ(press_push(&log, 100).seq, 1u);
  EXPECT_EQ(press_push(&log, 101).seq, 2u);
  EXPECT_EQ(press_push(&log, 102).seq, 3u);
  press_pop(&log);
  ASSERT_EQ(log.count, 2);
  EXPECT_EQ(log.queue[0].seq, 2u);
  EXPECT_EQ(log.queue[0].at_s, 101u);
  EXPECT_EQ(log.queue[1].seq, 3u);
  EXPECT_EQ(press_push(&log, 103).seq, 4u) << "seq never reuses a number";
}

TEST(PressLog, AFullQueueDropsItsOldestAndCountsIt) {
  PressLog log;
  press_log_reset(&log, 1);
  for (uint32_t i = 0; i < sizes::kPressQueueMax; ++i) press_push(&log, i);
  press_push(&log, 99);
  EXPECT_EQ(log.count, sizes::kPressQueueMax);
  EXPECT_EQ(log.queue[0].seq, 2u);
  EXPECT_EQ(log.queue[sizes::kPressQueueMax - 1].seq, sizes::kPressQueueMax + 1);
  EXPECT_EQ(log.dropped, 1u);
}

TEST(PressLog, DropsTravelWithTheNextPressUntilItIsDelivered) {
  PressLog log;
  press_log_reset(&log, 1);
  press_push(&log, 0);
  press_push(&log, 0);
  press_drop(&log);  // #1 given up
  EXPECT_EQ(log.dropped, 1u);
  press_take_dropped(&log);  // #2 will report it
  EXPECT_EQ(log.queue[0].dropped, 1);
  EXPECT_EQ(log.dropped, 0u);
  press_take_dropped(&log);  // a retry of #2: the same report, not twice
  EXPECT_EQ(log.queue[0].dropped, 1);
  press_push(&log, 0);
  press_drop(&log);  // #2 given up too: its own drop and the one it carried
  EXPECT_EQ(log.dropped, 2u);
  press_take_dropped(&log);
  EXPECT_EQ(log.queue[0].seq, 3u);
  EXPECT_EQ(log.queue[0].dropped, 2);
}

TEST(PressLog, GiveUpAfterMaxAttemptsOrMaxAge) {
  PressRecord p{};
  p.at_s = 1000;
  p.attempts = 7;
  EXPECT_FALSE(press_expired(p, 1000, 8, 3600));
  p.attempts = 8;
  EXPECT_TRUE(press_expired(p, 1000, 8, 3600));
  p.attempts = 1;
  EXPECT_FALSE(press_expired(p, 1000 + 3599, 8, 3600));
  EXPECT_TRUE(press_expired(p, 1000 + 3600, 8, 3600));
}

TEST(PressLog, BackoffIs30sThen2minThen10minThenHourly) {
  EXPECT_EQ(retry_delay_ms(1), 30'000u);
  EXPECT_EQ(retry_delay_ms(2), 120'000u);
  EXPECT_EQ(retry_delay_ms(3), 600'000u);
  EXPECT_EQ(retry_delay_ms(4), 3'600'000u);
  EXPECT_EQ(retry_delay_ms(5), 3'600'000u);
  EXPECT_EQ(retry_delay_ms(255), 3'600'000u);
  EXPECT_EQ(retry_delay_ms(0), 30'000u);
}

WakeFacts retry_wake(uint32_t sleep_ms, uint64_t slept_ms, bool clock_ok = true,
                     int8_t sense = -1) {
  WakeFacts f;
  f.cause = ResetCause::DeepSleepWake;
  f.sleep_ms = sleep_ms;
  f.slept_ms = slept_ms;
  f.clock_ok = clock_ok;
  f.sense = sense;
  return f;
}

TEST(Wake, ResetCausesWithoutATimerPending) {
  WakeFacts f;
  for (ResetCause c : {ResetCause::PowerOn, ResetCause::Watchdog, ResetCause::Exception,
                       ResetCause::SoftWatchdog, ResetCause::SoftRestart}) {
    f.cause = c;
    EXPECT_EQ(classify_wake(f), Wake::NotPress) << reset_cause_name(c);
  }
  f.cause = ResetCause::DeepSleepWake;  // sleeping until RST: only RST wakes
  EXPECT_EQ(classify_wake(f), Wake::Press);
  f.cause = ResetCause::ExternalReset;  // RST while awake
  EXPECT_EQ(classify_wake(f), Wake::Press);
  f.sleep_ms = 30'000;  // even while a timer was set
  EXPECT_EQ(classify_wake(f), Wake::Press);
}

TEST(Wake, TheClockTellsAnEarlyPressFromTheTimer) {
  const uint32_t sleep = 120'000;
  const uint32_t margin = wake_margin_ms(sleep);  // 1 s + 1/16 of the sleep
  EXPECT_EQ(margin, 8'500u);
  EXPECT_EQ(classify_wake(retry_wake(sleep, 100)), Wake::Press);
  EXPECT_EQ(classify_wake(retry_wake(sleep, sleep - margin)), Wake::Press);
  EXPECT_EQ(classify_wake(retry_wake(sleep, sleep - margin + 1)), Wake::Unsure);
  EXPECT_EQ(classify_wake(retry_wake(sleep, sleep - 1)), Wake::Unsure);
  EXPECT_EQ(classify_wake(retry_wake(sleep, sleep)), Wake::Timer);
  EXPECT_EQ(classify_wake(retry_wake(sleep, sleep + 60'000)), Wake::Timer);
}

TEST(Wake, WithoutAClockEveryRetryWakeIsUnsure) {
  EXPECT_EQ(classify_wake(retry_wake(30'000, 0, false)), Wake::Unsure);
}

TEST(Wake, TheSensePinSettlesIt) {
  EXPECT_EQ(classify_wake(retry_wake(30'000, 29'999, true, 1)), Wake::Press);
  EXPECT_EQ(classify_wake(retry_wake(30'000, 100, true, 0)), Wake::Timer);
  EXPECT_EQ(classify_wake(retry_wake(30'000, 0, false, 1)), Wake::Press);
  EXPECT_EQ(classify_wake(retry_wake(30'000, 0, false, 0)), Wake::Timer);
}

TEST(RtcRecord, ChecksumSeededByTypeRejectsGarbageZerosAndOtherTypes) {
  testing::FakeMachine m;
  PressLog log;
  press_log_reset(&log, 3);
  press_push(&log, 5);
  ASSERT_TRUE(rtc_store(m, rtc::kPressLogOffset, &log, sizeof log, rtc::kPressLogType));
  PressLog back;
  EXPECT_TRUE(rtc_load(m, rtc::kPressLogOffset, &back, sizeof back, rtc::kPressLogType));
  EXPECT_EQ(back.queue[0].seq, 1u);
  EXPECT_FALSE(rtc_load(m, rtc::kPressLogOffset, &back, sizeof back, rtc::kWifiCacheType))
      << "the same bytes are not a record of another type";
  m.rtc[17] ^= 0x04;  // one bit flipped
  EXPECT_FALSE(rtc_load(m, rtc::kPressLogOffset, &back, sizeof back, rtc::kPressLogType));
  memset(m.rtc, 0, sizeof m.rtc);
  EXPECT_FALSE(rtc_load(m, rtc::kPressLogOffset, &back, sizeof back, rtc::kPressLogType));
  memset(m.rtc, 0xFF, sizeof m.rtc);
  EXPECT_FALSE(rtc_load(m, rtc::kPressLogOffset, &back, sizeof back, rtc::kPressLogType));
}

TEST(RtcRecord, LayoutFitsTheEsp8266sUserMemory) {
  EXPECT_LE(rtc::kEnd, 512u);
  EXPECT_EQ(rtc::kWifiCacheOffset % 4, 0u);
}

// ---------------------------------------------------------------- LEDs ----

std::string draw(Blink b) {
  // One character per step: '1' LED, '2' LED2, 'B' both, '.' none.
  std::string s;
  for (uint32_t t = 0; t < blink_length_ms(b); t += blink_step_ms(b)) {
    const uint8_t lit = blink_leds(b, t);
    s += lit == (kLed1 | kLed2) ? 'B' : lit == kLed1 ? '1' : lit == kLed2 ? '2' : '.';
  }
  return s;
}

TEST(LedPattern, EachPatternAsAFunctionOfTime) {
  EXPECT_EQ(draw(Blink::Failed), "212121");  // the tutorial's: 0.5 s steps
  EXPECT_EQ(draw(Blink::Retrying), "1....1....1....1....");
  EXPECT_EQ(draw(Blink::GaveUp), "B.B.B.B.B.B.B.B.B.B.");
  for (Blink b : {Blink::Failed, Blink::Retrying, Blink::GaveUp}) {
    EXPECT_EQ(blink_leds(b, blink_length_ms(b)), 0) << "dark after the end";
    // Constant between steps: the player may sample at step boundaries only.
    const uint32_t step = blink_step_ms(b);
    for (uint32_t t = 0; t < blink_length_ms(b); ++t) {
      ASSERT_EQ(blink_leds(b, t), blink_leds(b, t - t % step)) << t;
    }
  }
}

}  // namespace
}  // namespace bh
