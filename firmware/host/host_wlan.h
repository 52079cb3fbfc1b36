// network.WLAN on the host, against the World's access points and the
// RadioTiming model.
//
// connect() returns at once, as on MicroPython; the station then goes
// through its phases in virtual time, each drawn from the timing model:
//
//   scan (all channels, or the hinted one) -> no AP up with that SSID: NoApFound
//   auth/assoc/4-way handshake             -> key refused: WrongPassword, after
//                                             the SDK's handshake timeouts
//                                             empty key for a secured AP: ConnectFail
//   DHCP (skipped with a static IP)        -> GotIp; an AP whose DHCP is off
//                                             leaves the station Connecting
//
// An AP that goes down (a TimeWindow) while associated drops the link: the
// station reports Connecting again. scan() blocks for a full scan, as the
// SDK's does, and returns only the APs on the air.
//
// The active flag of each interface lives in flash on the chip (the SDK's
// opmode), so it survives resets and power cycles; the factory default has
// the access point on (an open "ESP_XXXXXX" network) and the station off.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // fixed-width integers

#include <array>   // MAC addresses
#include <string>  // credentials

#include "clock.h"
#include "env.h"
#include "hal.h"

namespace bh::host {

class HostWlan final : public Wlan {
 public:
  enum class Interface : uint8_t { Station, AccessPoint };

  HostWlan(Env& env, Interface iface);
  ~HostWlan();
  HostWlan(const HostWlan&) = delete;
  HostWlan& operator=(const HostWlan&) = delete;

  void active(bool on) override;
  bool active() override { return active_; }
  void connect(StrRef ssid, StrRef password, const ConnectHint* hint) override;
  void disconnect() override;
  WlanStatus status() override;
  bool isconnected() override { return status() == WlanStatus::GotIp; }
  IfConfig ifconfig() override;
  size_t scan(ScanEntry* out, size_t max) override;
  Err config(StrRef essid, StrRef password) override;
  bool bssid(uint8_t out[6], uint8_t* channel) override;

  // ---- the board's side ----
  // A chip reset: the link is gone, the active flag comes back from flash.
  void reset();
  std::array<uint8_t, 6> mac() const;
  // The access point's own network name (config(essid=...) or the default).
  const std::string& essid() const { return essid_; }
  // How many connect() calls reached the air (tests).
  int connect_attempts() const { return connect_attempts_; }

 private:
  bool station() const { return iface_ == Interface::Station; }
  void set_active(bool on);
  void cancel_timer();
  void set_phase(RadioState phase);
  void after_scan();
  void after_assoc();
  void got_ip();
  void fail(WlanStatus status);
  const AccessPoint* current_ap() const;

  Env& env_;
  Interface iface_;
  bool active_ = false;
  bool persisted_active_ = false;  // the opmode kept in flash
  WlanStatus status_ = WlanStatus::Idle;
  Clock::TimerId timer_ = 0;
  // The connection being made or held.
  std::string ssid_;
  std::string password_;
  ConnectHint hint_;
  bool has_hint_ = false;
  int ap_index_ = -1;
  IfConfig lease_;
  int connect_attempts_ = 0;
  // Access point interface settings.
  std::string essid_;
  std::string ap_password_;
};

}  // namespace bh::host
