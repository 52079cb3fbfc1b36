// An in-memory board for the console and portal tests (remote.h): the App on
// fakes whose network can serve (FakeNet), whose Wi-Fi can scan and whose
// machine counts resets, plus a WebSocket client's side of the wire.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app.h"
#include "fake_board.h"
#include "fake_net.h"

namespace bh::testing {

class CountingMachine : public FakeMachine {
 public:
  int resets = 0;
  void reset() override { ++resets; }
};

// A station that sees scan_result; an access point that keeps its config.
class ScanWlan : public FakeWlan {
 public:
  explicit ScanWlan(FakeMachine& m) : FakeWlan(m) {}
  std::vector<std::string> scan_result;
  std::string essid, password;
  bool access_point = false;
  size_t scan(ScanEntry* out, size_t max) override {
    size_t n = 0;
    for (const auto& s : scan_result) {
      if (n == max) break;
      out[n] = ScanEntry();
      out[n].ssid.assign(StrRef(s.data(), s.size()));
      out[n].channel = 6;
      out[n].rssi = -60;
      out[n].auth = AuthMode::Wpa2Psk;
      ++n;
    }
    return n;
  }
  Err config(StrRef e, StrRef p) override {
    essid.assign(e.data, e.len);
    password.assign(p.data, p.len);
    return Err::Ok;
  }
  IfConfig ifconfig() override {
    IfConfig c = FakeWlan::ifconfig();
    if (access_point && is_active) c.ip = {{192, 168, 4, 1}};
    return c;
  }
};

inline const char* kRemoteConfig =
    "WIFI_SSID = 'home'\n"
    "WIFI_PASSWORD = 'wifi-secret-1'\n"
    "WEBHOOK_URL = 'http://hub.test/trigger/button_pressed/with/key/k3y'\n"
    "BUTTON_ID = 'micropython1'\n";

struct RemoteBoard {
  CountingMachine machine;
  FakeGpio gpio{machine};
  ScanWlan sta{machine};
  ScanWlan ap{machine};
  FakeNet net{&machine};
  FakeFiles files;
  Hal hal{gpio, sta, ap, machine, net, files};
  std::unique_ptr<App> app;

  RemoteBoard() {
    net.add_host("hub.test", ip4(10, 0, 0, 1));
    ap.access_point = true;
  }
  BootOutcome boot(ResetCause cause) {
    machine.cause = cause;
    app = std::make_unique<App>(hal);
    return app->run();
  }
  // The console's setup: config.py, a console password, the debug jumper
  // on, a client port at 8266; then a power-on boot (it stays awake).
  // Returns the listener the test's clients come in on.
  FakeListener& boot_console(const std::string& password = "secret") {
    files.files["/config.py"] = kRemoteConfig;
    files.files["/webrepl_cfg.py"] = "PASS = '" + password + "'\n";
    gpio.grounded[14] = true;  // the debug jumper
    FakeListener& listener = net.serve(8266);
    console_boot = boot(ResetCause::PowerOn);
    return listener;
  }
  BootOutcome console_boot = BootOutcome::DeepSleep;
  void loop(int times = 3) {
    for (int i = 0; i < times; ++i) app->loop();
  }
  bool logged(const std::string& text) const {
    return machine.output().find(text) != std::string::npos;
  }
};

// ---- the client's side of the wire -------------------------------------

// A client frame: FIN set, masked as a browser's are (or not, as the CLI's).
inline std::string ws_frame(uint8_t opcode, const std::string& payload, bool masked = true) {
  std::string f(1, char(0x80 | opcode));
  const uint8_t m = masked ? 0x80 : 0;
  const size_t n = payload.size();
  if (n < 126) {
    f += char(m | n);
  } else {
    f += char(m | 126);
    f += char(n >> 8);
    f += char(n & 255);
  }
  if (!masked) return f + payload;
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  f.append(key, 4);
  for (size_t i = 0; i < n; ++i) f += char(payload[i] ^ key[i % 4]);
  return f;
}
inline std::string ws_text(const std::string& s) {
  return ws_frame(1, s);
}
inline std::string ws_binary(const std::string& s, bool masked = true) {
  return ws_frame(2, s, masked);
}

// The 82-byte WebREPL file request (little-endian "<2sBBQLH64s").
inline std::string webrepl_request(uint8_t type, uint32_t size, const std::string& name) {
  std::string r = "WA";
  r += char(type);
  r += '\0';
  r.append(8, '\0');
  for (int i = 0; i < 4; ++i) r += char((size >> (8 * i)) & 255);
  r += char(name.size() & 255);
  r += char(name.size() >> 8);
  r += name;
  r.append(64 - name.size(), '\0');
  return r;
}

inline std::string upgrade_request(const std::string& key) {
  return "GET / HTTP/1.1\r\nHost: echo.websocket.org\r\nConnection: Upgrade\r\n"
         "Upgrade: websocket\r\nSec-WebSocket-Key: " +
         key + "\r\n\r\n";
}

struct ServerFrame {
  uint8_t opcode;
  std::string payload;
};

// The server's reply: the HTTP head, then its frames (unmasked).
struct ServerReply {
  std::string head;
  std::vector<ServerFrame> frames;
  bool bad = false;  // a frame the clients could not read

  explicit ServerReply(const std::string& w) {
    size_t at = w.find("\r\n\r\n");
    if (at == std::string::npos) {
      head = w;
      return;
    }
    head = w.substr(0, at + 4);
    at += 4;
    while (at < w.size()) {
      if (at + 2 > w.size()) {
        bad = true;
        return;
      }
      const uint8_t b0 = uint8_t(w[at]), b1 = uint8_t(w[at + 1]);
      size_t n = b1 & 127;
      at += 2;
      if (b1 & 128 || (b0 & 0x80) == 0 || n == 127) bad = true;
      if (n == 126) {
        n = size_t(uint8_t(w[at])) << 8 | uint8_t(w[at + 1]);
        at += 2;
      }
      if (at + n > w.size()) {
        bad = true;
        return;
      }
      frames.push_back({uint8_t(b0 & 15), w.substr(at, n)});
      at += n;
    }
  }
  // All text frames, joined: what a terminal shows.
  std::string text() const {
    std::string t;
    for (const auto& f : frames) t += f.opcode == 1 ? f.payload : "";
    return t;
  }
  std::vector<std::string> binary() const {
    std::vector<std::string> b;
    for (const auto& f : frames) {
      if (f.opcode == 2) b.push_back(f.payload);
    }
    return b;
  }
};

inline std::string status_frame(uint16_t code) {
  return std::string("WB") + char(code & 255) + char(code >> 8);
}

}  // namespace bh::testing
