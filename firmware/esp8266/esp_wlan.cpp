#include "esp_wlan.h"

#include <ESP8266WiFi.h>     // WiFi
#include <string.h>          // memcpy
#include <user_interface.h>  // bss_info, wifi_get_ip_info

namespace bh {
namespace esp {

namespace {

// The access point's own network, as MicroPython and the SDK set it up.
const IPAddress kApIp(192, 168, 4, 1);
const IPAddress kApNetmask(255, 255, 255, 0);

IPAddress to_ip(const Ip4& ip) {
  return IPAddress(ip.b[0], ip.b[1], ip.b[2], ip.b[3]);
}

Ip4 from_ip(const IPAddress& ip) {
  Ip4 out;
  for (int i = 0; i < 4; ++i) out.b[i] = ip[i];
  return out;
}

Ip4 from_lwip(uint32_t addr) {
  return from_ip(IPAddress(addr));
}

}  // namespace

void EspWlan::begin() {
  WiFi.persistent(false);
}

void EspWlan::active(bool on) {
  if (station()) {
    if (!on) disconnect();
    WiFi.enableSTA(on);
  } else if (on) {
    start_ap();
  } else {
    WiFi.softAPdisconnect(true);  // true: also clear the AP bit of the opmode
  }
}

bool EspWlan::active() {
  return (WiFi.getMode() & (station() ? WIFI_STA : WIFI_AP)) != 0;
}

void EspWlan::connect(StrRef ssid, StrRef password, const ConnectHint* hint) {
  // As on the virtual board (and MicroPython's "STA must be active"): an
  // inactive station stays idle. WiFi.begin() would switch it on by itself.
  if (!station() || !active()) return;
  const Str<sizes::kSsidMax> ssid_z(ssid);
  const Str<sizes::kWifiPasswordMax> password_z(password);

  if (hint && hint->has_static_ip) {
    const IfConfig& c = hint->static_ip;
    // ESP order: ip, gateway, subnet, dns. No DHCP round trip on this wake.
    static_ip_ = WiFi.config(to_ip(c.ip), to_ip(c.gateway), to_ip(c.netmask), to_ip(c.dns));
  } else if (static_ip_) {
    // All zero switches DHCP back on after an earlier static attempt.
    WiFi.config(IPAddress(0u), IPAddress(0u), IPAddress(0u));
    static_ip_ = false;
  }

  // The fast path: with the channel and BSSID known the SDK skips the scan.
  const int32_t channel = hint ? hint->channel : 0;
  const uint8_t* bssid = hint && hint->has_bssid ? hint->bssid : nullptr;
  WiFi.begin(ssid_z.c_str(), password_z.c_str(), channel, bssid, true);
}

void EspWlan::disconnect() {
  // false, false: keep the station on and the (RAM-only) credentials.
  if (station()) WiFi.disconnect(false, false);
}

WlanStatus EspWlan::status() {
  if (!station()) return WlanStatus::Idle;
  switch (WiFi.status()) {
    case WL_CONNECTED: return WlanStatus::GotIp;
    case WL_WRONG_PASSWORD: return WlanStatus::WrongPassword;
    case WL_NO_SSID_AVAIL: return WlanStatus::NoApFound;
    case WL_CONNECT_FAILED: return WlanStatus::ConnectFail;
    // ESP8266WiFi reports STATION_CONNECTING as WL_DISCONNECTED; a lost link
    // is the SDK reconnecting, as on the virtual board.
    case WL_DISCONNECTED:
    case WL_CONNECTION_LOST: return WlanStatus::Connecting;
    default: return WlanStatus::Idle;
  }
}

IfConfig EspWlan::ifconfig() {
  IfConfig c;
  if (station()) {
    if (!isconnected()) return c;
    c.ip = from_ip(WiFi.localIP());
    c.netmask = from_ip(WiFi.subnetMask());
    c.gateway = from_ip(WiFi.gatewayIP());
    c.dns = from_ip(WiFi.dnsIP(0));
    return c;
  }
  if (!active()) return c;
  ip_info info;
  if (!wifi_get_ip_info(SOFTAP_IF, &info)) return c;
  c.ip = from_lwip(info.ip.addr);
  c.netmask = from_lwip(info.netmask.addr);
  c.gateway = from_lwip(info.gw.addr);
  // The core's DHCP server offers its own address as the DNS server
  // (MicroPython's offers 208.67.222.222).
  c.dns = c.ip;
  return c;
}

size_t EspWlan::scan(ScanEntry* out, size_t max) {
  if (!station() || !active()) return 0;
  // Blocking, all channels, hidden networks included (as MicroPython).
  const int8_t found = WiFi.scanNetworks(false, true);
  size_t n = 0;
  for (int i = 0; i < found && n < max; ++i) {
    const bss_info* it = WiFi.getScanInfoByIndex(i);
    if (!it) break;
    ScanEntry& e = out[n++];
    e = ScanEntry();
    const size_t len = it->ssid_len <= sizes::kSsidMax ? it->ssid_len : sizes::kSsidMax;
    e.ssid.assign(StrRef(reinterpret_cast<const char*>(it->ssid), len));
    memcpy(e.bssid, it->bssid, 6);
    e.channel = it->channel;
    e.rssi = it->rssi;
    // The SDK's AUTH_* are MicroPython's network.AUTH_* (0..4).
    e.auth =
        it->authmode <= AUTH_WPA_WPA2_PSK ? static_cast<AuthMode>(it->authmode) : AuthMode::Wpa2Psk;
    e.hidden = it->is_hidden != 0;
  }
  WiFi.scanDelete();  // the results live on the heap
  return n;
}

Err EspWlan::config(StrRef essid, StrRef password) {
  if (station()) return Err::Ok;  // the station ignores them (hal.h)
  if (essid.len == 0 || essid.len > sizes::kSsidMax) return Err::Invalid;
  if (password.len != 0 && (password.len < 8 || password.len > 63)) return Err::Invalid;
  ap_essid_.assign(essid);
  ap_password_.assign(password);
  if (active() && !start_ap()) return Err::Invalid;
  return Err::Ok;
}

bool EspWlan::bssid(uint8_t out[6], uint8_t* channel) {
  if (!station() || !isconnected()) return false;
  const uint8_t* b = WiFi.BSSID();
  if (!b) return false;
  memcpy(out, b, 6);
  if (channel) *channel = static_cast<uint8_t>(WiFi.channel());
  return true;
}

bool EspWlan::start_ap() {
  if (!WiFi.enableAP(true)) return false;
  WiFi.softAPConfig(kApIp, kApIp, kApNetmask);
  // Without config() the SDK's own settings stay (the factory default is an
  // open "ESP_XXXXXX" network: call config() before active(true)).
  if (ap_essid_.empty()) return true;
  return WiFi.softAP(ap_essid_.c_str(), ap_password_.empty() ? nullptr : ap_password_.c_str());
}

}  // namespace esp
}  // namespace bh
