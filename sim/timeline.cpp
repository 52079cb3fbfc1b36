#include "timeline.h"

#include <inttypes.h>  // PRIu64
#include <stdio.h>     // snprintf

#include <algorithm>  // std::max

namespace bh::sim {

namespace {
double secs(uint64_t us) {
  return static_cast<double>(us) / 1e6;
}
}  // namespace

std::string seconds_text(uint64_t us) {
  char buf[32];
  const uint64_t ms = us / 1000;
  snprintf(buf, sizeof buf, "%" PRIu64 ".%03" PRIu64, ms / 1000, ms % 1000);
  return buf;
}

std::string time_prefix(uint64_t t_us) {
  char buf[40];
  snprintf(buf, sizeof buf, "[%8s] ", seconds_text(t_us).c_str());
  return buf;
}

void Timeline::set_state(uint64_t t_us, std::string_view state, double ma) {
  if (!segments_.empty()) {
    Segment& last = segments_.back();
    if (last.state == state && last.ma == ma) return;
    // A state that lasted no time at all is replaced.
    if (last.t_us == t_us) {
      last.state = std::string(state);
      last.ma = ma;
      if (segments_.size() >= 2) {
        const Segment& prev = segments_[segments_.size() - 2];
        if (prev.state == last.state && prev.ma == last.ma) segments_.pop_back();
      }
      return;
    }
  }
  segments_.push_back(Segment{t_us, std::string(state), ma});
  end_us_ = std::max(end_us_, t_us);
}

void Timeline::led(uint64_t t_us, std::string_view led, bool on) {
  leds_.push_back(LedChange{t_us, std::string(led), on});
  end_us_ = std::max(end_us_, t_us);
}

void Timeline::event(uint64_t t_us, std::string_view kind, std::string_view text) {
  events_.push_back(Event{t_us, std::string(kind), std::string(text)});
  end_us_ = std::max(end_us_, t_us);
}

void Timeline::wake_begin(uint64_t t_us, std::string_view cause) {
  wakes_.push_back(Wake{t_us, t_us, std::string(cause), "", 0.0});
  awake_ = true;
}

const Timeline::Wake& Timeline::wake_end(uint64_t t_us, std::string_view how) {
  if (!awake_) wake_begin(t_us, "?");
  Wake& w = wakes_.back();
  w.end_us = t_us;
  w.end = std::string(how);
  w.charge_mas = charge_mas(w.start_us, t_us);
  awake_ = false;
  return w;
}

double Timeline::charge_mas(uint64_t from_us, uint64_t to_us) const {
  double mas = 0;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const uint64_t a = std::max(segments_[i].t_us, from_us);
    const uint64_t seg_end =
        i + 1 < segments_.size() ? segments_[i + 1].t_us : std::max(end_us_, to_us);
    const uint64_t b = std::min(seg_end, to_us);
    if (b > a) mas += segments_[i].ma * double(b - a) / 1e6;
  }
  return mas;
}

std::vector<Timeline::Wake> Timeline::closed_wakes() const {
  std::vector<Wake> all = wakes_;
  if (awake_ && !all.empty()) {
    // Still awake when the run ended: count up to the end.
    Wake& w = all.back();
    w.end_us = std::max(end_us_, w.start_us);
    w.end = "end of run";
    w.charge_mas = charge_mas(w.start_us, w.end_us);
  }
  return all;
}

nlohmann::json Timeline::to_json() const {
  using nlohmann::json;
  json states = json::array();
  for (size_t i = 0; i < segments_.size(); ++i) {
    const uint64_t end =
        i + 1 < segments_.size() ? segments_[i + 1].t_us : std::max(end_us_, segments_[i].t_us);
    states.push_back({{"t", secs(segments_[i].t_us)},
                      {"duration", secs(end - segments_[i].t_us)},
                      {"state", segments_[i].state},
                      {"ma", segments_[i].ma}});
  }
  json leds = json::array();
  for (const auto& l : leds_) leds.push_back({{"t", secs(l.t_us)}, {"led", l.led}, {"on", l.on}});
  json events = json::array();
  for (const auto& e : events_)
    events.push_back({{"t", secs(e.t_us)}, {"kind", e.kind}, {"text", e.text}});
  json wakes = json::array();
  for (const Wake& w : closed_wakes()) {
    wakes.push_back({{"start", secs(w.start_us)},
                     {"end", secs(w.end_us)},
                     {"awake_s", secs(w.end_us - w.start_us)},
                     {"cause", w.cause},
                     {"until", w.end},
                     {"charge_mas", w.charge_mas},
                     {"charge_uah", w.charge_mas / 3.6}});
  }
  return json{{"format", "buttonhook-timeline/1"},
              {"time_unit", "s"},
              {"current_unit", "mA"},
              {"end", secs(end_us_)},
              {"total_charge_mas", charge_mas(0, end_us_)},
              {"states", states},
              {"leds", leds},
              {"events", events},
              {"wakes", wakes}};
}

void Timeline::print(std::ostream& out) const {
  char line[160];
  out << "timeline: state segments (start, duration, state, current, charge)\n";
  size_t led = 0;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const uint64_t start = segments_[i].t_us;
    const uint64_t end =
        i + 1 < segments_.size() ? segments_[i + 1].t_us : std::max(end_us_, start);
    while (led < leds_.size() && leds_[led].t_us <= start) {
      out << time_prefix(leds_[led].t_us) << "  LED " << leds_[led].led
          << (leds_[led].on ? " on" : " off") << "\n";
      ++led;
    }
    snprintf(line, sizeof line, "%10ss  %-12s %9.3f mA %10.3f mAs",
             seconds_text(end - start).c_str(), segments_[i].state.c_str(), segments_[i].ma,
             segments_[i].ma * double(end - start) / 1e6);
    out << time_prefix(start) << line << "\n";
  }
  for (; led < leds_.size(); ++led) {
    out << time_prefix(leds_[led].t_us) << "  LED " << leds_[led].led
        << (leds_[led].on ? " on" : " off") << "\n";
  }
  for (const Wake& w : closed_wakes()) {
    snprintf(line, sizeof line, "wake at %s s (%s): awake %s s, %.1f mAs (%.1f µAh), then %s",
             seconds_text(w.start_us).c_str(), w.cause.c_str(),
             seconds_text(w.end_us - w.start_us).c_str(), w.charge_mas, w.charge_mas / 3.6,
             w.end.c_str());
    out << line << "\n";
  }
  snprintf(line, sizeof line, "total: %s s, %.3f mAs (%.3f µAh)", seconds_text(end_us_).c_str(),
           charge_mas(0, end_us_), charge_mas(0, end_us_) / 3.6);
  out << line << "\n";
}

}  // namespace bh::sim
