// network.WLAN(STA_IF) and network.WLAN(AP_IF) on ESP8266WiFi.
//
// Both interfaces share one radio and one opmode (WiFi.enableSTA/enableAP).
// WiFi.persistent(false) is set before anything else: every mode change,
// begin() and softAP() then stays in RAM, so a wake never writes the flash
// sector the SDK keeps its Wi-Fi settings in (it would wear out, and each
// write costs ~100 ms of a battery-powered wake).
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // fixed-width integers

#include "hal.h"
#include "sizes.h"
#include "text.h"

namespace bh {
namespace esp {

class EspWlan final : public Wlan {
 public:
  enum class Interface : uint8_t { Station, AccessPoint };

  explicit EspWlan(Interface iface) : iface_(iface) {}

  // Once, before either interface is used.
  static void begin();

  void active(bool on) override;
  bool active() override;
  void connect(StrRef ssid, StrRef password, const ConnectHint* hint) override;
  void disconnect() override;
  WlanStatus status() override;
  bool isconnected() override { return status() == WlanStatus::GotIp; }
  IfConfig ifconfig() override;
  size_t scan(ScanEntry* out, size_t max) override;
  Err config(StrRef essid, StrRef password) override;
  bool bssid(uint8_t out[6], uint8_t* channel) override;

 private:
  bool station() const { return iface_ == Interface::Station; }
  bool start_ap();

  Interface iface_;
  bool static_ip_ = false;  // station: WiFi.config() switched DHCP off
  // Access point settings from config(); empty essid = the SDK's own.
  Str<sizes::kSsidMax> ap_essid_;
  Str<sizes::kWifiPasswordMax> ap_password_;
};

}  // namespace esp
}  // namespace bh
