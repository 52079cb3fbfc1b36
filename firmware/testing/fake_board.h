// An in-memory board for unit tests of the core: pins, Wi-Fi, clock, RTC
// memory, files and a scripted network. No sockets, no threads; the virtual
// board (sim/) is the real-socket counterpart.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hal.h"

namespace bh::testing {

struct PinEvent {
  uint32_t t_ms;
  uint8_t pin;
  bool high;
};

class FakeMachine : public Machine {
 public:
  ResetCause cause = ResetCause::PowerOn;
  uint32_t now = 0;    // ticks_ms(): restarts at every boot (FakeBoard::boot)
  uint64_t clock = 0;  // rtc_clock_ms(): runs through deep sleep
  bool has_clock = true;
  int deepsleep_calls = 0;
  uint32_t deepsleep_ms = 0;
  std::vector<std::string> lines;
  uint8_t rtc[512] = {};

  ResetCause reset_cause() override { return cause; }
  void deepsleep(uint32_t ms) override {
    ++deepsleep_calls;
    deepsleep_ms = ms;
  }
  void reset() override {}
  uint32_t ticks_ms() override { return now; }
  void sleep_ms(uint32_t ms) override {
    now += ms;
    clock += ms;
  }
  bool rtc_clock_ms(uint64_t* ms) override {
    *ms = clock;
    return has_clock;
  }
  uint32_t chip_id() override { return 0x00c0ffee; }
  size_t rtc_memory_size() override { return sizeof rtc; }
  bool rtc_memory_read(size_t off, void* out, size_t len) override {
    if (off + len > sizeof rtc) return false;
    memcpy(out, rtc + off, len);
    return true;
  }
  bool rtc_memory_write(size_t off, const void* data, size_t len) override {
    if (off + len > sizeof rtc) return false;
    memcpy(rtc + off, data, len);
    return true;
  }
  uint16_t battery_mv() override { return 3000; }
  void log(StrRef line) override { lines.emplace_back(line.data, line.len); }

  std::string output() const {
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    return all;
  }
};

class FakeGpio : public Gpio {
 public:
  explicit FakeGpio(FakeMachine& m) : machine_(m) {}
  bool level[17] = {};
  bool grounded[17] = {};  // an external wire to GND (the debug jumper)
  bool pullup[17] = {};
  std::vector<PinEvent> writes;

  void mode(uint8_t pin, PinMode, Pull pull) override { pullup[pin] = pull == Pull::Up; }
  void write(uint8_t pin, bool high) override {
    level[pin] = high;
    writes.push_back({machine_.now, pin, high});
  }
  bool read(uint8_t pin) override {
    if (grounded[pin]) return false;
    return pullup[pin] ? true : level[pin];
  }

 private:
  FakeMachine& machine_;
};

// A station that reaches `outcome` after `connect_ms` of virtual time.
class FakeWlan : public Wlan {
 public:
  explicit FakeWlan(FakeMachine& m) : machine_(m) {}
  WlanStatus outcome = WlanStatus::GotIp;
  uint32_t connect_ms = 1200;
  bool is_active = true;
  bool connecting = false;
  uint32_t started = 0;
  int connect_calls = 0;
  std::string last_ssid, last_password;
  std::vector<ConnectHint> hints;  // one per connect()
  // The AP: a hint naming another BSSID or channel finds nothing.
  uint8_t ap_bssid[6] = {0x02, 0xbb, 0, 0, 0, 1};
  uint8_t ap_channel = 6;
  bool hinted_static = false;

  void active(bool on) override { is_active = on; }
  bool active() override { return is_active; }
  void connect(StrRef ssid, StrRef password, const ConnectHint* hint) override {
    ++connect_calls;
    hints.push_back(hint ? *hint : ConnectHint());
    hinted_static = hint && hint->has_static_ip;
    wrong_ap = hint && hint->has_bssid &&
               (memcmp(hint->bssid, ap_bssid, 6) != 0 || hint->channel != ap_channel);
    if (hint && hint->static_ip.ip == Ip4{{192, 168, 0, 99}}) wrong_ap = true;  // a taken IP
    last_ssid.assign(ssid.data, ssid.len);
    last_password.assign(password.data, password.len);
    connecting = true;
    started = machine_.now;
  }
  void disconnect() override { connecting = false; }
  WlanStatus status() override {
    if (!connecting) return WlanStatus::Idle;
    // A known BSSID and channel skip the scan; a static IP skips DHCP.
    const bool fast = !hints.empty() && hints.back().has_bssid;
    const uint32_t ms = connect_ms / (fast ? 4 : 1) / (hinted_static ? 2 : 1);
    if (machine_.now - started < ms) return WlanStatus::Connecting;
    if (wrong_ap) return WlanStatus::NoApFound;
    return outcome;
  }
  bool isconnected() override { return status() == WlanStatus::GotIp; }
  IfConfig ifconfig() override {
    IfConfig c;
    if (isconnected()) {
      if (hinted_static) return hints.back().static_ip;
      c.ip = {{192, 168, 0, 45}};
      c.netmask = {{255, 255, 255, 0}};
      c.gateway = {{192, 168, 0, 1}};
      c.dns = {{192, 168, 0, 1}};
    }
    return c;
  }
  size_t scan(ScanEntry*, size_t) override { return 0; }
  Err config(StrRef, StrRef) override { return Err::Ok; }
  bool bssid(uint8_t* out, uint8_t* channel) override {
    if (!isconnected()) return false;
    memcpy(out, ap_bssid, 6);
    *channel = ap_channel;
    return true;
  }

 private:
  FakeMachine& machine_;
  bool wrong_ap = false;
};

class FakeFiles : public Files {
 public:
  std::map<std::string, std::string> files;

  Err read(StrRef path, uint8_t* out, size_t cap, size_t* len) override {
    auto it = files.find(std::string(path.data, path.len));
    if (it == files.end()) return Err::NotFound;
    if (it->second.size() > cap) return Err::Overflow;
    memcpy(out, it->second.data(), it->second.size());
    *len = it->second.size();
    return Err::Ok;
  }
  Err write(StrRef path, const uint8_t* data, size_t len) override {
    files[std::string(path.data, path.len)] = std::string(reinterpret_cast<const char*>(data), len);
    return Err::Ok;
  }
  Err remove(StrRef path) override {
    return files.erase(std::string(path.data, path.len)) ? Err::Ok : Err::NotFound;
  }
  bool exists(StrRef path) override { return files.count(std::string(path.data, path.len)) != 0; }
  Err size(StrRef path, size_t* len) override {
    auto it = files.find(std::string(path.data, path.len));
    if (it == files.end()) return Err::NotFound;
    *len = it->second.size();
    return Err::Ok;
  }
};

// A network with one scripted server: every connection gets `reply` (or the
// connect error), and records what the client wrote.
class ScriptedNet : public Net {
 public:
  std::map<std::string, Ip4> dns;
  Err connect_error = Err::Ok;
  int connections_left = -1;  // >= 0: that many more connections, then ConnectFailed
  std::string reply;
  std::vector<std::string> requests;  // one per connection
  int open_streams = 0;
  // TLS, as a server with a session cache: a session offered that the
  // server knows is resumed, else a new one is handed out (IDs 1, 2, ...).
  struct TlsCall {
    std::string sni, ca_pem;
    uint8_t offered = 0;  // first byte of the session ID offered, 0 = none
    Err result = Err::Ok;
  };
  std::vector<TlsCall> tls_calls;
  bool tls_resumes = true;
  bool tls_fails = false;  // handshakes fail with Err::TlsFailed
  uint8_t next_session_id = 1;

  Err resolve(StrRef host, Ip4* out, uint32_t) override {
    std::string h(host.data, host.len);
    auto it = dns.find(h);
    if (it != dns.end()) {
      *out = it->second;
      return Err::Ok;
    }
    unsigned a, b, c, d;
    char tail;
    if (sscanf(h.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4) {
      *out = {{uint8_t(a), uint8_t(b), uint8_t(c), uint8_t(d)}};
      return Err::Ok;
    }
    return Err::DnsFailed;
  }
  Stream* connect(Ip4, uint16_t, uint32_t, const TlsOptions* tls, Err* err) override {
    if (tls && !handshake(*tls, err)) return nullptr;
    if (connections_left == 0) {
      *err = Err::ConnectFailed;
      return nullptr;
    }
    if (connections_left > 0) --connections_left;
    if (connect_error != Err::Ok) {
      *err = connect_error;
      return nullptr;
    }
    requests.emplace_back();
    stream_.net = this;
    stream_.pos = 0;
    ++open_streams;
    *err = Err::Ok;
    return &stream_;
  }
  Listener* listen(uint16_t, Err* err) override {
    *err = Err::Unsupported;
    return nullptr;
  }

 private:
  bool handshake(const TlsOptions& tls, Err* err) {
    TlsCall call;
    call.sni.assign(tls.sni.data, tls.sni.len);
    call.ca_pem.assign(tls.ca_pem.data, tls.ca_pem.len);
    if (tls.session && tls.session->id_len) call.offered = tls.session->id[0];
    call.result = tls_fails ? Err::TlsFailed : Err::Ok;
    tls_calls.push_back(call);
    *err = call.result;
    if (tls_fails) return false;
    if (tls.session) {
      TlsSession& ts = *tls.session;
      ts.resumed = call.offered && tls_resumes ? 1 : 0;
      if (!ts.resumed) {
        ts = TlsSession{};
        ts.id[0] = next_session_id++;
        ts.id_len = 32;
      }
    }
    return true;
  }
  struct OneStream : Stream {
    ScriptedNet* net = nullptr;
    size_t pos = 0;
    int32_t read(uint8_t* buf, size_t len, uint32_t) override {
      size_t n = net->reply.size() - pos;
      if (n > len) n = len;
      memcpy(buf, net->reply.data() + pos, n);
      pos += n;
      return static_cast<int32_t>(n);
    }
    Err write(const uint8_t* data, size_t len, uint32_t) override {
      net->requests.back().append(reinterpret_cast<const char*>(data), len);
      return Err::Ok;
    }
    void close() override { --net->open_streams; }
  } stream_;
};

// Everything together, as a port would assemble it.
struct FakeBoard {
  FakeMachine machine;
  FakeGpio gpio{machine};
  FakeWlan sta{machine};
  FakeWlan ap{machine};
  ScriptedNet net;
  FakeFiles files;
  Hal hal{gpio, sta, ap, machine, net, files};

  // Deep sleep for ms, then a wake with this cause: the RTC clock ran on,
  // ticks restart, the radio and the pins start over; RTC memory stays.
  void wake_after(uint64_t ms, ResetCause cause) {
    machine.clock += ms;
    machine.now = 0;
    machine.cause = cause;
    sta.disconnect();
    gpio.writes.clear();
  }
  // Power lost and back: RTC memory holds garbage, the clock restarts.
  void power_cycle(uint32_t seed = 1) {
    for (uint8_t& b : machine.rtc)
      b = static_cast<uint8_t>((seed = seed * 1103515245u + 12345u) >> 16);
    machine.clock = 0;
    wake_after(0, ResetCause::PowerOn);
  }
};

}  // namespace bh::testing
