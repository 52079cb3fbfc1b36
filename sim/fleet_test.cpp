// Many boards in one process: events in virtual-time order, timer wakes
// among them, world actions at their instants, one seed one run.
#include "fleet.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http_test_server.h"
#include "sim_test_support.h"

namespace bh::sim {
namespace {

using bh::testing::HttpTestServer;
using bh::testing::RecordedRequest;

// Sleeps for a while with the GPIO16 wire: a timer wake every period_ms.
class Ticker final : public Firmware {
 public:
  Ticker(Hal& hal, uint32_t period_ms) : hal_(hal), period_ms_(period_ms) {}
  BootOutcome run() override {
    hal_.machine.log("tick");
    hal_.machine.deepsleep(period_ms_);
    return BootOutcome::DeepSleep;
  }
  void loop() override {}

 private:
  Hal& hal_;
  uint32_t period_ms_;
};

struct FleetTest : ::testing::Test {
  Fleet::Options options(size_t n) {
    Fleet::Options o;
    o.boards = n;
    o.dir = dir.path;
    o.config = [](size_t i) {
      return "WIFI_SSID = 'buttonhook-demo'\n"
             "WIFI_PASSWORD = 'correct horse battery'\n"
             "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/with/key/k3y'\n"
             "BUTTON_ID = 'b" +
             std::to_string(i) + "'\n";
    };
    o.world.aps.push_back(bh::testing::test_ap("buttonhook-demo", "correct horse battery"));
    o.world.dns["maker.ifttt.com"] = host::Endpoint{Ip4{{127, 0, 0, 1}}, server.port()};
    o.world.gpio16_rst = true;
    o.timing = bh::testing::fixed_timing();
    o.power = default_power();
    o.seed = 7;
    return o;
  }
  struct Line {
    size_t board;
    uint64_t t_us;
    std::string text;
    bool operator==(const Line& o) const {
      return board == o.board && t_us == o.t_us && text == o.text;
    }
  };
  std::vector<Line> run_presses(uint64_t seed) {
    Fleet::Options o = options(3);
    o.seed = seed;
    // Each run on fresh flash: the firmware counts cold boots in /boots.
    o.dir = dir.path / ("run" + std::to_string(runs_++));
    o.timing.scan_full = {2000, 5000};  // draws that the seed decides
    Fleet fleet(o);
    std::vector<Line> lines;
    fleet.set_sink([&](size_t b, uint64_t t, LineKind, const std::string& text) {
      lines.push_back({b, t, text});
    });
    for (size_t i = 0; i < 3; ++i) fleet.schedule(i, 0, Fleet::Action::PowerOn);
    for (size_t i = 0; i < 3; ++i) fleet.schedule(i, (10 + i) * 1'000'000, Fleet::Action::Press);
    fleet.run_until(60'000'000);
    return lines;
  }

  bh::testing::TempDirectory dir;
  HttpTestServer server;
  int runs_ = 0;
};

TEST_F(FleetTest, PressesReachTheServerInVirtualTimeOrder) {
  Fleet fleet(options(3));
  for (size_t i = 0; i < 3; ++i) fleet.schedule(i, 0, Fleet::Action::PowerOn);
  // Board 2 first, then 0, then 1.
  fleet.schedule(2, 10'000'000, Fleet::Action::Press);
  fleet.schedule(0, 20'000'000, Fleet::Action::Press);
  fleet.schedule(1, 30'000'000, Fleet::Action::Press);
  fleet.run_until(60'000'000);
  const std::vector<RecordedRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_NE(reqs[0].body.find("\"b2\""), std::string::npos) << reqs[0].body;
  EXPECT_NE(reqs[1].body.find("\"b0\""), std::string::npos) << reqs[1].body;
  EXPECT_NE(reqs[2].body.find("\"b1\""), std::string::npos) << reqs[2].body;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(fleet.env(i).clock.now_us(), 60'000'000u);
    EXPECT_EQ(fleet.board(i).state(), Board::State::DeepSleep);
  }
  EXPECT_EQ(fleet.pending(), 0u);
}

TEST_F(FleetTest, TimerWakesAndWorldActionsInterleaveInOrder) {
  Fleet fleet(options(2));
  fleet.board(0).set_firmware([](Hal& hal) { return std::make_unique<Ticker>(hal, 10'000); });
  fleet.board(1).set_firmware([](Hal& hal) { return std::make_unique<Ticker>(hal, 15'000); });
  std::vector<std::string> order;
  fleet.set_sink([&](size_t b, uint64_t t, LineKind, const std::string& text) {
    if (text == "tick") order.push_back(std::to_string(b) + "@" + std::to_string(t / 1'000'000));
  });
  fleet.schedule(0, 0, Fleet::Action::PowerOn);
  fleet.schedule(1, 0, Fleet::Action::PowerOn);
  fleet.schedule_world(
      25'000'000, [&] { order.push_back("world@" + std::to_string(fleet.now_us() / 1'000'000)); });
  fleet.run_until(35'000'000);
  // Boot 200 ms each time (fixed timing): ticks at 0.2, 10.4, 20.6, 30.8 and 0.2, 15.4, 30.6.
  const std::vector<std::string> expected = {"0@0",  "1@0",      "0@10", "1@15",
                                             "0@20", "world@25", "1@30", "0@30"};
  EXPECT_EQ(order, expected);
}

TEST_F(FleetTest, OneSeedOneRunAnotherSeedAnotherRun) {
  const auto a = run_presses(7);
  const auto b = run_presses(7);
  const auto c = run_presses(8);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == c);
  EXPECT_EQ(server.request_count(), 9u);
}

TEST_F(FleetTest, APressDuringAWakeResetsTheBoardThere) {
  Fleet fleet(options(1));
  fleet.schedule(0, 0, Fleet::Action::PowerOn);
  fleet.schedule(0, 10'000'000, Fleet::Action::Press);
  fleet.schedule(0, 11'000'000, Fleet::Action::Press);  // the first wake lasts ~3.6 s
  std::vector<uint64_t> resets;
  std::string all;
  fleet.set_sink([&](size_t, uint64_t t, LineKind, const std::string& text) {
    all += time_prefix(t) + text + "\n";
    if (text.find("RST pressed while awake") != std::string::npos) resets.push_back(t);
  });
  fleet.run_until(60'000'000);
  ASSERT_EQ(resets.size(), 1u) << all;
  EXPECT_EQ(resets[0], 11'000'000u) << "at the press's instant, not when the wake would end";
  EXPECT_EQ(fleet.wakes_cut(), 1u);
  EXPECT_NE(all.find("reset cause 6"), std::string::npos) << all;
  EXPECT_NE(all.find("Queued press #2 (2 waiting)"), std::string::npos)
      << "the first press was still queued when RST came:\n"
      << all;
  EXPECT_EQ(server.request_count(), 2u) << all;
}

TEST_F(FleetTest, WithoutPressResetsAPressDuringAWakeIsTakenWhenTheWakeEnds) {
  Fleet::Options o = options(1);
  o.press_resets_wake = false;
  Fleet fleet(o);
  fleet.schedule(0, 0, Fleet::Action::PowerOn);
  fleet.schedule(0, 10'000'000, Fleet::Action::Press);
  fleet.schedule(0, 11'000'000, Fleet::Action::Press);
  std::vector<uint64_t> presses;
  std::string all;
  fleet.set_sink([&](size_t, uint64_t t, LineKind, const std::string& text) {
    all += time_prefix(t) + text + "\n";
    if (text.find("RST pressed during deep sleep") != std::string::npos) presses.push_back(t);
  });
  fleet.run_until(60'000'000);
  ASSERT_EQ(presses.size(), 2u) << all;
  EXPECT_EQ(presses[0], 10'000'000u);
  EXPECT_GT(presses[1], 13'000'000u);
  EXPECT_EQ(fleet.wakes_cut(), 0u);
  EXPECT_EQ(server.request_count(), 2u) << all;
}

}  // namespace
}  // namespace bh::sim
