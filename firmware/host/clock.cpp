#include "clock.h"

#include <assert.h>  // assert
#include <stdint.h>  // UINT64_MAX

#include <utility>  // std::move

namespace bh::host {

void Clock::advance_to_us(uint64_t t_us) {
  assert(!in_timer_ && "a timer callback must not advance the clock");
  if (t_us < now_us_) return;
  while (true) {
    auto next = timers_.begin();
    const uint64_t stop =
        (next != timers_.end() && next->first.first <= t_us) ? next->first.first : t_us;
    if (stop > now_us_) {
      // Copy: a hook may remove itself.
      auto hooks = hooks_;
      for (auto& h : hooks) h.second(now_us_, stop);
      now_us_ = stop;
    }
    next = timers_.begin();
    if (next == timers_.end() || next->first.first > t_us) break;
    auto fn = std::move(next->second);
    timers_.erase(next);
    // A callback may throw (the virtual board's RST while the firmware
    // runs unwinds out of it): the clock stays usable.
    struct InTimer {
      bool& flag;
      ~InTimer() { flag = false; }
    } in_timer{in_timer_};
    in_timer_ = true;
    fn();
  }
  now_us_ = t_us;
}

Clock::TimerId Clock::schedule_at_us(uint64_t at_us, std::function<void()> fn) {
  const TimerId id = next_id_++;
  timers_.emplace(std::make_pair(at_us < now_us_ ? now_us_ : at_us, id), std::move(fn));
  return id;
}

void Clock::cancel(TimerId id) {
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->first.second == id) {
      timers_.erase(it);
      return;
    }
  }
}

bool Clock::pending(TimerId id) const {
  for (const auto& t : timers_) {
    if (t.first.second == id) return true;
  }
  return false;
}

uint64_t Clock::next_timer_us() const {
  return timers_.empty() ? UINT64_MAX : timers_.begin()->first.first;
}

int Clock::add_hook(Hook hook) {
  const int id = next_hook_++;
  hooks_.emplace_back(id, std::move(hook));
  return id;
}

void Clock::remove_hook(int id) {
  for (auto it = hooks_.begin(); it != hooks_.end(); ++it) {
    if (it->first == id) {
      hooks_.erase(it);
      return;
    }
  }
}

}  // namespace bh::host
