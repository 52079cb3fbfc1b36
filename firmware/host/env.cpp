#include "env.h"

#include <stdio.h>  // snprintf

namespace bh::host {

const char* radio_state_name(RadioState s) {
  switch (s) {
    case RadioState::Off: return "off";
    case RadioState::Listen: return "listen";
    case RadioState::Scanning: return "scanning";
    case RadioState::Associating: return "associating";
    case RadioState::Dhcp: return "dhcp";
    case RadioState::Connected: return "connected";
    case RadioState::Tx: return "tx";
    case RadioState::Rx: return "rx";
    case RadioState::Tls: return "tls-handshake";
  }
  return "?";
}

void Radio::update() {
  RadioState s = RadioState::Off;
  if (traffic_ != RadioState::Off) {
    s = traffic_;
  } else if (sta_active_ && sta_phase_ != RadioState::Off) {
    s = sta_phase_;
  } else if (sta_active_ || ap_active_) {
    s = RadioState::Listen;
  }
  if (s == state_) return;
  state_ = s;
  if (env_.observer) env_.observer->on_radio(env_.clock.now_us(), s);
}

uint64_t Env::sample_us(const RangeMs& r) {
  if (r.max_ms <= r.min_ms) return static_cast<uint64_t>(r.min_ms * 1000.0);
  std::uniform_real_distribution<double> d(r.min_ms, r.max_ms);
  return static_cast<uint64_t>(d(rng) * 1000.0);
}

const char* fault_name(FaultKind k) {
  switch (k) {
    case FaultKind::ApDown: return "ap-down";
    case FaultKind::WrongPassword: return "wrong-password";
    case FaultKind::DnsFailure: return "dns-failure";
    case FaultKind::HubDown: return "hub-down";
    case FaultKind::Http5xx: return "hub-5xx";
    case FaultKind::HttpSlow: return "hub-slow";
    case FaultKind::ResetMidRequest: return "reset-mid-request";
    case FaultKind::ResetAfterForward: return "reset-after-forward";
  }
  return "?";
}

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  for (int i = 0; i <= int(kLastFaultKind); ++i) {
    const auto k = FaultKind(i);
    if (name == fault_name(k)) return k;
  }
  if (name == "reset") return FaultKind::ResetMidRequest;  // the short name in the issue
  return std::nullopt;
}

const Fault* World::fault_at(FaultKind kind, uint64_t t_ms) const {
  for (const Fault& f : faults) {
    if (f.kind == kind && f.window.contains(t_ms)) return &f;
  }
  return nullptr;
}

const Fault* World::proxy_fault_at(uint64_t t_ms) const {
  for (const Fault& f : faults) {
    if (is_proxy_fault(f.kind) && f.window.contains(t_ms)) return &f;
  }
  return nullptr;
}

std::string ip_to_string(const Ip4& ip) {
  char buf[16];
  snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip.b[0], ip.b[1], ip.b[2], ip.b[3]);
  return buf;
}

std::optional<Ip4> parse_ip(std::string_view text) {
  Ip4 ip;
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (pos >= text.size() || text[pos] < '0' || text[pos] > '9') return std::nullopt;
    unsigned v = 0;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      v = v * 10 + unsigned(text[pos] - '0');
      ++pos;
      if (++digits > 3 || v > 255) return std::nullopt;
    }
    ip.b[i] = uint8_t(v);
    if (i < 3) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
  }
  if (pos != text.size()) return std::nullopt;
  return ip;
}

}  // namespace bh::host
