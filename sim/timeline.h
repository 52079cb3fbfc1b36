// A run's record: power states with their current, LED changes, events
// (serial lines and board events) and wakes with their charge. The board
// fills it; the CLI saves it as JSON (--timeline) or prints it
// (--print-timeline); benches reuse it to compare firmware variants.
//
// Times are virtual microseconds since the simulator started. Charge is the
// integral of the current over time: mA x s = mAs; 1 µAh = 3.6 mAs.
#pragma once

#include <stdint.h>  // uint64_t

#include <nlohmann/json.hpp>
#include <ostream>      // print
#include <string>       // names
#include <string_view>  // arguments
#include <vector>       // records

namespace bh::sim {

class Timeline {
 public:
  struct Segment {
    uint64_t t_us;  // from here until the next segment (or the end)
    std::string state;
    double ma;
  };
  struct LedChange {
    uint64_t t_us;
    std::string led;  // "D4"
    bool on;
  };
  struct Event {
    uint64_t t_us;
    std::string kind;  // "serial" or "board"
    std::string text;
  };
  struct Wake {
    uint64_t start_us;
    uint64_t end_us;  // == start_us while still awake
    std::string cause;
    std::string end;  // "deep-sleep", "power-off", "reset"; "" while awake
    double charge_mas;
  };

  // A state (and current) from t_us on. Repeats of the same are merged.
  void set_state(uint64_t t_us, std::string_view state, double ma);
  void led(uint64_t t_us, std::string_view led, bool on);
  void event(uint64_t t_us, std::string_view kind, std::string_view text);
  void wake_begin(uint64_t t_us, std::string_view cause);
  // Closes the open wake; returns it (with its charge).
  const Wake& wake_end(uint64_t t_us, std::string_view how);
  // The run ends at t_us: the last segment's end.
  void finish(uint64_t t_us) { end_us_ = t_us; }

  double charge_mas(uint64_t from_us, uint64_t to_us) const;
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<LedChange>& leds() const { return leds_; }
  const std::vector<Event>& events() const { return events_; }
  const std::vector<Wake>& wakes() const { return wakes_; }
  // The wakes with one still open closed at the end of the run ("end of run").
  std::vector<Wake> closed_wakes() const;
  uint64_t end_us() const { return end_us_; }

  nlohmann::json to_json() const;
  // One line per segment: start, duration, state, current, charge; LED
  // changes and wakes interleaved in time order.
  void print(std::ostream& out) const;

 private:
  std::vector<Segment> segments_;
  std::vector<LedChange> leds_;
  std::vector<Event> events_;
  std::vector<Wake> wakes_;
  bool awake_ = false;
  uint64_t end_us_ = 0;
};

// "[   12.345] " — the prefix of every output line.
std::string time_prefix(uint64_t t_us);
// "4.812" seconds with 3 decimals.
std::string seconds_text(uint64_t us);

}  // namespace bh::sim
