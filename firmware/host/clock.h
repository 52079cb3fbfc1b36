// The virtual clock of the host board: time passes only when something says
// so (sleep_ms, a radio phase, a socket operation's real duration, the
// simulator's `advance`). Nothing here ever really sleeps.
//
// Timers let the models put state changes at exact instants (the Wi-Fi
// station reaching GotIp 4.1 s after connect()) instead of at whichever
// instant someone next looks; hooks run before time moves, so an observer
// can close what it was recording at the old instant.
#pragma once

#include <stdint.h>  // uint64_t

#include <functional>  // std::function
#include <map>         // timers ordered by time
#include <vector>      // hooks

namespace bh::host {

class Clock {
 public:
  using TimerId = uint64_t;

  uint64_t now_us() const { return now_us_; }
  uint64_t now_ms() const { return now_us_ / 1000; }
  // For a signal handler that prints the time (reads one word, no locks).
  const uint64_t* now_us_address() const { return &now_us_; }

  // Moves time forward, firing every timer due on the way at its own instant.
  void advance_us(uint64_t us) { advance_to_us(now_us_ + us); }
  void advance_ms(uint64_t ms) { advance_us(ms * 1000); }
  void advance_to_us(uint64_t t_us);

  // Calls fn when time reaches at_us (at once on the next advance if already
  // past). A timer's callback may schedule or cancel timers but must not
  // advance the clock.
  TimerId schedule_at_us(uint64_t at_us, std::function<void()> fn);
  void cancel(TimerId id);
  bool pending(TimerId id) const;
  // The instant of the next timer, or UINT64_MAX.
  uint64_t next_timer_us() const;

  // Called with (from_us, to_us) before the clock moves from from_us.
  using Hook = std::function<void(uint64_t from_us, uint64_t to_us)>;
  int add_hook(Hook hook);
  void remove_hook(int id);

 private:
  uint64_t now_us_ = 0;
  TimerId next_id_ = 1;
  // (time, id) keeps timers at the same instant in scheduling order.
  std::map<std::pair<uint64_t, TimerId>, std::function<void()>> timers_;
  std::vector<std::pair<int, Hook>> hooks_;
  int next_hook_ = 1;
  bool in_timer_ = false;
};

}  // namespace bh::host
