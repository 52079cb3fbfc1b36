#include "soak.h"

#include <stdio.h>  // snprintf

#include <algorithm>  // std::sort
#include <chrono>     // real time
#include <random>     // the plan
#include <stdexcept>  // std::runtime_error
#include <vector>     // plans

#include "core_probe.h"
#include "faults.h"
#include "fleet.h"
#include "hub_process.h"
#include "hub_store.h"
#include "models.h"
#include "world.h"

namespace bh::soak {

namespace {

constexpr const char* kWebhookKey = "soak-key-8f1c2e";
constexpr const char* kSsid = "soak-net";
constexpr const char* kWifiPassword = "soak-wifi-password";
constexpr uint64_t kSecond = 1'000'000;

std::string button_id(size_t i) {
  char id[32];
  snprintf(id, sizeof id, "b%03zu", i);
  return id;
}

// The plan drawn from the seed: every press and fault, before anything runs.
struct Plan {
  struct Window {
    host::Fault fault;
    int board = -1;  // -1: every board
  };
  std::vector<std::vector<uint64_t>> presses;  // per board, sorted
  std::vector<Window> windows;
  std::vector<std::pair<uint64_t, uint64_t>> hub_kills;  // (kill, restart)
  std::vector<std::pair<size_t, uint64_t>> power_cycles;
};

class Draw {
 public:
  explicit Draw(uint64_t seed) : rng_(seed) {}
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }
  bool chance(double p) { return uniform(0, 1) < p; }
  uint64_t us(double lo_s, double hi_s) { return uint64_t(uniform(lo_s, hi_s) * kSecond); }

 private:
  std::mt19937_64 rng_;
};

Plan make_plan(const Options& o) {
  Draw d(o.seed);
  Plan plan;
  // Presses: uniform over the span, at least 2 s apart on one board; but
  // one in ten is an impatient second press 0.5 .. 4 s after another, which
  // often lands while the board is still awake delivering the first: RST
  // then cuts that wake short, mid-request if it falls there.
  for (size_t b = 0; b < o.boards; ++b) {
    std::vector<uint64_t> t;
    while (t.size() < o.presses_per_board) {
      if (!t.empty() && d.chance(0.1)) {
        const uint64_t first = t[size_t(d.uniform(0, double(t.size()))) % t.size()];
        // Not closer than 0.5 s to any other press: a second press during
        // the ~0.2 s boot restarts it before the firmware could count the
        // first (two presses that fast are one; sim/README.md).
        const uint64_t at = first + d.us(0.5, 4);
        bool close = false;
        for (uint64_t x : t) close |= (at > x ? at - x : x - at) < kSecond / 2;
        if (!close) t.push_back(at);
        continue;
      }
      const uint64_t at = d.us(1, o.span_s);
      bool close = false;
      for (uint64_t x : t) close |= (at > x ? at - x : x - at) < 2 * kSecond;
      if (!close) t.push_back(at);
    }
    std::sort(t.begin(), t.end());
    plan.presses.push_back(std::move(t));
  }
  if (!o.faults) return plan;
  // One window of each hub fault per half hour of span, 20 s .. 4 min long.
  const int per_kind = std::max(1, int(o.span_s / 1800));
  const host::FaultKind hub_kinds[] = {host::FaultKind::Http5xx, host::FaultKind::HttpSlow,
                                       host::FaultKind::ResetMidRequest,
                                       host::FaultKind::ResetAfterForward};
  for (host::FaultKind k : hub_kinds) {
    for (int i = 0; i < per_kind; ++i) {
      Plan::Window w;
      w.fault.kind = k;
      const uint64_t from = d.us(0, o.span_s);
      w.fault.window = host::TimeWindow{from / 1000, (from + d.us(20, 240)) / 1000};
      if (k == host::FaultKind::Http5xx) {
        const int statuses[] = {500, 502, 503};
        w.fault.status = statuses[int(d.uniform(0, 3)) % 3];
      }
      plan.windows.push_back(w);
    }
  }
  // The hub process killed as often, down for 2 s .. 1 min.
  for (int i = 0; i < per_kind; ++i) {
    const uint64_t kill = d.us(0, o.span_s);
    plan.hub_kills.emplace_back(kill, kill + d.us(2, 60));
  }
  // Each board's own network.
  for (size_t b = 0; b < o.boards; ++b) {
    struct Local {
      host::FaultKind kind;
      double chance, min_s, max_s;
    };
    const Local locals[] = {{host::FaultKind::ApDown, 0.3, 30, 900},
                            {host::FaultKind::WrongPassword, 0.1, 60, 600},
                            {host::FaultKind::DnsFailure, 0.15, 30, 300}};
    for (const Local& l : locals) {
      if (!d.chance(l.chance)) continue;
      Plan::Window w;
      w.board = int(b);
      w.fault.kind = l.kind;
      const uint64_t from = d.us(0, o.span_s);
      w.fault.window = host::TimeWindow{from / 1000, (from + d.us(l.min_s, l.max_s)) / 1000};
      plan.windows.push_back(w);
    }
    if (o.power_cycles && d.chance(0.05)) plan.power_cycles.emplace_back(b, d.us(1, o.span_s));
  }
  return plan;
}

// The button as the README wires it for "no press is ever lost": GPIO16 to
// RST (timed retries), so the second LED moves from D0 to D7 (GPIO13), and
// the button's second contact on GPIO12.
constexpr uint8_t kSensePin = 12;

std::string board_config(size_t i, const Options& o) {
  std::string c = std::string("WIFI_SSID = '") + kSsid + "'\nWIFI_PASSWORD = '" + kWifiPassword +
                  "'\nWEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/with/key/" +
                  kWebhookKey + "'\nBUTTON_ID = '" + button_id(i) +
                  "'\nTIMED_WAKE = True\nLED2_PIN = 13\n";
  if (o.sense_pin) c += "PRESS_SENSE_PIN = " + std::to_string(kSensePin) + "\n";
  return c + o.config_extra;
}

// Feeds the ledger from the fleet: presses, power, queues after each
// event, socket bytes; and the log.
class Bookkeeper final : public sim::Fleet::Watcher {
 public:
  Bookkeeper(sim::Fleet& fleet, Ledger& ledger, const Options& o, size_t total)
      : fleet_(fleet),
        ledger_(ledger),
        o_(o),
        probe_(o.probe ? o.probe : probe_core_queue),
        total_(total) {
    for (size_t i = 0; i < fleet.size(); ++i) taps_.push_back(std::make_unique<Tap>(ledger, i));
    for (size_t i = 0; i < fleet.size(); ++i) fleet.board(i).set_tap(taps_[i].get());
  }
  void before(size_t b, std::optional<sim::Fleet::Action> a) override {
    if (a == sim::Fleet::Action::Press) {
      ledger_.on_press(b, fleet_.env(b).clock.now_us());
      ++made_;
      if (o_.progress) o_.progress(made_, total_, fleet_.env(b).clock.now_us());
    } else if (a == sim::Fleet::Action::PowerOff) {
      ledger_.on_power_off(b);
    }
  }
  void after(size_t b, std::optional<sim::Fleet::Action>) override {
    ledger_.on_queue(b, probe_(fleet_.board(b).hal().machine));
  }

 private:
  struct Tap final : host::HostObserver {
    Tap(Ledger& l, size_t b) : ledger(l), board(b) {}
    void on_stream(uint64_t t_us, const void* stream, bool sent, std::string_view bytes) override {
      ledger.on_stream(board, t_us, stream, sent, bytes);
    }
    Ledger& ledger;
    size_t board;
  };
  sim::Fleet& fleet_;
  Ledger& ledger_;
  const Options& o_;
  QueueProbe probe_;
  size_t total_;
  size_t made_ = 0;
  std::vector<std::unique_ptr<Tap>> taps_;
};

std::string seconds(double s) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

}  // namespace

Result run(const Options& o) {
  const auto real_start = std::chrono::steady_clock::now();
  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  if (!std::filesystem::exists(o.hub_binary)) {
    throw std::runtime_error("no hub binary at " + o.hub_binary.string() +
                             " (build it, or --hub PATH)");
  }
  std::filesystem::remove(o.dir / "hub.db", ec);
  std::filesystem::remove(o.dir / "hub.db-wal", ec);
  std::filesystem::remove(o.dir / "hub.db-shm", ec);

  const Plan plan = make_plan(o);
  Result result;
  HubProcess hub(o.hub_binary, o.dir, kWebhookKey);
  hub.start(0);

  sim::Fleet::Options fo;
  fo.boards = o.boards;
  fo.dir = o.dir / "boards";
  fo.config = [&](size_t i) { return board_config(i, o); };
  host::AccessPoint ap;
  ap.ssid = kSsid;
  ap.password = kWifiPassword;
  ap.bssid = sim::bssid_for(kSsid);
  fo.world.aps.push_back(ap);
  fo.world.dns["maker.ifttt.com"] = host::Endpoint{Ip4{{127, 0, 0, 1}}, hub.port()};
  fo.world.gpio16_rst = true;
  if (o.sense_pin) fo.world.press_sense_pin = kSensePin;
  fo.world.chip_id = 0x500000;
  fo.timing = sim::default_timing();
  fo.power = sim::default_power();
  fo.seed = o.seed;
  fo.net_round_trip = host::RangeMs{5, 40};
  sim::Fleet fleet(fo);

  std::vector<std::string> ids;
  for (size_t i = 0; i < o.boards; ++i) ids.push_back(button_id(i));
  Ledger ledger(ids);
  if (o.log) {
    fleet.set_sink([&](size_t b, uint64_t t, sim::LineKind, const std::string& text) {
      *o.log << ids[b] << " " << sim::time_prefix(t) << text << "\n";
    });
  }
  for (size_t i = 0; i < o.boards; ++i) {
    if (o.firmware) fleet.board(i).set_firmware(o.firmware);
    fleet.schedule(i, 0, sim::Fleet::Action::PowerOn);
    for (uint64_t t : plan.presses[i]) fleet.schedule(i, t, sim::Fleet::Action::Press);
  }
  for (const Plan::Window& w : plan.windows) {
    result.faults[host::fault_name(w.fault.kind)]++;
    if (w.board >= 0) {
      fleet.board(size_t(w.board)).add_fault(w.fault);
    } else {
      for (size_t i = 0; i < o.boards; ++i) fleet.board(i).add_fault(w.fault);
    }
  }
  for (const auto& [kill, restart] : plan.hub_kills) {
    result.faults["hub-killed"]++;
    fleet.schedule_world(kill, [&hub] {
      if (hub.running()) hub.kill9();
    });
    fleet.schedule_world(restart, [&hub] {
      if (!hub.running()) hub.restart();
    });
  }
  for (const auto& [b, t] : plan.power_cycles) {
    result.faults["power-cycle"]++;
    fleet.schedule(b, t, sim::Fleet::Action::PowerOff);
    fleet.schedule(b, t, sim::Fleet::Action::PowerOn);
  }

  Bookkeeper books(fleet, ledger, o, o.boards * o.presses_per_board);
  const uint64_t end = uint64_t((o.span_s + o.drain_s) * kSecond);
  fleet.run_until(end, &books);
  if (!hub.running()) hub.restart();  // a restart past the end would leave it down
  hub.stop();

  result.figures = ledger.reckon(read_stored_events(hub.db()));
  result.hub_kills = hub.kills();
  if (fleet.wakes_cut()) result.faults["press-during-wake"] = fleet.wakes_cut();
  result.virtual_end_us = end;
  result.real_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
  return result;
}

void print(std::ostream& out, const Options& o, const Result& r) {
  const Figures& f = r.figures;
  out << "soak: " << o.boards << " boards, seed " << o.seed << ", "
      << seconds(double(r.virtual_end_us) / 1e6) << " of virtual time in " << seconds(r.real_s)
      << " of real time\n";
  out << "faults:";
  if (r.faults.empty()) out << " none";
  for (const auto& [name, n] : r.faults) out << " " << name << " " << n;
  out << "\n";
  out << "requests: " << f.requests << " (replayed by the hub: " << f.replays << ")\n";
  out << "events stored: " << f.stored_events << "\n";
  out << "presses made: " << f.presses << "\n";
  out << "delivered exactly once: " << f.delivered_once << "\n";
  if (f.delivered_more) out << "delivered more than once: " << f.delivered_more << "\n";
  out << "still queued: " << f.still_queued << "\n";
  out << "dropped by policy: " << f.dropped << "\n";
  out << "lost to power-off: " << f.lost_to_power_off << "\n";
  out << "lost: " << f.lost << "\n";
  for (const std::string& l : f.lost_presses) out << "  lost press: " << l << "\n";
  out << "duplicate events: " << f.duplicate_events << "\n";
  auto latency = [](const std::optional<double>& v) {
    return v ? seconds(*v) : std::string("n/a");
  };
  out << "press-to-ack latency p50: " << latency(f.latency_p50_s) << " (virtual time)\n";
  out << "press-to-ack latency p99: " << latency(f.latency_p99_s) << " (virtual time)\n";
  if (f.keys_without_press) out << "keys without a press: " << f.keys_without_press << "\n";
  if (f.keys_given_twice) out << "keys given twice: " << f.keys_given_twice << "\n";
}

int exit_status(const Result& r) {
  return r.figures.lost == 0 && r.figures.duplicate_events == 0 ? 0 : 1;
}

}  // namespace bh::soak
