// Many virtual boards in one process, in one virtual time.
//
// Each board has its own Env (clock, world, seeded generator) and runs the
// unchanged firmware; only HTTP uses real sockets. The fleet plays what
// happens to the boards — presses, power cuts, and actions on the world
// outside them (the soak kills the hub) — in the order of their virtual
// instants, the boards' own timer wakes (GPIO16->RST) included. A board's
// wake runs to its end at once (a wake is short and the firmware is single
// threaded); so a board's clock may run ahead of the fleet's. What is
// scheduled for a board at an instant its wake has already passed happens
// when that wake ends; except a press, which (Options::press_resets_wake)
// interrupts the firmware where it is, as RST does.
//
// Determinism: with Options::net_round_trip set, socket operations cost
// modelled time, so a seed decides every board's every instant; the real
// servers' answers are the only input.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // uint64_t

#include <filesystem>  // boards' files
#include <functional>  // actions, sinks
#include <map>         // schedules
#include <memory>      // boards
#include <optional>    // options
#include <string>      // config text
#include <vector>      // boards

#include "board.h"
#include "env.h"
#include "fault_proxy.h"
#include "models.h"

namespace bh::sim {

class Fleet {
 public:
  struct Options {
    size_t boards = 0;
    // Board i's filesystem is dir / "board-<i>" (created, config.py written).
    std::filesystem::path dir;
    // Board i's config.py.
    std::function<std::string(size_t i)> config;
    // Copied into every board's Env; chip_id becomes chip_id + i.
    host::World world;
    host::RadioTiming timing;
    PowerModel power;
    uint64_t seed = 1;  // board i's generator is seeded from (seed, i)
    std::optional<host::RangeMs> net_round_trip = host::RangeMs{2, 20};
    // A press scheduled inside a wake resets the board there, mid-request
    // if it falls there (RST while awake, cause 6). Off: it waits for the
    // wake to end.
    bool press_resets_wake = true;
  };
  // Every line any board prints, with the board's index.
  using Sink =
      std::function<void(size_t board, uint64_t t_us, LineKind kind, const std::string& text)>;
  enum class Action : uint8_t { Press, PowerOff, PowerOn };

  explicit Fleet(Options options);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  size_t size() const { return boards_.size(); }
  // Wakes a press cut short (Options::press_resets_wake).
  size_t wakes_cut() const { return wakes_cut_; }
  Board& board(size_t i);
  host::Env& env(size_t i);
  void set_sink(Sink sink) { sink_ = std::move(sink); }

  // Something happens to board i at t_us (or when its wake then ends).
  void schedule(size_t board, uint64_t t_us, Action action);
  // Something happens outside the boards at t_us: it runs once every board
  // event before t_us has.
  void schedule_world(uint64_t t_us, std::function<void()> fn);
  // Sees each board event: the board, and the action (nullopt: the board's
  // timer wake), just before it happens and once its wake has ended.
  class Watcher {
   public:
    virtual ~Watcher() = default;
    virtual void before(size_t board, std::optional<Action> action) {}
    virtual void after(size_t board, std::optional<Action> action) {}
  };
  // Plays everything scheduled up to t_us, in order of virtual time, with
  // the boards' timer wakes; then brings every board's clock to t_us.
  void run_until(uint64_t t_us, Watcher* watcher = nullptr);
  // The latest instant the fleet has played.
  uint64_t now_us() const { return now_us_; }
  // Board actions still to come.
  size_t pending() const;

 private:
  struct Slot;
  // The instant of board i's next event (scheduled or its timer wake).
  uint64_t next_event_us(size_t i) const;

  bool press_resets_wake_;
  size_t wakes_cut_ = 0;
  std::vector<std::unique_ptr<Slot>> boards_;
  std::shared_ptr<host::FaultProxy> proxy_;
  std::multimap<uint64_t, std::function<void()>> world_actions_;
  Sink sink_;
  uint64_t now_us_ = 0;
};

}  // namespace bh::sim
