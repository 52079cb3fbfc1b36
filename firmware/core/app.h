// The button application: the tutorial's main.py, done better.
//
//   def run():
//       try:
//           if machine.reset_cause() == machine.DEEPSLEEP_RESET:
//               connect_wifi()
//               call_webhook()
//       except Exception as exc:
//           sys.print_exception(exc)
//           show_error()
//       if not is_debug():
//           machine.deepsleep()
//
// Differences from the tutorial, each on purpose:
// - connect_wifi() gives up after WIFI_TIMEOUT and reports why (wrong
//   password, no AP) instead of looping forever on a flat battery.
// - A press while awake (reset cause 6, RST pressed in debug mode) counts as
//   a press too: the user pressed the button and expects the webhook.
// - Errors are printed with what to do next; the Wi-Fi password never is.
// - No press is lost to a failed delivery (README.md, "No press is ever
//   lost"): each press is queued in RTC memory first, carries a sequence
//   number, and is delivered, oldest first, with
//   `Idempotency-Key: <BUTTON_ID>-<boot>-<seq>` so that a retry of a press
//   the server did get is recognised. A failed round keeps the queue and
//   retries at the next press, or after a timed sleep (TIMED_WAKE), until
//   MAX_ATTEMPTS / MAX_AGE; a press given up on is reported as
//   value3 = "dropped=N" with the next press delivered.
// - Wi-Fi connects fast from the BSSID, channel and lease of the last
//   connection (kept in RTC memory), and falls back to a full connect.
//
// The boot counter (`boot`) counts cold starts: each boot that finds RTC
// memory invalid (power-up garbage) adds one, in the flash file /boots. seq
// restarts at 1 with it, so (boot, seq) never repeats while flash lasts.
#pragma once

#include <stdint.h>  // uint32_t

#include "config.h"
#include "console/remote.h"
#include "hal.h"
#include "http_client.h"
#include "led_pattern.h"
#include "press_log.h"
#include "result.h"
#include "rtc_layout.h"

namespace bh {

enum class BootOutcome : uint8_t {
  DeepSleep,  // machine.deepsleep() was called: the port powers down
  StayAwake,  // debug jumper: the port keeps calling App::loop()
};

// What the last run() did with the queued presses: None (nothing queued),
// Delivered (the queue is empty now), Failed (a round failed, or no config:
// presses stay queued or were given up).
enum class PressResult : uint8_t { None, Delivered, Failed };

class App {
 public:
  explicit App(Hal& hal) : hal_(hal), http_(hal.net, hal.machine), remote_(hal, *this) {}

  // One boot, from reset to deep sleep (or to debug mode). On the real board
  // deepsleep() never returns; on the host run() returns DeepSleep after it.
  BootOutcome run();
  // Called repeatedly while awake (debug jumper, setup portal): serves the
  // console or the portal; enters deep sleep when they say so.
  void loop();
  Remote& remote() { return remote_; }

  // What the last run() did, for tests and the virtual board.
  PressResult last_press() const { return last_press_; }
  Err last_error() const { return last_error_; }
  int last_status() const { return last_status_; }
  const Config& config() const { return config_; }
  Wake wake() const { return wake_; }
  const PressLog& press_log() const { return log_; }
  uint32_t retry_ms() const { return log_.sleep_ms; }  // the timed sleep entered, 0 = none

  // The tutorial's functions, public so a console can call them one by one.
  bool load_config();
  Err connect_wifi();
  // A press made from the console: queued and delivered like a button's.
  Err call_webhook();
  void show_error() { show(Blink::Failed); }
  void show(Blink pattern);
  bool is_debug();

 private:
  void log(StrRef line) {
    hal_.machine.log(line);
    remote_.record(line);  // kept for the console's `log`
  }
  void logf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  void report(Err e);
  // Loads the press queue from RTC memory; false if it was lost (a cold start).
  bool open_log(ResetCause cause);
  uint32_t count_boot();
  void save_log();
  uint64_t board_ms() { return board_base_ms_ + hal_.machine.ticks_ms(); }
  uint32_t board_s() { return static_cast<uint32_t>(board_ms() / 1000u); }
  void queue_press();
  bool deliver();
  Err post(const PressRecord& press);
  bool drop_expired();
  Err join(const ConnectHint& hint, uint32_t limit_ms);
  Err prepare_tls();
  void forget_wifi();
  bool start_portal();

  Hal& hal_;
  Config config_;
  bool config_ok_ = false;
  PressResult last_press_ = PressResult::None;
  Err last_error_ = Err::Ok;
  int last_status_ = 0;
  Wake wake_ = Wake::NotPress;
  bool refused_ = false;            // the server refused a press as malformed (4xx)
  bool fast_connected_ = false;     // this round joined through the Wi-Fi cache
  uint64_t board_base_ms_ = 0;      // board time at ticks_ms() == 0
  Str<sizes::kLogLineMax> detail_;  // context for the last error, for report()
  // Large buffers live in the App object (which the port places in static
  // RAM), not on the stack: the ESP8266's Arduino loop stack is 4 KB.
  PressLog log_;
  WifiCache wifi_;
  TlsCache tls_ = TlsCache{};  // the session with the webhook's server (https:// only)
  uint8_t config_text_[sizes::kConfigFileMax];
  HttpClient http_;
  HttpResult http_result_;
  Remote remote_;  // the console (debug jumper) and the setup portal
};

}  // namespace bh
