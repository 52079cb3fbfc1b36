#include "host_wlan.h"

#include <stdio.h>   // snprintf
#include <string.h>  // memcpy

namespace bh::host {

namespace {

std::string to_string(StrRef s) {
  return std::string(s.data, s.len);
}

// The tutorial shows these for the access point interface.
constexpr Ip4 kApIp = {{192, 168, 4, 1}};
constexpr Ip4 kApDns = {{208, 67, 222, 222}};
constexpr Ip4 kNetmask24 = {{255, 255, 255, 0}};

Ip4 host_in(const Ip4& subnet, uint8_t host) {
  return Ip4{{subnet.b[0], subnet.b[1], subnet.b[2], host}};
}

}  // namespace

HostWlan::HostWlan(Env& env, Interface iface) : env_(env), iface_(iface) {
  persisted_active_ = !station();  // factory default: soft AP on, station off
  const auto m = mac();
  char name[16];
  snprintf(name, sizeof name, "ESP_%02X%02X%02X", m[3], m[4], m[5]);
  essid_ = name;
  reset();
}

HostWlan::~HostWlan() {
  cancel_timer();
}

std::array<uint8_t, 6> HostWlan::mac() const {
  // Espressif's OUI with the chip id, as the SDK derives it; the soft AP's
  // differs in the first byte.
  const uint32_t id = env_.world.chip_id;
  return {uint8_t(station() ? 0x5c : 0x5e),
          0xcf,
          0x7f,
          uint8_t(id >> 16),
          uint8_t(id >> 8),
          uint8_t(id)};
}

void HostWlan::reset() {
  cancel_timer();
  status_ = WlanStatus::Idle;
  ap_index_ = -1;
  lease_ = IfConfig();
  set_phase(RadioState::Off);
  set_active(persisted_active_);
}

void HostWlan::active(bool on) {
  persisted_active_ = on;
  if (!on && station()) disconnect();
  set_active(on);
}

void HostWlan::set_active(bool on) {
  active_ = on;
  if (station()) {
    env_.radio.set_sta_active(on);
  } else {
    env_.radio.set_ap_active(on);
  }
}

void HostWlan::cancel_timer() {
  if (timer_) env_.clock.cancel(timer_);
  timer_ = 0;
}

void HostWlan::set_phase(RadioState phase) {
  if (station()) env_.radio.set_sta_phase(phase);
}

void HostWlan::connect(StrRef ssid, StrRef password, const ConnectHint* hint) {
  if (!station()) return;
  disconnect();
  // MicroPython raises "STA must be active"; the SDK does nothing. Either
  // way the station stays idle.
  if (!active_) return;
  ++connect_attempts_;
  ssid_ = to_string(ssid);
  password_ = to_string(password);
  has_hint_ = hint != nullptr;
  hint_ = hint ? *hint : ConnectHint();
  status_ = WlanStatus::Connecting;
  set_phase(RadioState::Scanning);
  const bool channel_known = has_hint_ && hint_.has_bssid && hint_.channel != 0;
  const uint64_t d =
      env_.sample_us(channel_known ? env_.timing.scan_channel : env_.timing.scan_full);
  timer_ = env_.clock.schedule_at_us(env_.clock.now_us() + d, [this] { after_scan(); });
}

void HostWlan::after_scan() {
  timer_ = 0;
  const uint64_t now_ms = env_.clock.now_ms();
  const bool by_bssid = has_hint_ && hint_.has_bssid;
  int best = -1;
  for (size_t i = 0; i < env_.world.aps.size(); ++i) {
    const AccessPoint& ap = env_.world.aps[i];
    if (ap.ssid != ssid_ || !env_.world.ap_up(ap, now_ms)) continue;
    if (by_bssid && memcmp(ap.bssid.data(), hint_.bssid, 6) != 0) continue;
    if (by_bssid && hint_.channel != 0 && hint_.channel != ap.channel) continue;
    // The SDK picks the strongest AP with the SSID.
    if (best < 0 || ap.rssi > env_.world.aps[size_t(best)].rssi) best = int(i);
  }
  if (best < 0) {
    fail(WlanStatus::NoApFound);
    return;
  }
  ap_index_ = best;
  set_phase(RadioState::Associating);
  const uint64_t d = env_.sample_us(env_.timing.assoc);
  timer_ = env_.clock.schedule_at_us(env_.clock.now_us() + d, [this] { after_assoc(); });
}

void HostWlan::after_assoc() {
  timer_ = 0;
  const AccessPoint* ap = current_ap();
  if (!ap || !env_.world.ap_up(*ap, env_.clock.now_ms())) {
    fail(WlanStatus::NoApFound);
    return;
  }
  if (ap->auth != AuthMode::Open) {
    if (password_.empty()) {
      // No key for a secured network: the AP rejects the association.
      fail(WlanStatus::ConnectFail);
      return;
    }
    const bool key_changed =
        env_.world.fault_at(FaultKind::WrongPassword, env_.clock.now_ms()) != nullptr;
    if (password_ != ap->password || key_changed) {
      // The 4-way handshake times out (message 1/4 retries) before the SDK
      // reports the wrong key; the radio keeps trying meanwhile.
      const uint64_t d = env_.sample_us(env_.timing.wrong_password);
      timer_ = env_.clock.schedule_at_us(env_.clock.now_us() + d, [this] {
        timer_ = 0;
        fail(WlanStatus::WrongPassword);
      });
      return;
    }
  }
  if (has_hint_ && hint_.has_static_ip) {
    lease_ = hint_.static_ip;
    got_ip();
    return;
  }
  set_phase(RadioState::Dhcp);
  if (!ap->dhcp) return;  // no OFFER ever comes: the station stays Connecting
  const uint64_t d = env_.sample_us(env_.timing.dhcp);
  timer_ = env_.clock.schedule_at_us(env_.clock.now_us() + d, [this] {
    timer_ = 0;
    const AccessPoint* a = current_ap();
    if (!a) {
      fail(WlanStatus::ConnectFail);
      return;
    }
    // One board on the network: the first lease, .2; gateway and DNS .1.
    lease_.ip = host_in(a->subnet, 2);
    lease_.netmask = kNetmask24;
    lease_.gateway = host_in(a->subnet, 1);
    lease_.dns = host_in(a->subnet, 1);
    got_ip();
  });
}

void HostWlan::got_ip() {
  status_ = WlanStatus::GotIp;
  set_phase(RadioState::Connected);
}

void HostWlan::fail(WlanStatus status) {
  status_ = status;
  ap_index_ = -1;
  lease_ = IfConfig();
  set_phase(RadioState::Off);
}

const AccessPoint* HostWlan::current_ap() const {
  if (ap_index_ < 0 || size_t(ap_index_) >= env_.world.aps.size()) return nullptr;
  return &env_.world.aps[size_t(ap_index_)];
}

void HostWlan::disconnect() {
  if (!station()) return;
  cancel_timer();
  status_ = WlanStatus::Idle;
  ap_index_ = -1;
  lease_ = IfConfig();
  set_phase(RadioState::Off);
}

WlanStatus HostWlan::status() {
  if (station() && status_ == WlanStatus::GotIp) {
    const AccessPoint* ap = current_ap();
    if (!ap || !env_.world.ap_up(*ap, env_.clock.now_ms())) {
      // Beacons stopped: the link is gone and the SDK starts reconnecting.
      ap_index_ = -1;
      lease_ = IfConfig();
      status_ = WlanStatus::Connecting;
      set_phase(RadioState::Off);
    }
  }
  return status_;
}

IfConfig HostWlan::ifconfig() {
  if (!station()) {
    IfConfig c;
    if (active_) {
      c.ip = kApIp;
      c.netmask = kNetmask24;
      c.gateway = kApIp;
      c.dns = kApDns;
    }
    return c;
  }
  return status() == WlanStatus::GotIp ? lease_ : IfConfig();
}

size_t HostWlan::scan(ScanEntry* out, size_t max) {
  if (!station() || !active_) return 0;
  const uint64_t now_ms = env_.clock.now_ms();
  size_t n = 0;
  for (const AccessPoint& ap : env_.world.aps) {
    if (n >= max) break;
    if (!env_.world.ap_up(ap, now_ms)) continue;
    ScanEntry& e = out[n++];
    e = ScanEntry();
    // A hidden AP answers a broadcast probe with an empty SSID.
    if (!ap.hidden) e.ssid.assign(StrRef(ap.ssid.data(), ap.ssid.size()));
    memcpy(e.bssid, ap.bssid.data(), 6);
    e.channel = ap.channel;
    e.rssi = ap.rssi;
    e.auth = ap.auth;
    e.hidden = ap.hidden;
  }
  // The SDK's scan blocks for the whole sweep.
  const bool connecting = timer_ != 0;
  if (!connecting) set_phase(RadioState::Scanning);
  env_.clock.advance_us(env_.sample_us(env_.timing.scan_full));
  if (!connecting)
    set_phase(status() == WlanStatus::GotIp ? RadioState::Connected : RadioState::Off);
  return n;
}

Err HostWlan::config(StrRef essid, StrRef password) {
  if (station()) return Err::Ok;  // the station ignores them (hal.h)
  if (essid.len == 0 || essid.len > 32) return Err::Invalid;
  if (password.len != 0 && (password.len < 8 || password.len > 64)) return Err::Invalid;
  essid_ = to_string(essid);
  ap_password_ = to_string(password);
  return Err::Ok;
}

bool HostWlan::bssid(uint8_t out[6], uint8_t* channel) {
  if (!station() || status() != WlanStatus::GotIp) return false;
  const AccessPoint* ap = current_ap();
  if (!ap) return false;
  memcpy(out, ap->bssid.data(), 6);
  if (channel) *channel = ap->channel;
  return true;
}

}  // namespace bh::host
