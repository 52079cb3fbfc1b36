// The hardware abstraction: everything the core knows of the world.
//
// Names follow MicroPython's API that the tutorial uses (machine.Pin,
// network.WLAN, machine.reset_cause, machine.deepsleep, ...), so a reader of
// the tutorial finds the same words here. Each port (firmware/esp8266,
// firmware/host) implements these interfaces; no SDK, lwIP or POSIX type
// appears in this header.
//
// Interfaces have protected non-virtual destructors: the core never deletes
// through them, and a virtual destructor would pull operator delete into a
// freestanding build.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // fixed-width integers

#include "result.h"
#include "sizes.h"
#include "text.h"

namespace bh {

// ---------------------------------------------------------------- Pins ----

enum class PinMode : uint8_t { In, Out, OpenDrain };
enum class Pull : uint8_t { None, Up };

// The board's GPIO bank. Levels are electrical: true = high (3.3 V).
class Gpio {
 public:
  virtual void mode(uint8_t pin, PinMode mode, Pull pull) = 0;
  virtual void write(uint8_t pin, bool high) = 0;
  virtual bool read(uint8_t pin) = 0;

 protected:
  ~Gpio() = default;
};

// machine.Pin: a value that names one pin of a Gpio bank.
class Pin {
 public:
  Pin(Gpio& gpio, uint8_t id, PinMode mode, Pull pull = Pull::None) : gpio_(&gpio), id_(id) {
    gpio.mode(id, mode, pull);
  }
  void on() { gpio_->write(id_, true); }
  void off() { gpio_->write(id_, false); }
  void value(bool high) { gpio_->write(id_, high); }
  bool value() const { return gpio_->read(id_); }
  uint8_t id() const { return id_; }

 private:
  Gpio* gpio_;
  uint8_t id_;
};

// ---------------------------------------------------------------- Wi-Fi ---

struct Ip4 {
  uint8_t b[4] = {0, 0, 0, 0};
  bool is_zero() const { return (b[0] | b[1] | b[2] | b[3]) == 0; }
  bool operator==(const Ip4& o) const {
    return b[0] == o.b[0] && b[1] == o.b[1] && b[2] == o.b[2] && b[3] == o.b[3];
  }
};

// ifconfig(): (ip, netmask, gateway, dns), as MicroPython returns it.
struct IfConfig {
  Ip4 ip, netmask, gateway, dns;
};

// network.AUTH_* values as MicroPython on ESP8266 reports them.
enum class AuthMode : uint8_t { Open = 0, Wep = 1, WpaPsk = 2, Wpa2Psk = 3, WpaWpa2Psk = 4 };

// One scan() tuple: (ssid, bssid, channel, RSSI, authmode, hidden).
struct ScanEntry {
  Str<sizes::kSsidMax> ssid;
  uint8_t bssid[6] = {0, 0, 0, 0, 0, 0};
  uint8_t channel = 0;
  int8_t rssi = 0;
  AuthMode auth = AuthMode::Open;
  bool hidden = false;
};

// network.STAT_* values as MicroPython on ESP8266 reports them.
enum class WlanStatus : uint8_t {
  Idle = 0,
  Connecting = 1,
  WrongPassword = 2,
  NoApFound = 3,
  ConnectFail = 4,
  GotIp = 5,
};

// What a caller may know in advance to skip the scan and DHCP (fast connect).
struct ConnectHint {
  bool has_bssid = false;
  uint8_t bssid[6] = {0, 0, 0, 0, 0, 0};
  uint8_t channel = 0;        // 0 = unknown, scan all channels
  bool has_static_ip = false;
  IfConfig static_ip;         // used as is, no DHCP
};

// network.WLAN(STA_IF) and network.WLAN(AP_IF) share this interface; the
// station ignores config(), the access point ignores connect() and scan().
class Wlan {
 public:
  virtual void active(bool on) = 0;
  virtual bool active() = 0;
  // Starts connecting and returns at once, as MicroPython's connect() does;
  // poll status()/isconnected() while calling Machine::sleep_ms().
  virtual void connect(StrRef ssid, StrRef password, const ConnectHint* hint) = 0;
  virtual void disconnect() = 0;
  virtual WlanStatus status() = 0;
  virtual bool isconnected() = 0;
  virtual IfConfig ifconfig() = 0;
  // Fills out[0..max) and returns how many access points were seen.
  virtual size_t scan(ScanEntry* out, size_t max) = 0;
  // Access point settings (essid, password); the station ignores them.
  virtual Err config(StrRef essid, StrRef password) = 0;
  // BSSID and channel of the current association (station only).
  virtual bool bssid(uint8_t out[6], uint8_t* channel) = 0;

 protected:
  ~Wlan() = default;
};

// ---------------------------------------------------------------- Machine -

// machine.reset_cause() codes as the ESP8266 reports them (rst_info.reason).
enum class ResetCause : uint8_t {
  PowerOn = 0,
  Watchdog = 1,
  Exception = 2,
  SoftWatchdog = 3,
  SoftRestart = 4,
  DeepSleepWake = 5,  // timer wake AND a press of RST during deep sleep
  ExternalReset = 6,  // RST pressed while awake
};
const char* reset_cause_name(ResetCause c);

class Machine {
 public:
  virtual ResetCause reset_cause() = 0;
  // Enters deep sleep. ms = 0 sleeps until RST; otherwise the RTC wakes the
  // board through the GPIO16->RST wire (if wired). On the real board this
  // never returns; on the host it returns and the caller must return too.
  virtual void deepsleep(uint32_t ms) = 0;
  virtual void reset() = 0;  // soft restart; same return rule as deepsleep
  virtual uint32_t ticks_ms() = 0;
  virtual void sleep_ms(uint32_t ms) = 0;
  // A millisecond clock that keeps running through deep sleep and across
  // resets (it may restart at power-on), for telling a timer wake from a
  // press. Returns false if the board has none: the ESP8266's RTC counter
  // (system_get_rtc_time) restarts at every reset, a deep-sleep wake
  // included, so it cannot serve. The host's virtual clock can.
  virtual bool rtc_clock_ms(uint64_t* ms) = 0;
  virtual uint32_t chip_id() = 0;  // the low 24 bits name the board
  // RTC user memory: survives deep sleep, lost on power-off. 512 bytes on the
  // ESP8266; offsets in bytes, multiples of 4.
  virtual size_t rtc_memory_size() = 0;
  virtual bool rtc_memory_read(size_t offset, void* out, size_t len) = 0;
  virtual bool rtc_memory_write(size_t offset, const void* data, size_t len) = 0;
  virtual uint16_t battery_mv() = 0;  // 0 if not measured
  // The serial console: one line, without the newline.
  virtual void log(StrRef line) = 0;

 protected:
  ~Machine() = default;
};

// ---------------------------------------------------------------- Net -----

// A connected TCP (or TLS) byte stream, owned by the Net that made it.
class Stream {
 public:
  // > 0: bytes read; 0: orderly close by the peer; < 0: -(int)Err.
  virtual int32_t read(uint8_t* buf, size_t len, uint32_t timeout_ms) = 0;
  // Writes all of data or fails: returns Err::Ok, Timeout, IoError, ...
  virtual Err write(const uint8_t* data, size_t len, uint32_t timeout_ms) = 0;
  virtual void close() = 0;  // returns the stream to its Net; do not use after

 protected:
  ~Stream() = default;
};

// A TLS session to resume (TLS 1.2 session ID: the abbreviated handshake,
// no public-key work). The fields are BearSSL's br_ssl_session_parameters,
// which both ports use. The core keeps it in RTC memory (rtc_layout.h); the
// port offers it on connect and writes back the session the handshake ended
// with (the same one when the server resumed it, else a fresh one).
struct TlsSession {
  uint8_t id[32];
  uint8_t id_len;    // 0 = no session: full handshake
  uint8_t resumed;   // set by the port: the last handshake resumed `id`
  uint16_t version;  // e.g. 0x0303 (TLS 1.2)
  uint16_t cipher_suite;
  uint16_t pad;
  uint8_t master_secret[48];
};

struct TlsOptions {
  StrRef sni;               // host name for SNI and certificate checks
  StrRef ca_pem;            // trust anchor (PEM), or empty
  StrRef fingerprint_sha1;  // hex, or empty
  bool insecure = false;    // INSECURE_SKIP_TLS_VERIFY: no checks at all
  TlsSession* session = nullptr;  // in: to resume (id_len > 0); out: after the handshake
};

class Listener {
 public:
  // Waits up to timeout_ms for a client; nullptr on timeout (err = Timeout).
  virtual Stream* accept(uint32_t timeout_ms, Err* err) = 0;
  virtual void close() = 0;

 protected:
  ~Listener() = default;
};

class Net {
 public:
  virtual Err resolve(StrRef host, Ip4* out, uint32_t timeout_ms) = 0;
  // tls == nullptr: plain TCP. On failure returns nullptr and sets *err.
  virtual Stream* connect(Ip4 ip, uint16_t port, uint32_t timeout_ms, const TlsOptions* tls,
                          Err* err) = 0;
  virtual Listener* listen(uint16_t port, Err* err) = 0;

 protected:
  ~Net() = default;
};

// ---------------------------------------------------------------- Files ---

class Files {
 public:
  // Reads a whole file into out (up to cap bytes). Overflow if larger.
  virtual Err read(StrRef path, uint8_t* out, size_t cap, size_t* len) = 0;
  virtual Err write(StrRef path, const uint8_t* data, size_t len) = 0;
  virtual Err remove(StrRef path) = 0;
  virtual bool exists(StrRef path) = 0;
  // Size of a file, or Err::NotFound.
  virtual Err size(StrRef path, size_t* len) = 0;

 protected:
  ~Files() = default;
};

// ---------------------------------------------------------------- Board ---

// Everything a port hands the core.
struct Hal {
  Gpio& gpio;
  Wlan& sta;  // network.WLAN(network.STA_IF)
  Wlan& ap;   // network.WLAN(network.AP_IF)
  Machine& machine;
  Net& net;
  Files& files;
};

}  // namespace bh
