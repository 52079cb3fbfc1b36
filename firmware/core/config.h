// config.py: the tutorial's configuration file, read as written there.
//
//   WIFI_SSID = 'your SSID'
//   WIFI_PASSWORD = 'your Wi-Fi password'
//   WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/...'
//   BUTTON_ID = 'micropython1'
//   LED_PIN = 2 # D4
//   LED2_PIN = 16 # D0
//   DEBUG_PIN = 14 # D5
//
// Syntax: one `NAME = value` per line; value is a Python string literal
// ('...' or "...", with \\ \' \" \n \r \t \0 \xHH escapes), an integer
// (decimal, 0x hex, optional sign), True/False, or None; `#` starts a comment
// outside strings; blank lines are fine. Anything else is an error with its
// line and column. Unknown names are kept out of the config and reported as
// warnings (Python would ignore them too).
//
// Keys (required unless a default is given):
//   WIFI_SSID      text, 1..32 bytes
//   WIFI_PASSWORD  text, 0 (open network) or 8..64 bytes; never printed
//   WEBHOOK_URL    http:// or https:// URL
//   BUTTON_ID      text, sent as value1
//   LED_PIN        default 2  (D4, the on-board LED, active-low)
//   LED2_PIN       default 16 (D0, the second on-board LED, active-low)
//   DEBUG_PIN      default 14 (D5, jumper to GND = stay awake); not a
//                  boot-mode pin (0, 2, 15: refused, as for PRESS_SENSE_PIN)
//   WIFI_TIMEOUT   seconds to wait for Wi-Fi, default 15 (the tutorial waits forever)
//   HTTP_TIMEOUT   seconds for connect and for each read, default 10
//
// Keys for "no press is ever lost" (see README.md), all optional:
//   TIMED_WAKE       True if GPIO16 is wired to RST: a failed delivery then
//                    sleeps with a timer and retries (30 s, 2 min, 10 min,
//                    then hourly). Default False: the retry waits for the
//                    next press. GPIO16 is then RST: refused with LED_PIN or
//                    LED2_PIN on 16 (lit = low = reset; LED2_PIN's default
//                    is 16, so set it), PRESS_SENSE_PIN = 16 or DEBUG_PIN = 16.
//   PRESS_SENSE_PIN  GPIO that reads low while the button is (still) down at
//                    boot, to tell a press from the retry timer for sure;
//                    None (default) = not wired. Use 4, 5, 12 or 13, not an
//                    LED's pin (the patterns would drive the button's wire);
//                    never DEBUG_PIN's (refused: a press would read as the
//                    jumper).
//                    Without it, TIMED_WAKE logs a note at power-on: a press
//                    during a retry sleep may be taken for the timer.
//   MAX_ATTEMPTS     delivery rounds before a press is given up, 1..255,
//                    default 8
//   MAX_AGE          seconds before a queued press is given up, default
//                    86400 (a day; at most 30 days)
//   REUSE_LEASE      True (default): a fast connect reuses the last DHCP
//                    lease (no DHCP, ~1.1 s less per press); False asks the
//                    router for a lease every time
//
// Keys for https:// webhooks (one of the three is needed):
//   TLS_CA           file on the board holding the server's CA certificate
//                    (PEM), e.g. 'ca.pem' (upload it beside config.py)
//   TLS_FINGERPRINT  SHA-1 of the server's certificate, 40 hex digits
//                    ('AB:CD:..' or 'ABCD..'); breaks when it is renewed
//   TLS_INSECURE     True: no certificate check at all (testing only)
//   The TLS session is kept in RTC memory and resumed on the next press
//   (0.39 s of handshake instead of 2.04 s on the ESP8266).
//
//   STATIC_IP        'a.b.c.d': no DHCP (faster); needs GATEWAY
//   NETMASK          default '255.255.255.0'
//   GATEWAY          the router's address
//   DNS              default: GATEWAY
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // int32_t

#include "hal.h"  // IfConfig
#include "sizes.h"
#include "text.h"

namespace bh {

constexpr uint8_t kNoPin = 0xFF;  // PRESS_SENSE_PIN = None

struct Config {
  Str<sizes::kSsidMax> wifi_ssid;
  Str<sizes::kWifiPasswordMax> wifi_password;
  Str<sizes::kUrlMax> webhook_url;
  Str<sizes::kButtonIdMax> button_id;
  uint8_t led_pin = 2;
  uint8_t led2_pin = 16;
  uint8_t debug_pin = 14;
  uint32_t wifi_timeout_s = 15;
  uint32_t http_timeout_s = 10;
  bool timed_wake = false;
  uint8_t press_sense_pin = kNoPin;
  uint8_t max_attempts = 8;
  uint32_t max_age_s = 86400;
  bool reuse_lease = true;
  Str<sizes::kTlsCaPathMax> tls_ca;
  Str<sizes::kTlsFingerprintMax> tls_fingerprint;
  bool tls_insecure = false;
  bool has_static_ip = false;
  IfConfig static_ip;
};

struct ConfigError {
  bool ok = true;
  uint16_t line = 0;    // 1-based; 0 = not tied to a line (e.g. a missing key)
  uint16_t column = 0;  // 1-based; 0 = whole line
  Str<sizes::kConfigErrorMax> message;  // e.g. "config.py:3:15: unterminated string"
  explicit operator bool() const { return !ok; }  // true when there is an error
};

// Called once per unknown key so the port can log it. May be null.
typedef void (*ConfigWarn)(void* ctx, uint16_t line, StrRef key);

// Parses text into cfg. Defaults are applied first, so optional keys keep
// them. Returns false and fills err on the first error.
bool parse_config(StrRef text, Config* cfg, ConfigError* err, ConfigWarn warn = nullptr,
                  void* warn_ctx = nullptr);

// Writes the config for the log, one `NAME = value` per line, with the Wi-Fi
// password shown as '********' (or '' when empty).
void describe_config(const Config& cfg, void (*line)(void* ctx, StrRef text), void* ctx);

}  // namespace bh
