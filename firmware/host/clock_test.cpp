#include "clock.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bh::host {
namespace {

TEST(Clock, TimersFireAtTheirOwnInstantInOrder) {
  Clock clock;
  std::vector<std::pair<uint64_t, std::string>> fired;
  clock.schedule_at_us(3000, [&] { fired.emplace_back(clock.now_us(), "c"); });
  clock.schedule_at_us(1000, [&] { fired.emplace_back(clock.now_us(), "a"); });
  clock.schedule_at_us(1000, [&] { fired.emplace_back(clock.now_us(), "b"); });
  clock.advance_us(2500);
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], std::make_pair(uint64_t(1000), std::string("a")));
  EXPECT_EQ(fired[1], std::make_pair(uint64_t(1000), std::string("b")));
  EXPECT_EQ(clock.now_us(), 2500u);
  clock.advance_us(500);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[2].first, 3000u);
}

TEST(Clock, CancelledTimerNeverFires) {
  Clock clock;
  bool fired = false;
  const auto id = clock.schedule_at_us(10, [&] { fired = true; });
  EXPECT_TRUE(clock.pending(id));
  clock.cancel(id);
  EXPECT_FALSE(clock.pending(id));
  clock.advance_ms(1);
  EXPECT_FALSE(fired);
}

TEST(Clock, TimerMayScheduleAnotherWithinTheSameAdvance) {
  Clock clock;
  std::vector<uint64_t> at;
  clock.schedule_at_us(100, [&] {
    at.push_back(clock.now_us());
    clock.schedule_at_us(clock.now_us() + 50, [&] { at.push_back(clock.now_us()); });
  });
  clock.advance_us(1000);
  EXPECT_EQ(at, (std::vector<uint64_t>{100, 150}));
}

TEST(Clock, HooksSeeEachStretchBeforeTimeMoves) {
  Clock clock;
  std::vector<std::pair<uint64_t, uint64_t>> stretches;
  clock.add_hook([&](uint64_t from, uint64_t to) { stretches.emplace_back(from, to); });
  clock.schedule_at_us(400, [] {});
  clock.advance_us(1000);
  EXPECT_EQ(stretches, (std::vector<std::pair<uint64_t, uint64_t>>{{0, 400}, {400, 1000}}));
}

}  // namespace
}  // namespace bh::host
