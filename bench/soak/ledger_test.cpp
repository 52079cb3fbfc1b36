// The soak's books on their own: keys from queue snapshots, acks from the
// bytes on the sockets, and each press's fate against the hub's table.
#include "ledger.h"

#include <gtest/gtest.h>

namespace bh::soak {
namespace {

QueueState queue(uint32_t boot, uint32_t next_seq, std::vector<uint32_t> queued) {
  QueueState q;
  q.boot = boot;
  q.next_seq = next_seq;
  q.queued = std::move(queued);
  return q;
}

// One exchange on a socket: the request with its key, then the answer.
void exchange(Ledger& l, size_t b, uint64_t t_us, const std::string& key, int status,
              bool replayed = false) {
  static int stream_id;
  const void* s = &stream_id;
  l.on_stream(b, t_us, s, true,
              "POST /trigger/button_pressed/with/key/k HTTP/1.1\r\nHost: maker.ifttt.com\r\n");
  l.on_stream(b, t_us, s, true, "Idempotency-Key: " + key + "\r\nContent-Length: 2\r\n\r\n{}");
  std::string answer = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n";
  if (replayed) answer += "Idempotent-Replayed: true\r\n";
  l.on_stream(b, t_us + 1000, s, false, answer + "\r\n");
}

StoredEvents stored(std::initializer_list<std::pair<const char*, size_t>> keys) {
  StoredEvents s;
  for (const auto& [k, n] : keys) {
    s.by_key[k] = n;
    s.total += n;
  }
  return s;
}

TEST(Ledger, APressDeliveredOnItsWakeIsDeliveredExactlyOnce) {
  Ledger l({"b0"});
  l.on_queue(0, queue(1, 1, {}));  // power-on
  l.on_press(0, 10'000'000);
  exchange(l, 0, 14'000'000, "b0-1-1", 200);
  l.on_queue(0, queue(1, 2, {}));
  ASSERT_EQ(l.presses()[0].key, "b0-1-1");
  const Figures f = l.reckon(stored({{"b0-1-1", 1}}));
  EXPECT_EQ(f.presses, 1u);
  EXPECT_EQ(f.delivered_once, 1u);
  EXPECT_EQ(f.lost, 0u);
  EXPECT_EQ(f.duplicate_events, 0u);
  EXPECT_EQ(f.requests, 1u);
  ASSERT_TRUE(f.latency_p50_s);
  EXPECT_DOUBLE_EQ(*f.latency_p50_s, 4.001);
}

TEST(Ledger, StoredButNotAcknowledgedIsStillDeliveredAndTheReplayIsCounted) {
  Ledger l({"b0"});
  l.on_queue(0, queue(4, 7, {}));
  l.on_press(0, 0);
  l.on_queue(0, queue(4, 8, {7}));  // reset after forward: the hub has it, the board does not know
  exchange(l, 0, 30'000'000, "b0-4-7", 200, true);
  l.on_queue(0, queue(4, 8, {}));
  const Figures f = l.reckon(stored({{"b0-4-7", 1}}));
  EXPECT_EQ(f.delivered_once, 1u);
  EXPECT_EQ(f.replays, 1u);
  EXPECT_EQ(f.duplicate_events, 0u);
}

TEST(Ledger, EachFateCountedOnce) {
  Ledger l({"b0", "b1"});
  l.on_queue(0, queue(1, 1, {}));
  l.on_queue(1, queue(1, 1, {}));
  // b0: four presses; b1: one, before a power cut.
  for (int i = 0; i < 4; ++i) l.on_press(0, uint64_t(i) * 1'000'000);
  l.on_queue(0, queue(1, 5, {1, 2, 3, 4}));
  exchange(l, 0, 9'000'000, "b0-1-1", 200);
  l.on_queue(0, queue(1, 5, {2, 3, 4}));  // 1 delivered
  l.on_queue(0, queue(1, 5, {3, 4}));     // 2 given up: no 2xx
  l.on_press(1, 0);
  l.on_queue(1, queue(1, 2, {1}));
  l.on_power_off(1);
  l.on_queue(1, std::nullopt);
  const Figures f = l.reckon(stored({{"b0-1-1", 1}, {"b0-1-3", 2}, {"nobody-1-1", 1}}));
  EXPECT_EQ(f.presses, 5u);
  EXPECT_EQ(f.delivered_once, 1u);     // b0-1-1
  EXPECT_EQ(f.delivered_more, 1u);     // b0-1-3, stored twice
  EXPECT_EQ(f.still_queued, 1u);       // b0-1-4
  EXPECT_EQ(f.dropped, 1u);            // b0-1-2
  EXPECT_EQ(f.lost_to_power_off, 1u);  // b1-1-1
  EXPECT_EQ(f.lost, 0u);
  EXPECT_EQ(f.duplicate_events, 2u);  // the second b0-1-3 and nobody's
}

TEST(Ledger, APressTheFirmwareNeverQueuedIsLost) {
  Ledger l({"b0"});
  l.on_queue(0, queue(1, 1, {}));
  l.on_press(0, 0);
  l.on_queue(0, queue(1, 1, {}));  // no new seq
  const Figures f = l.reckon(StoredEvents{});
  EXPECT_EQ(f.lost, 1u);
}

TEST(Ledger, AQueueThatVanishesWithoutAPowerCutIsLossNotPolicy) {
  Ledger l({"b0"});
  l.on_queue(0, queue(1, 1, {}));
  l.on_press(0, 0);
  l.on_queue(0, queue(1, 2, {1}));
  l.on_queue(0, std::nullopt);  // RTC memory garbage, power never cut
  EXPECT_EQ(l.reckon(StoredEvents{}).lost, 1u);
}

TEST(Ledger, AKeyGivenTwiceLeavesTheSecondPressWithout) {
  Ledger l({"b0"});
  l.on_queue(0, queue(1, 1, {}));
  l.on_press(0, 0);
  l.on_queue(0, queue(1, 2, {1}));
  l.on_power_off(0);
  l.on_queue(0, std::nullopt);
  l.on_queue(0, queue(1, 1, {}));  // the boot counter did not move on
  l.on_press(0, 5'000'000);
  l.on_queue(0, queue(1, 2, {1}));
  const Figures f = l.reckon(stored({{"b0-1-1", 1}}));
  EXPECT_EQ(f.keys_given_twice, 1u);
  EXPECT_EQ(f.delivered_once, 1u);  // the first press's key
  EXPECT_EQ(f.lost, 1u);            // the second press: its event is the first one's
}

TEST(Ledger, EventsWithoutKeysAreDuplicatesAndKeylessPressesLost) {
  Ledger l({"b0"});
  l.on_queue(0, std::nullopt);  // firmware without a queue
  l.on_press(0, 0);
  l.on_queue(0, std::nullopt);
  StoredEvents s;
  s.total = s.without_key = 1;
  const Figures f = l.reckon(s);
  EXPECT_EQ(f.lost, 1u);
  EXPECT_EQ(f.duplicate_events, 1u);
}

TEST(Ledger, KeysWithNoPressAreCounted) {
  Ledger l({"b0"});
  l.on_queue(0, queue(1, 1, {}));
  l.on_queue(0, queue(1, 2, {1}));  // a timer wake queued a press nobody made
  EXPECT_EQ(l.reckon(StoredEvents{}).keys_without_press, 1u);
}

}  // namespace
}  // namespace bh::soak
