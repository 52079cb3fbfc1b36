#include "fleet.h"

#include <stdio.h>  // snprintf

#include <fstream>  // config.py

#include "errors.h"

namespace bh::sim {

namespace {

// SplitMix64: independent, well-spread seeds for the boards from one seed.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

struct Fleet::Slot : Output {
  Slot(Fleet& fleet, size_t index, uint64_t seed) : fleet(fleet), index(index), env(seed) {}
  void line(uint64_t t_us, LineKind kind, const std::string& text) override {
    if (fleet.sink_) fleet.sink_(index, t_us, kind, text);
  }
  Fleet& fleet;
  size_t index;
  host::Env env;
  std::unique_ptr<Board> board;
  // (instant, order scheduled) -> action: same-instant actions keep their order.
  std::map<std::pair<uint64_t, uint64_t>, Action> actions;
  uint64_t next_order = 0;
};

Fleet::Fleet(Options o)
    : press_resets_wake_(o.press_resets_wake), proxy_(std::make_shared<host::FaultProxy>()) {
  std::error_code ec;
  for (size_t i = 0; i < o.boards; ++i) {
    auto slot = std::make_unique<Slot>(*this, i, mix(o.seed * 0x100000001b3ull + i));
    char name[32];
    snprintf(name, sizeof name, "board-%03zu", i);
    const std::filesystem::path files = o.dir / name;
    std::filesystem::create_directories(files, ec);
    std::ofstream cfg(files / "config.py", std::ios::binary | std::ios::trunc);
    cfg << (o.config ? o.config(i) : std::string());
    if (!cfg) throw SimError("cannot write " + (files / "config.py").string());
    slot->env.world = o.world;
    slot->env.world.chip_id = (o.world.chip_id + uint32_t(i)) & 0xffffff;
    slot->env.timing = o.timing;
    slot->env.net_round_trip = o.net_round_trip;
    slot->env.fault_proxy = proxy_;
    slot->board = std::make_unique<Board>(slot->env, files, o.power, *slot);
    boards_.push_back(std::move(slot));
  }
}

Fleet::~Fleet() {
  // Boards first: their sockets close before the proxy stops.
  for (auto& s : boards_) s->board.reset();
}

Board& Fleet::board(size_t i) {
  return *boards_.at(i)->board;
}

host::Env& Fleet::env(size_t i) {
  return boards_.at(i)->env;
}

void Fleet::schedule(size_t board, uint64_t t_us, Action action) {
  Slot& s = *boards_.at(board);
  s.actions.emplace(std::make_pair(t_us, s.next_order++), action);
}

void Fleet::schedule_world(uint64_t t_us, std::function<void()> fn) {
  world_actions_.emplace(t_us, std::move(fn));
}

size_t Fleet::pending() const {
  size_t n = 0;
  for (const auto& s : boards_) n += s->actions.size();
  return n;
}

uint64_t Fleet::next_event_us(size_t i) const {
  const Slot& s = *boards_[i];
  uint64_t t = s.actions.empty() ? UINT64_MAX : s.actions.begin()->first.first;
  if (auto wake = s.board->timer_wake_us()) t = std::min(t, *wake);
  return t;
}

void Fleet::run_until(uint64_t t_us, Watcher* watcher) {
  while (true) {
    size_t best = boards_.size();
    uint64_t best_t = UINT64_MAX;
    for (size_t i = 0; i < boards_.size(); ++i) {
      const uint64_t t = next_event_us(i);
      if (t < best_t) {
        best_t = t;
        best = i;
      }
    }
    const uint64_t world_t = world_actions_.empty() ? UINT64_MAX : world_actions_.begin()->first;
    if (std::min(best_t, world_t) > t_us) break;
    if (world_t <= best_t) {
      now_us_ = std::max(now_us_, world_t);
      auto fn = std::move(world_actions_.begin()->second);
      world_actions_.erase(world_actions_.begin());
      fn();
      continue;
    }
    now_us_ = std::max(now_us_, best_t);
    Slot& s = *boards_[best];
    Board& b = *s.board;
    const bool action_first = !s.actions.empty() && s.actions.begin()->first.first == best_t;
    std::optional<Action> a;
    if (action_first) {
      if (best_t > s.env.clock.now_us()) b.advance_us(best_t - s.env.clock.now_us());
      a = s.actions.begin()->second;
      s.actions.erase(s.actions.begin());
    }
    // The board's next press, if it comes while the wake this event starts
    // still runs the firmware, resets the board there (RST while awake).
    std::optional<std::pair<uint64_t, uint64_t>> armed;
    // (Not one whose instant the board's clock has already passed: that one
    // waited for a wake to end and comes next, on its own.)
    if (press_resets_wake_ && !s.actions.empty() &&
        s.actions.begin()->second == Action::Press &&
        s.actions.begin()->first.first > s.env.clock.now_us()) {
      armed = s.actions.begin()->first;
      b.arm_press(armed->first, [watcher, i = best] {
        if (watcher) watcher->before(i, Action::Press);
      });
    }
    if (watcher) watcher->before(best, a);
    if (!a) {
      b.advance_us(best_t - s.env.clock.now_us());  // the timer wake: it runs to its end
    } else {
      switch (*a) {
        case Action::Press: b.press(); break;
        case Action::PowerOff: b.power_off(); break;
        case Action::PowerOn: b.power_on(); break;
      }
    }
    if (watcher) watcher->after(best, a);
    if (armed && b.disarm()) {
      ++wakes_cut_;
      s.actions.erase(*armed);
      if (watcher) watcher->after(best, Action::Press);
    }
  }
  for (auto& s : boards_) {
    const uint64_t now = s->env.clock.now_us();
    if (now < t_us) s->board->advance_us(t_us - now);
  }
  now_us_ = std::max(now_us_, t_us);
}

}  // namespace bh::sim
