#include "timeline.h"

#include <gtest/gtest.h>

#include <sstream>

namespace bh::sim {
namespace {

TEST(TimePrefix, SecondsWithThreeDecimalsRightAlignedInEightColumns) {
  EXPECT_EQ(time_prefix(0), "[   0.000] ");
  EXPECT_EQ(time_prefix(12345678), "[  12.345] ");
  EXPECT_EQ(time_prefix(1234567890), "[1234.567] ");
  EXPECT_EQ(seconds_text(4812000), "4.812");
}

TEST(Timeline, ChargeIsCurrentIntegratedOverTime) {
  Timeline t;
  t.set_state(0, "booting", 70.0);
  t.set_state(200000, "scanning", 56.0);
  t.set_state(2200000, "deep-sleep", 0.02);
  t.finish(3200000);
  EXPECT_NEAR(t.charge_mas(0, 2200000), 70.0 * 0.2 + 56.0 * 2.0, 1e-9);
  EXPECT_NEAR(t.charge_mas(100000, 300000), 70.0 * 0.1 + 56.0 * 0.1, 1e-9);
  EXPECT_NEAR(t.charge_mas(0, 3200000), 126.0 + 0.02, 1e-9);
}

TEST(Timeline, SameInstantStatesCollapseAndRepeatsMerge) {
  Timeline t;
  t.set_state(0, "off", 0);
  t.set_state(100, "idle-awake", 15);
  t.set_state(100, "idle-awake", 16);  // an LED lit at the same instant
  t.set_state(200, "idle-awake", 16);
  ASSERT_EQ(t.segments().size(), 2u);
  EXPECT_EQ(t.segments()[1].ma, 16);
  t.set_state(300, "idle-awake", 15);
  t.set_state(300, "idle-awake", 16);  // back again: nothing happened at 300
  EXPECT_EQ(t.segments().size(), 2u);
}

TEST(Timeline, WakesCarryTheirCharge) {
  Timeline t;
  t.set_state(0, "booting", 70.0);
  t.wake_begin(0, "power-on");
  t.set_state(1000000, "deep-sleep", 0.02);
  const Timeline::Wake& w = t.wake_end(1000000, "deep-sleep");
  EXPECT_NEAR(w.charge_mas, 70.0, 1e-9);
  EXPECT_EQ(w.cause, "power-on");
}

TEST(Timeline, JsonHasStatesLedsEventsAndWakes) {
  Timeline t;
  t.set_state(0, "booting", 70.0);
  t.wake_begin(0, "deep-sleep wake");
  t.led(500000, "D4", true);
  t.event(600000, "serial", "Webhook failed");
  t.set_state(1000000, "deep-sleep", 0.02);
  t.wake_end(1000000, "deep-sleep");
  t.finish(2000000);
  const auto j = t.to_json();
  EXPECT_EQ(j["format"], "buttonhook-timeline/1");
  ASSERT_EQ(j["states"].size(), 2u);
  EXPECT_EQ(j["states"][0]["state"], "booting");
  EXPECT_DOUBLE_EQ(j["states"][0]["duration"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["states"][1]["duration"].get<double>(), 1.0);
  EXPECT_EQ(j["leds"][0]["led"], "D4");
  EXPECT_EQ(j["leds"][0]["on"], true);
  EXPECT_EQ(j["events"][0]["text"], "Webhook failed");
  EXPECT_NEAR(j["wakes"][0]["charge_mas"].get<double>(), 70.0, 1e-9);
  EXPECT_NEAR(j["wakes"][0]["charge_uah"].get<double>(), 70.0 / 3.6, 1e-9);
  std::ostringstream printed;
  t.print(printed);
  EXPECT_NE(printed.str().find("deep-sleep"), std::string::npos);
  EXPECT_NE(printed.str().find("LED D4 on"), std::string::npos);
}

}  // namespace
}  // namespace bh::sim
