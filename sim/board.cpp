#include "board.h"

#include <stdio.h>  // snprintf

#include <algorithm>  // std::sort

#include "crash_guard.h"
#include "faults.h"
#include "host_gpio.h"

namespace bh::sim {

namespace {

std::string nodemcu_name_or_gpio(uint8_t pin) {
  const char* d = host::nodemcu_name(pin);
  return d[0] ? std::string(d) : "GPIO" + std::to_string(pin);
}

std::string cause_text(ResetCause c) {
  return "reset cause " + std::to_string(static_cast<unsigned>(c)) + ": " + reset_cause_name(c);
}

// The default firmware: the button application.
class AppFirmware final : public Firmware {
 public:
  explicit AppFirmware(Hal& hal) : app(hal) {}
  BootOutcome run() override { return app.run(); }
  void loop() override { app.loop(); }
  App app;
};

}  // namespace

Board::Board(host::Env& env, std::filesystem::path files_dir, PowerModel power, Output& out)
    : env_(env), hal_(env, std::move(files_dir)), power_(std::move(power)), out_(out) {
  env_.observer = this;
  // The power is off: the chip's state so far (factory radio settings) is
  // not what anyone sees.
  hal_.halt();
  hook_ = env_.clock.add_hook([this](uint64_t, uint64_t) { flush(); });
  update_power();
  for (size_t i = 0; i < env_.world.faults.size(); ++i) announce(i);
}

Board::~Board() {
  if (release_timer_) env_.clock.cancel(release_timer_);
  for (const auto& [begin, end] : fault_timers_) {
    env_.clock.cancel(begin);
    env_.clock.cancel(end);
  }
  env_.clock.remove_hook(hook_);
  if (env_.observer == this) env_.observer = nullptr;
}

Board::State Board::state() const {
  switch (phase_) {
    case Phase::Off: return State::Off;
    case Phase::DeepSleep: return State::DeepSleep;
    default: return State::Awake;
  }
}

void Board::set_led_pins(std::vector<uint8_t> pins) {
  std::sort(pins.begin(), pins.end());
  pins.erase(std::unique(pins.begin(), pins.end()), pins.end());
  led_pins_ = std::move(pins);
}

// ---------------------------------------------------------------- events --

void Board::power_on(bool button_held) {
  if (phase_ != Phase::Off) {
    say(LineKind::Board, "* power on: the board is already powered (ignored)");
    return;
  }
  if (button_held) {
    say(LineKind::Board, "* power on with the button held: the chip starts when it is let go (" +
                             cause_text(ResetCause::ExternalReset) + ")");
    boot(ResetCause::ExternalReset);
    return;
  }
  say(LineKind::Board, "* power on (" + cause_text(ResetCause::PowerOn) + ")");
  boot(ResetCause::PowerOn);
}

void Board::press() {
  hold_button();
  switch (phase_) {
    case Phase::Off:
      say(LineKind::Board, "* RST pressed, but the board has no power (nothing happens)");
      return;
    case Phase::DeepSleep:
      say(LineKind::Board,
          "* RST pressed during deep sleep: wake (" + cause_text(ResetCause::DeepSleepWake) + ")");
      boot(ResetCause::DeepSleepWake);
      return;
    case Phase::Booting:
    case Phase::Awake:
      say(LineKind::Board,
          "* RST pressed while awake: reboot (" + cause_text(ResetCause::ExternalReset) + ")");
      end_wake("reset");
      boot(ResetCause::ExternalReset);
      return;
  }
}

void Board::hold_button() {
  // The button's second contact (World::press_sense_pin) reads low while it
  // is held, through the boot, so the firmware sees it at its first look.
  if (!env_.world.press_sense_pin) return;
  const uint8_t pin = *env_.world.press_sense_pin;
  hal_.gpio.drive(pin, false);
  if (release_timer_) env_.clock.cancel(release_timer_);
  release_timer_ = env_.clock.schedule_at_us(
      env_.clock.now_us() + uint64_t(env_.world.press_hold_ms) * 1000, [this, pin] {
        release_timer_ = 0;
        hal_.gpio.drive(pin, std::nullopt);
      });
}

void Board::jumper(bool on) {
  jumper_ = on;
  hal_.gpio.drive(jumper_pin_, on ? std::optional<bool>(false) : std::nullopt);
  say(LineKind::Board, on ? "* jumper on: " + pin_name(jumper_pin_) + " to GND"
                          : "* jumper off: " + pin_name(jumper_pin_) + " open");
}

void Board::power_off() {
  if (phase_ == Phase::Off) {
    say(LineKind::Board, "* power off: the board is already off (ignored)");
    return;
  }
  const bool was_awake = phase_ == Phase::Awake || phase_ == Phase::Booting;
  say(LineKind::Board, "* power off (RTC memory lost)");
  hal_.power_off();
  phase_ = Phase::Off;
  wake_at_us_.reset();
  update_power();
  if (was_awake) end_wake("power-off");
}

void Board::add_fault(const host::Fault& fault) {
  env_.world.faults.push_back(fault);
  announce(env_.world.faults.size() - 1);
}

void Board::clear_faults() {
  const uint64_t now_ms = env_.clock.now_ms();
  for (size_t i = 0; i < env_.world.faults.size(); ++i) {
    host::Fault& f = env_.world.faults[i];
    if (f.window.to_ms <= now_ms) continue;  // over already
    if (f.window.from_ms <= now_ms) {
      say(LineKind::Board, std::string("* fault ") + host::fault_name(f.kind) + " ends");
    }
    f.window.to_ms = f.window.from_ms <= now_ms ? now_ms : f.window.from_ms;
    if (i < fault_timers_.size()) {
      env_.clock.cancel(fault_timers_[i].first);
      env_.clock.cancel(fault_timers_[i].second);
    }
  }
}

void Board::announce(size_t index) {
  // Timers keep the lines at the fault's own instants; they look the fault
  // up by index because the world's vector may grow meanwhile.
  const host::Fault f = env_.world.faults[index];
  const uint64_t to_ms = f.window.to_ms;
  auto say_begin = [this, index] {
    const host::Fault& now = env_.world.faults[index];
    std::string text =
        std::string("* fault ") + host::fault_name(now.kind) + " begins: " + describe_fault(now);
    if (now.window.to_ms != UINT64_MAX) {
      text += " (until " + seconds_text(now.window.to_ms * 1000) + " s)";
    }
    say(LineKind::Warning, text);
  };
  host::Clock::TimerId begin = 0;
  if (f.window.from_ms * 1000 <= env_.clock.now_us()) {
    if (to_ms * 1000 > env_.clock.now_us()) say_begin();
  } else {
    begin = env_.clock.schedule_at_us(f.window.from_ms * 1000, say_begin);
  }
  host::Clock::TimerId end = 0;
  if (to_ms != UINT64_MAX && to_ms * 1000 > env_.clock.now_us()) {
    end = env_.clock.schedule_at_us(to_ms * 1000, [this, index] {
      say(LineKind::Board,
          std::string("* fault ") + host::fault_name(env_.world.faults[index].kind) + " ends");
    });
  }
  if (fault_timers_.size() <= index) fault_timers_.resize(index + 1);
  fault_timers_[index] = {begin, end};
}

void Board::advance_us(uint64_t us) {
  const uint64_t target = env_.clock.now_us() + us;
  while (env_.clock.now_us() < target) {
    if (phase_ == Phase::Awake) {
      {
        crash_guard::FirmwareScope guard;
        firmware_->loop();
      }
      if (auto restart = after_firmware(false, BootOutcome::StayAwake)) {
        boot(*restart);
        continue;
      }
      if (phase_ != Phase::Awake) continue;
      const uint64_t left = target - env_.clock.now_us();
      env_.clock.advance_us(left < kLoopStepUs ? left : kLoopStepUs);
    } else if (phase_ == Phase::DeepSleep && wake_at_us_ && *wake_at_us_ <= target) {
      env_.clock.advance_to_us(*wake_at_us_);
      wake_at_us_.reset();
      say(LineKind::Board,
          "* GPIO16->RST: timer wake (" + cause_text(ResetCause::DeepSleepWake) + ")");
      boot(ResetCause::DeepSleepWake);
    } else {
      env_.clock.advance_to_us(target);
    }
  }
  flush();
}

void Board::finish() {
  flush();
  timeline_.finish(env_.clock.now_us());
}

// ---------------------------------------------------------------- boots ---

namespace {
// Thrown by an armed press out of the firmware's run (through the HAL and
// the virtual clock) back to Board::boot.
struct ResetWhileAwake {};
}  // namespace

void Board::arm_press(uint64_t t_us, std::function<void()> on_press) {
  disarm();
  armed_press_ = env_.clock.schedule_at_us(t_us, [this, on_press = std::move(on_press)] {
    armed_press_ = 0;
    if (!in_boot_) return;
    armed_fired_ = true;
    on_press();
    throw ResetWhileAwake{};
  });
}

bool Board::disarm() {
  if (armed_press_) env_.clock.cancel(armed_press_);
  armed_press_ = 0;
  const bool fired = armed_fired_;
  armed_fired_ = false;
  return fired;
}

void Board::boot(ResetCause cause) {
  std::optional<ResetCause> next = cause;
  while (next) {
    const ResetCause c = *next;
    next.reset();
    ++boots_;
    wake_at_us_.reset();
    app_ = nullptr;
    firmware_.reset();
    hal_.reset(c);
    phase_ = Phase::Booting;
    timeline_.wake_begin(env_.clock.now_us(), reset_cause_name(c));
    update_power();
    BootOutcome outcome;
    try {
      in_boot_ = true;
      env_.clock.advance_us(env_.sample_us(env_.timing.boot));
      phase_ = Phase::Awake;
      update_power();
      if (factory_) {
        firmware_ = factory_(hal_.hal());
      } else {
        auto app = std::make_unique<AppFirmware>(hal_.hal());
        app_ = &app->app;
        firmware_ = std::move(app);
      }
      {
        crash_guard::FirmwareScope guard;
        outcome = firmware_->run();
      }
      in_boot_ = false;
    } catch (const ResetWhileAwake&) {
      in_boot_ = false;
      say(LineKind::Board,
          "* RST pressed while awake: reboot (" + cause_text(ResetCause::ExternalReset) + ")");
      hal_.halt();  // the request in flight is cut; RTC memory keeps what was written
      hold_button();
      end_wake("reset");
      next = ResetCause::ExternalReset;
      continue;
    }
    next = after_firmware(true, outcome);
  }
}

std::optional<ResetCause> Board::after_firmware(bool run_returned, BootOutcome outcome) {
  if (hal_.machine.reset_requested()) {
    say(LineKind::Board, "* soft restart (" + cause_text(ResetCause::SoftRestart) + ")");
    end_wake("reset");
    return ResetCause::SoftRestart;
  }
  if (auto ms = hal_.machine.deepsleep_request()) {
    enter_deep_sleep(*ms);
    return std::nullopt;
  }
  if (run_returned && outcome == BootOutcome::DeepSleep) {
    say(LineKind::Warning,
        "* App::run() returned DeepSleep without calling machine.deepsleep(): sleeping until RST");
    enter_deep_sleep(0);
  }
  return std::nullopt;
}

void Board::enter_deep_sleep(uint32_t ms) {
  hal_.halt();  // radio off, sockets gone, pins released (LEDs dark)
  phase_ = Phase::DeepSleep;
  update_power();
  const std::string duration = seconds_text(uint64_t(ms) * 1000);
  if (ms == 0) {
    say(LineKind::Board, "* deep sleep (until RST)");
  } else if (env_.world.gpio16_rst) {
    wake_at_us_ = env_.clock.now_us() + uint64_t(ms) * 1000;
    say(LineKind::Board, "* deep sleep for " + duration + " s (GPIO16->RST wakes the board)");
  } else {
    say(LineKind::Warning,
        "* deep sleep for " + duration +
            " s requested, but GPIO16 is not wired to RST: only RST wakes the board"
            " (world [board] gpio16_rst = true, or --gpio16-rst)");
  }
  end_wake("deep-sleep");
}

void Board::end_wake(const char* how) {
  flush();
  const Timeline::Wake& w = timeline_.wake_end(env_.clock.now_us(), how);
  char text[128];
  snprintf(text, sizeof text,
           "* awake %s s, charge %.1f mAs (%.1f \xc2\xb5"
           "Ah)",
           seconds_text(w.end_us - w.start_us).c_str(), w.charge_mas, w.charge_mas / 3.6);
  say(LineKind::Board, text);
}

// ---------------------------------------------------------------- power ---

PowerState Board::power_state() const {
  switch (phase_) {
    case Phase::Off: return PowerState::Off;
    case Phase::DeepSleep: return PowerState::DeepSleep;
    case Phase::Booting: return PowerState::Booting;
    case Phase::Awake: break;
  }
  switch (env_.radio.state()) {
    case host::RadioState::Off: return PowerState::IdleAwake;
    case host::RadioState::Listen: return PowerState::Listen;
    case host::RadioState::Scanning: return PowerState::Scanning;
    case host::RadioState::Associating: return PowerState::Associating;
    case host::RadioState::Dhcp: return PowerState::Dhcp;
    case host::RadioState::Connected: return PowerState::IdleAwake;
    case host::RadioState::Tx: return PowerState::Tx;
    case host::RadioState::Rx: return PowerState::Rx;
    case host::RadioState::Tls: return PowerState::TlsHandshake;
  }
  return PowerState::IdleAwake;
}

void Board::update_power() {
  const PowerState s = power_state();
  double ma = power_.current_ma(s);
  if (phase_ == Phase::Awake || phase_ == Phase::Booting) {
    for (const auto& [pin, lit] : led_lit_) ma += lit ? power_.led_ma : 0.0;
  }
  timeline_.set_state(env_.clock.now_us(), power_state_name(s), ma);
}

// ---------------------------------------------------------------- output --

void Board::on_serial(uint64_t t_us, std::string_view line) {
  if (tap_) tap_->on_serial(t_us, line);
  flush();
  const std::string text(line);
  out_.line(t_us, LineKind::Serial, text);
  timeline_.event(t_us, "serial", text);
}

void Board::on_pin(uint64_t t_us, uint8_t pin, bool output, bool level) {
  if (tap_) tap_->on_pin(t_us, pin, output, level);
  if (std::find(led_pins_.begin(), led_pins_.end(), pin) == led_pins_.end()) return;
  const bool lit = output && !level;  // active-low
  if (led_lit_[pin] == lit) return;
  led_lit_[pin] = lit;
  led_dirty_ = true;
  update_power();
}

void Board::on_radio(uint64_t t_us, host::RadioState state) {
  if (tap_) tap_->on_radio(t_us, state);
  update_power();
}

void Board::flush() {
  if (!led_dirty_) return;
  led_dirty_ = false;
  const uint64_t now = env_.clock.now_us();
  for (uint8_t pin : led_pins_) {
    const bool lit = led_lit_[pin];
    if (led_shown_[pin] == lit) continue;
    led_shown_[pin] = lit;
    const std::string text = "* " + led_name(pin) + (lit ? " on" : " off");
    out_.line(now, LineKind::Led, text);
    timeline_.event(now, "board", text);
    timeline_.led(now, nodemcu_name_or_gpio(pin), lit);
  }
}

void Board::say(LineKind kind, const std::string& text) {
  flush();
  out_.line(env_.clock.now_us(), kind, text);
  timeline_.event(env_.clock.now_us(), "board", text);
}

std::string Board::pin_name(uint8_t pin) const {
  const char* d = host::nodemcu_name(pin);
  return "GPIO" + std::to_string(pin) + (d[0] ? " (" + std::string(d) + ")" : "");
}

std::string Board::led_name(uint8_t pin) const {
  const char* d = host::nodemcu_name(pin);
  return d[0] ? "LED " + std::string(d) + " (GPIO" + std::to_string(pin) + ")"
              : "LED GPIO" + std::to_string(pin);
}

}  // namespace bh::sim
