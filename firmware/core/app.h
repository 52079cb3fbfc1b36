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
#pragma once

#include <stdint.h>  // uint32_t

#include "config.h"
#include "http_client.h"
#include "hal.h"
#include "result.h"

namespace bh {

enum class BootOutcome : uint8_t {
  DeepSleep,  // machine.deepsleep() was called: the port powers down
  StayAwake,  // debug jumper: the port keeps calling App::loop()
};

// Stable words for the log, tests and the timeline.
enum class PressResult : uint8_t { None, Delivered, Failed };

class App {
 public:
  explicit App(Hal& hal) : hal_(hal), http_(hal.net, hal.machine) {}

  // One boot, from reset to deep sleep (or to debug mode). On the real board
  // deepsleep() never returns; on the host run() returns DeepSleep after it.
  BootOutcome run();
  // Called repeatedly while awake in debug mode (the console lives here later).
  void loop() {}

  // What the last run() did, for tests and the virtual board.
  PressResult last_press() const { return last_press_; }
  Err last_error() const { return last_error_; }
  int last_status() const { return last_status_; }
  const Config& config() const { return config_; }

  // The tutorial's functions, public so a console can call them one by one.
  bool load_config();
  Err connect_wifi();
  Err call_webhook();
  void show_error();
  bool is_debug();

 private:
  void log(StrRef line) { hal_.machine.log(line); }
  void logf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  void report(Err e);

  Hal& hal_;
  Config config_;
  bool config_ok_ = false;
  PressResult last_press_ = PressResult::None;
  Err last_error_ = Err::Ok;
  int last_status_ = 0;
  Str<sizes::kLogLineMax> detail_;  // context for the last error, for report()
  // Large buffers live in the App object (which the port places in static
  // RAM), not on the stack: the ESP8266's Arduino loop stack is 4 KB.
  uint8_t config_text_[sizes::kConfigFileMax];
  HttpClient http_;
  HttpResult http_result_;
};

}  // namespace bh
