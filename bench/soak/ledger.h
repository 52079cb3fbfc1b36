// The soak's books: every press the boards were given, which
// Idempotency-Key the firmware gave it, what became of it — and, at the
// end, the comparison with what the hub stored.
//
// The ledger trusts no log wording. It learns from three sources:
//   - the boards' RTC memory, read through a QueueProbe before and after
//     every board event (the core's press queue: boot counter, next seq,
//     the seqs waiting) — a key is "<button id>-<boot>-<seq>";
//   - the bytes on the boards' sockets: the Idempotency-Key of each request
//     and the status line of its answer (a 2xx is the acknowledgement);
//   - the hub's events table, read at the end.
//
// A press's fate, first match wins:
//   delivered exactly once  its key is stored once (more than once: counted apart)
//   still queued            its key is in its board's queue at the end
//   dropped by policy       its key left the queue without a 2xx (the firmware gave up)
//   lost to power-off       its key was in the queue when the power was cut
//   lost                    anything else (no key ever given, or it vanished)
// Duplicate events: stored events beyond the first for a key, plus stored
// events no press accounts for (no key, or a key no press was given).
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // fixed-width integers

#include <functional>   // QueueProbe
#include <map>          // per key
#include <optional>     // probe results
#include <set>          // queues
#include <string>       // keys
#include <string_view>  // socket bytes
#include <vector>       // presses

#include "hal.h"

namespace bh::soak {

// What a board's RTC memory says about its press queue.
struct QueueState {
  uint32_t boot = 0;              // the boot counter in the keys
  uint32_t next_seq = 1;          // seq of the next press (seqs start at 1 per boot)
  std::vector<uint32_t> queued;   // seqs waiting, oldest first
  uint64_t drops_unreported = 0;  // presses given up, not yet reported to the hub
};
// Reads the queue; nullopt when RTC memory holds no valid queue (power-up
// garbage, or firmware without one).
using QueueProbe = std::function<std::optional<QueueState>(Machine& machine)>;

// What the hub stored (hub_store.h reads it).
struct StoredEvents {
  std::map<std::string, size_t> by_key;  // Idempotency-Key -> events stored with it
  size_t without_key = 0;
  size_t total = 0;
  uint64_t drops_reported = 0;  // sum of "dropped=N" the firmware sent in value3
};

struct Figures {
  size_t presses = 0;
  size_t delivered_once = 0;
  size_t delivered_more = 0;  // presses stored more than once
  size_t still_queued = 0;
  size_t dropped = 0;
  size_t lost_to_power_off = 0;
  size_t lost = 0;
  size_t duplicate_events = 0;
  size_t stored_events = 0;
  size_t requests = 0;            // requests carrying an Idempotency-Key
  size_t replays = 0;             // answers with Idempotent-Replayed: true
  size_t keys_without_press = 0;  // keys the firmware gave out with no press to match
  size_t keys_given_twice = 0;    // a key given to a second press (not unique)
  uint64_t drops_reported = 0;    // by the firmware: to the hub, or still to report
  // Press to first 2xx on the board, virtual seconds; nullopt if none.
  std::optional<double> latency_p50_s;
  std::optional<double> latency_p99_s;
  std::optional<double> latency_max_s;
  // Each lost press: "b023 pressed at 1234.567 s, key b023-4-2" (or "no key").
  std::vector<std::string> lost_presses;
};

class Ledger {
 public:
  // One button id per board (BUTTON_ID in its config.py).
  explicit Ledger(std::vector<std::string> button_ids);

  // The soak pressed board b at t_us (call after on_queue of its state before).
  void on_press(size_t b, uint64_t t_us);
  // Board b's power is about to be cut: what its queue holds is gone.
  void on_power_off(size_t b);
  // After any event of board b (a press, a timer wake, power): its queue now.
  void on_queue(size_t b, const std::optional<QueueState>& q);
  // Bytes on one of board b's sockets.
  void on_stream(size_t b, uint64_t t_us, const void* stream, bool sent, std::string_view bytes);

  // The books closed against the hub's table.
  Figures reckon(const StoredEvents& hub) const;

  struct Press {
    size_t board;
    uint64_t pressed_us;
    std::string key;  // "" until the firmware gives one
    bool dropped = false;
    bool power_lost = false;
  };
  const std::vector<Press>& presses() const { return presses_; }
  // Keys given out with no press to match them.
  const std::vector<std::string>& orphan_keys() const { return orphans_; }

 private:
  struct Exchange {
    std::string sent;
    std::string received;
    std::string key;
    bool answered = false;  // status line parsed
  };
  struct Board {
    std::string id;
    std::optional<QueueState> last;  // the queue as last seen
    std::set<uint32_t> waiting;      // seqs seen queued (of last->boot)
    std::vector<size_t> keyless;     // presses not yet matched to a key, oldest first
    std::map<const void*, Exchange> exchanges;
  };
  std::string key_of(const Board& b, uint32_t boot, uint32_t seq) const;
  void sent(Board& b, Exchange& x, std::string_view bytes);
  void received(Board& b, Exchange& x, uint64_t t_us, std::string_view bytes);

  std::vector<Board> boards_;
  std::vector<Press> presses_;
  std::map<std::string, size_t> press_of_key_;
  std::map<std::string, uint64_t> acked_us_;  // key -> first 2xx
  std::vector<std::string> orphans_;
  size_t requests_ = 0;
  size_t replays_ = 0;
  size_t reused_ = 0;
};

}  // namespace bh::soak
