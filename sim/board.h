// The virtual board: an ESP8266 on a NodeMCU-style board, the firmware core
// running on the host HAL, and what a person can do to it — power it, press
// RST, put the debug jumper on, wait.
//
//   power-on            boot with reset cause 0
//   press (deep sleep)  wake with reset cause 5, as a timer wake would (with
//                       World::press_sense_pin, that pin reads low meanwhile)
//   press (awake)       reboot with reset cause 6
//   power-off           everything stops; RTC memory is lost
//   GPIO16->RST wire    (World::gpio16_rst) deepsleep(ms > 0) wakes after ms,
//                       cause 5; without the wire only RST wakes the board
//
// Each boot builds a fresh bh::App over the HAL and calls run(). DeepSleep
// (machine.deepsleep() called) halts the board; StayAwake (debug jumper)
// keeps it running: App::loop() is called every 10 ms of virtual time while
// time passes.
//
// Output goes to an Output, one line per event, every line with its virtual
// time: firmware serial lines verbatim, board events prefixed "* ". LED
// changes are reported when time moves on or another line is printed, so a
// change that lasts no time (an LED pin made an output and set high at the
// same instant) is not shown. A Timeline records states, currents, LEDs and
// wakes.
#pragma once

#include <stdint.h>  // fixed-width integers

#include <filesystem>  // files dir
#include <functional>  // FirmwareFactory
#include <map>         // LED states
#include <memory>      // std::unique_ptr
#include <optional>    // timer wake
#include <string>      // lines
#include <vector>      // LED pins

#include "app.h"
#include "env.h"
#include "host_hal.h"
#include "models.h"
#include "timeline.h"

namespace bh::sim {

enum class LineKind : uint8_t {
  Serial,   // the firmware's serial output, verbatim
  Board,    // "* ..." power, resets, sleep, jumper, charge
  Led,      // "* LED D4 (GPIO2) on"
  Warning,  // "* ..." something the user should know (e.g. no GPIO16 wire)
};

class Output {
 public:
  virtual ~Output() = default;
  virtual void line(uint64_t t_us, LineKind kind, const std::string& text) = 0;
};

// What runs on the board. The default is bh::App; tests and benches may
// run other firmware (a timed deep sleep, a crash, an RTC counter).
class Firmware {
 public:
  virtual ~Firmware() = default;
  virtual BootOutcome run() = 0;
  virtual void loop() = 0;
};
using FirmwareFactory = std::function<std::unique_ptr<Firmware>(Hal& hal)>;

class Board final : public host::HostObserver {
 public:
  enum class State : uint8_t { Off, Awake, DeepSleep };
  static constexpr uint64_t kLoopStepUs = 10000;

  Board(host::Env& env, std::filesystem::path files_dir, PowerModel power, Output& out);
  ~Board() override;
  Board(const Board&) = delete;
  Board& operator=(const Board&) = delete;

  // ---- what a person does ----
  // button_held: RST is held while the power comes up, so the chip starts
  // when it is let go, with reset cause 6 and RTC memory lost.
  void power_on(bool button_held = false);
  void press();
  void jumper(bool on);
  void power_off();
  // A world fault (its window in virtual time); "* fault ... begins/ends"
  // lines mark it. Faults already in the world when the board was built are
  // announced the same way.
  void add_fault(const host::Fault& fault);
  // Every fault active now ends now; later ones are dropped.
  void clear_faults();
  // Virtual time passes: an awake board runs loop(), a timer wake fires.
  void advance_us(uint64_t us);
  // Prints what is pending for this instant (LED changes).
  void flush();
  // The run ends here: pending output out, the timeline closed.
  void finish();

  // ---- wiring ----
  // The pin the debug jumper ties to GND (the config's DEBUG_PIN).
  void set_jumper_pin(uint8_t pin) { jumper_pin_ = pin; }
  // Active-low LEDs to report (the board's GPIO2 and GPIO16 by default).
  void set_led_pins(std::vector<uint8_t> pins);
  // Other firmware than bh::App, from the next boot on.
  void set_firmware(FirmwareFactory factory) { factory_ = std::move(factory); }
  // Sees every raw HAL event too (tests, benches).
  void set_tap(host::HostObserver* tap) { tap_ = tap; }

  // A press of RST at t_us that, if it comes while the firmware runs,
  // interrupts it there (RST while awake: the board reboots with cause 6;
  // what the firmware had written to RTC memory stays, a request in flight
  // is cut). on_press runs first. One at a time; disarm() cancels it and
  // says whether it fired. A press at an instant the firmware is not
  // running does nothing here (its owner then presses as usual).
  void arm_press(uint64_t t_us, std::function<void()> on_press);
  bool disarm();

  State state() const;
  bool jumper_on() const { return jumper_; }
  uint8_t jumper_pin() const { return jumper_pin_; }
  host::HostHal& hal() { return hal_; }
  host::Env& env() { return env_; }
  Timeline& timeline() { return timeline_; }
  // The bh::App of the latest boot (nullptr before the first, or when other
  // firmware runs).
  const App* app() const { return app_; }
  int boots() const { return boots_; }
  std::optional<uint64_t> timer_wake_us() const { return wake_at_us_; }

  // HostObserver
  void on_serial(uint64_t t_us, std::string_view line) override;
  void on_pin(uint64_t t_us, uint8_t pin, bool output, bool level) override;
  void on_radio(uint64_t t_us, host::RadioState state) override;
  void on_stream(uint64_t t_us, const void* stream, bool sent, std::string_view bytes) override {
    if (tap_) tap_->on_stream(t_us, stream, sent, bytes);
  }

 private:
  enum class Phase : uint8_t { Off, Booting, Awake, DeepSleep };
  void boot(ResetCause cause);
  // After run()/loop() returned: acts on deepsleep()/reset(). Returns the
  // cause of a soft restart to boot with, if one was asked for.
  std::optional<ResetCause> after_firmware(bool run_returned, BootOutcome outcome);
  void enter_deep_sleep(uint32_t ms);
  void end_wake(const char* how);
  PowerState power_state() const;
  void update_power();
  void say(LineKind kind, const std::string& text);
  void announce(size_t fault_index);
  void hold_button();
  std::string led_name(uint8_t pin) const;
  std::string pin_name(uint8_t pin) const;

  host::Env& env_;
  host::HostHal hal_;
  PowerModel power_;
  Output& out_;
  Timeline timeline_;
  FirmwareFactory factory_;
  std::unique_ptr<Firmware> firmware_;
  App* app_ = nullptr;
  Phase phase_ = Phase::Off;
  std::optional<uint64_t> wake_at_us_;
  uint8_t jumper_pin_ = 14;
  bool jumper_ = false;
  std::vector<uint8_t> led_pins_ = {2, 16};
  std::map<uint8_t, bool> led_lit_;
  std::map<uint8_t, bool> led_shown_;
  bool led_dirty_ = false;
  int hook_ = 0;
  int boots_ = 0;
  host::HostObserver* tap_ = nullptr;
  host::Clock::TimerId release_timer_ = 0;  // the button's sense contact opens
  host::Clock::TimerId armed_press_ = 0;    // arm_press()
  bool armed_fired_ = false;
  bool in_boot_ = false;  // boot() runs the boot delay or the firmware
  // The announcement timers of each world fault (begin, end), by index.
  std::vector<std::pair<host::Clock::TimerId, host::Clock::TimerId>> fault_timers_;
};

}  // namespace bh::sim
