// Helpers shared by the host and sim tests: fixed timings (min = max, so
// every phase has a known length) and an observer that records everything.
#pragma once

#include <stdint.h>  // uint64_t

#include <string>       // lines
#include <string_view>  // observer lines
#include <vector>       // records

#include "env.h"
#include "http_client.h"  // HttpRequest

namespace bh::testing {

// Every range collapsed to one value, so tests can name exact instants.
inline host::RadioTiming fixed_timing() {
  host::RadioTiming t;
  t.boot = {200, 200};
  t.scan_full = {2000, 2000};
  t.scan_channel = {150, 150};
  t.assoc = {150, 150};
  t.dhcp = {1200, 1200};
  t.wrong_password = {3000, 3000};
  t.dns = {20, 20};
  t.tls_full = {2040, 2040};
  t.tls_resumed = {390, 390};
  return t;
}

// The tutorial's webhook as the host tests post it, to hub.test (their
// world maps that name to the test's local server); the whole exchange may
// take three times the per-step timeout.
inline HttpRequest webhook_post(uint32_t timeout_ms) {
  HttpRequest req;
  req.method = "POST";
  req.url = "http://hub.test/trigger/button_pressed/with/key/k";
  req.content_type = "application/json";
  req.body = "{\"value1\":\"micropython1\"}";
  req.timeout_ms = timeout_ms;
  req.total_timeout_ms = timeout_ms * 3;
  return req;
}

inline host::AccessPoint test_ap(const std::string& ssid = "home",
                                 const std::string& password = "secret-pass") {
  host::AccessPoint ap;
  ap.ssid = ssid;
  ap.password = password;
  ap.bssid = {0xa0, 0x40, 0xa0, 0x91, 0x7d, 0xac};
  ap.channel = 3;
  ap.rssi = -72;
  ap.auth = AuthMode::Wpa2Psk;
  return ap;
}

struct Recorder : host::HostObserver {
  struct Pin {
    uint64_t t_us;
    uint8_t pin;
    bool output;
    bool level;
  };
  struct Radio {
    uint64_t t_us;
    host::RadioState state;
  };
  std::vector<std::pair<uint64_t, std::string>> serial;
  std::vector<Pin> pins;
  std::vector<Radio> radio;

  void on_serial(uint64_t t_us, std::string_view line) override {
    serial.emplace_back(t_us, std::string(line));
  }
  void on_pin(uint64_t t_us, uint8_t pin, bool output, bool level) override {
    pins.push_back({t_us, pin, output, level});
  }
  void on_radio(uint64_t t_us, host::RadioState state) override { radio.push_back({t_us, state}); }
};

}  // namespace bh::testing
