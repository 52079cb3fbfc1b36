// What the host HAL sees of the world around the board, and the shared
// context its pieces hang on: the virtual clock, the radio's timing model,
// the random source, and the observer that the simulator (or a test) uses
// to watch pins, serial output and radio activity.
//
// Plain data on purpose: sim/ fills it from TOML files and the command line,
// tests fill it by hand.
#pragma once

#include <stdint.h>  // fixed-width integers

#include <array>        // BSSIDs
#include <map>          // DNS table, routes
#include <memory>       // the shared fault proxy
#include <optional>     // std::optional
#include <random>       // std::mt19937_64
#include <string>       // names
#include <string_view>  // observer lines
#include <vector>       // access points, time windows

#include "clock.h"
#include "hal.h"

namespace bh::host {

// ---------------------------------------------------------------- Timing --

// A duration known only within a range: each use draws uniformly from
// [min_ms, max_ms] with the Env's seeded generator, so runs are repeatable.
struct RangeMs {
  double min_ms = 0;
  double max_ms = 0;
};

// The radio's delays, by phase. sim/data/timing.toml holds the figures and
// their sources; tests set their own.
struct RadioTiming {
  RangeMs boot;            // reset to the application's first line
  RangeMs scan_full;       // sweep of all channels when no channel is known
  RangeMs scan_channel;    // probe of one known channel (fast connect)
  RangeMs assoc;           // authentication + association + WPA2 4-way handshake
  RangeMs dhcp;            // DISCOVER .. ACK
  RangeMs wrong_password;  // after association, until the SDK gives up the handshake
  RangeMs dns;             // one query to the gateway and its answer
  RangeMs tls_full;        // TLS handshake with certificate checks (BearSSL, 80 MHz)
  RangeMs tls_resumed;     // abbreviated handshake: a session resumed from RTC memory
};

// ---------------------------------------------------------------- World ---

// [from_ms, to_ms) in virtual time; to_ms = UINT64_MAX for "from then on".
struct TimeWindow {
  uint64_t from_ms = 0;
  uint64_t to_ms = UINT64_MAX;
  bool contains(uint64_t t_ms) const { return t_ms >= from_ms && t_ms < to_ms; }
};

struct AccessPoint {
  std::string ssid;
  std::string password;  // ignored when auth is Open
  std::array<uint8_t, 6> bssid = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  uint8_t channel = 6;
  int8_t rssi = -60;
  AuthMode auth = AuthMode::Wpa2Psk;
  bool hidden = false;              // not in scan() results by name
  Ip4 subnet = {{192, 168, 0, 0}};  // /24: gateway and DNS .1, leases from .2
  bool dhcp = true;                 // false: DHCP never answers (a fault)
  std::vector<TimeWindow> down;     // off the air during these windows (faults)

  bool up_at(uint64_t t_ms) const {
    for (const auto& w : down) {
      if (w.contains(t_ms)) return false;
    }
    return true;
  }
};

// Where a name or an address really goes: ip:port on this PC. port 0 keeps
// the port the firmware asked for.
struct Endpoint {
  Ip4 ip;
  uint16_t port = 0;
};

// Faults of the world as a whole, each active during a window of virtual
// time. AccessPoint::down is one AP's own outage; these hit every AP, every
// name, every connection. The HTTP-path kinds are played by FaultProxy
// (fault_proxy.h), a real TCP proxy between the board and the real server.
enum class FaultKind : uint8_t {
  ApDown,             // every access point off the air: NoApFound, links drop
  WrongPassword,      // every AP refuses the board's key (the router's key changed)
  DnsFailure,         // names do not resolve: DnsFailed (dotted literals still work)
  HubDown,            // nothing listens: connections are refused (ConnectFailed)
  Http5xx,            // the proxy answers Fault::status itself; the server sees nothing
  HttpSlow,           // the server gets the request and answers; the answer is held
                      // past every timeout (the board sees Timeout, the server committed)
  ResetMidRequest,    // half the request reaches the server, then both sides are
                      // cut; the board sees a reset (IoError), the server stores nothing
  ResetAfterForward,  // the server got the whole request and answered; the board
                      // gets a reset instead of the answer (IoError, server committed)
};
constexpr FaultKind kLastFaultKind = FaultKind::ResetAfterForward;
// "ap-down", "wrong-password", "dns-failure", "hub-down", "hub-5xx",
// "hub-slow", "reset-mid-request", "reset-after-forward".
const char* fault_name(FaultKind k);
std::optional<FaultKind> parse_fault_kind(std::string_view name);
// Played by FaultProxy on the connection (not by the HAL itself).
inline bool is_proxy_fault(FaultKind k) {
  return k == FaultKind::Http5xx || k == FaultKind::HttpSlow || k == FaultKind::ResetMidRequest ||
         k == FaultKind::ResetAfterForward;
}

struct Fault {
  FaultKind kind = FaultKind::ApDown;
  TimeWindow window;
  int status = 500;  // Http5xx: the status the proxy answers (500..599)
};

struct World {
  std::vector<AccessPoint> aps;
  // DNS table, names in lower case. A name with a port resolves to an
  // address of its own (see HostNet) so that its port mapping cannot clash
  // with another name's.
  std::map<std::string, Endpoint> dns;
  // Extra routes: (address, port) -> endpoint; port 0 in the key = any port.
  std::map<std::pair<uint32_t, uint16_t>, Endpoint> routes;
  uint16_t battery_mv = 3300;   // what Machine::battery_mv() reads
  uint32_t chip_id = 0xc0ffee;  // 24 bits, as ESP.getChipId()
  bool gpio16_rst = false;      // GPIO16 wired to RST: timed deep sleep wakes
  // A second contact of the button on this GPIO (to GND while held), so the
  // firmware can tell a press from the retry timer (config PRESS_SENSE_PIN).
  std::optional<uint8_t> press_sense_pin;
  uint32_t press_hold_ms = 500;  // how long a press holds the button down
  std::vector<Fault> faults;     // world-wide faults in virtual time

  // The first fault of this kind active at t_ms, or nullptr.
  const Fault* fault_at(FaultKind kind, uint64_t t_ms) const;
  // The first proxy-played fault (is_proxy_fault) active at t_ms, or nullptr.
  const Fault* proxy_fault_at(uint64_t t_ms) const;
  // The AP is on the air: not in one of its own down windows, no ApDown fault.
  bool ap_up(const AccessPoint& ap, uint64_t t_ms) const {
    return ap.up_at(t_ms) && fault_at(FaultKind::ApDown, t_ms) == nullptr;
  }
};

// ---------------------------------------------------------------- Radio ---

// What the radio is doing, for the power model and the timeline.
enum class RadioState : uint8_t {
  Off,     // both interfaces inactive: CPU only
  Listen,  // an interface active, not associated (receiver on)
  Scanning,
  Associating,  // auth, association, 4-way handshake
  Dhcp,
  Connected,  // associated and idle (modem sleep between beacons)
  Tx,         // sending bytes
  Rx,         // waiting for or receiving bytes
  Tls,        // a TLS handshake: mostly the CPU's public-key work, some receiving
};
const char* radio_state_name(RadioState s);

// The simulator (or a test) watches the board through this. Times are the
// virtual instants of the events, in microseconds.
class HostObserver {
 public:
  virtual ~HostObserver() = default;
  virtual void on_serial(uint64_t t_us, std::string_view line) {}
  // A pin's driven state changed: output (or input) and, for outputs, the level.
  virtual void on_pin(uint64_t t_us, uint8_t pin, bool output, bool level) {}
  virtual void on_radio(uint64_t t_us, RadioState state) {}
  // Bytes a stream sent or received (stream: an id, stable while it is open).
  virtual void on_stream(uint64_t t_us, const void* stream, bool sent, std::string_view bytes) {}
};

class Env;
class FaultProxy;

// The inputs that decide RadioState; each HAL piece sets its own.
class Radio {
 public:
  explicit Radio(Env& env) : env_(env) {}
  void set_sta_active(bool on) {
    sta_active_ = on;
    update();
  }
  void set_ap_active(bool on) {
    ap_active_ = on;
    update();
  }
  // The station's connection phase: Off (idle), Scanning, Associating, Dhcp,
  // Connected.
  void set_sta_phase(RadioState phase) {
    sta_phase_ = phase;
    update();
  }
  // A socket operation in progress (Tx/Rx), or Off when none.
  void set_traffic(RadioState traffic) {
    traffic_ = traffic;
    update();
  }
  RadioState state() const { return state_; }
  void reset() {
    sta_active_ = ap_active_ = false;
    sta_phase_ = traffic_ = RadioState::Off;
    update();
  }

 private:
  void update();
  Env& env_;
  bool sta_active_ = false;
  bool ap_active_ = false;
  RadioState sta_phase_ = RadioState::Off;
  RadioState traffic_ = RadioState::Off;
  RadioState state_ = RadioState::Off;
};

// ---------------------------------------------------------------- Env -----

class Env {
 public:
  explicit Env(uint64_t seed = 1) : rng(seed), radio(*this) {}
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  // A draw from r in whole microseconds.
  uint64_t sample_us(const RangeMs& r);

  Clock clock;
  World world;
  RadioTiming timing;
  std::mt19937_64 rng;
  HostObserver* observer = nullptr;
  Radio radio;
  // When set, socket operations cost modelled virtual time instead of their
  // real duration, so that a seed alone decides every instant (the fleet
  // sets it; a single board keeps real durations): a connect and the first
  // read after a write (the server's answer) cost one draw each, other
  // writes and reads nothing. A wait that ends in a timeout costs its
  // timeout either way.
  std::optional<RangeMs> net_round_trip;
  // Plays the HTTP-path faults; HostNet starts one on first need. Boards of
  // a fleet share one (its thread serves them all).
  std::shared_ptr<FaultProxy> fault_proxy;
  // Servers on the board (Net::listen): the board's port -> the port on
  // 127.0.0.1 that serves it (0: any free port), e.g. the console's 8266 ->
  // --console-port. With listen_mapped_only, other ports are refused
  // (Err::Unsupported); without it they bind as asked.
  std::map<uint16_t, uint16_t> listen_ports;
  bool listen_mapped_only = false;
};

// Dotted quad, for logs and tests.
std::string ip_to_string(const Ip4& ip);
// Parses "a.b.c.d" exactly; nullopt otherwise.
std::optional<Ip4> parse_ip(std::string_view text);
inline uint32_t ip_to_u32(const Ip4& ip) {
  return (uint32_t(ip.b[0]) << 24) | (uint32_t(ip.b[1]) << 16) | (uint32_t(ip.b[2]) << 8) | ip.b[3];
}
inline Ip4 ip_from_u32(uint32_t v) {
  return Ip4{{uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}};
}

}  // namespace bh::host
