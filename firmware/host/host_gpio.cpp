#include "host_gpio.h"

namespace bh::host {

namespace {
// Outputs (push-pull and open-drain) drive the pin from the latch.
bool drives(PinMode m) {
  return m == PinMode::Out || m == PinMode::OpenDrain;
}
}  // namespace

void HostGpio::mode(uint8_t pin, PinMode mode, Pull pull) {
  if (!valid(pin)) return;
  PinState& p = pins_[pin];
  const bool was_output = drives(p.mode);
  const bool was_level = p.latch;
  p.mode = mode;
  p.pull = pull;
  notify_if_changed(pin, was_output, was_level);
}

void HostGpio::write(uint8_t pin, bool high) {
  if (!valid(pin)) return;
  PinState& p = pins_[pin];
  const bool was_output = drives(p.mode);
  const bool was_level = p.latch;
  p.latch = high;
  notify_if_changed(pin, was_output, was_level);
}

bool HostGpio::read(uint8_t pin) {
  if (!valid(pin)) return false;
  const PinState& p = pins_[pin];
  if (p.mode == PinMode::Out) return p.latch;
  // Open drain: a latch of 0 pulls the line low; 1 releases it.
  if (p.mode == PinMode::OpenDrain && !p.latch) return false;
  if (p.external) return *p.external;
  return p.pull == Pull::Up;
}

void HostGpio::drive(uint8_t pin, std::optional<bool> level) {
  if (valid(pin)) pins_[pin].external = level;
}

std::optional<bool> HostGpio::driven(uint8_t pin) const {
  return valid(pin) ? pins_[pin].external : std::nullopt;
}

bool HostGpio::is_output(uint8_t pin) const {
  return valid(pin) && drives(pins_[pin].mode);
}

bool HostGpio::latch(uint8_t pin) const {
  return valid(pin) && pins_[pin].latch;
}

void HostGpio::reset() {
  for (uint8_t pin = 0; pin < kPins; ++pin) {
    PinState& p = pins_[pin];
    const bool was_output = drives(p.mode);
    const bool was_level = p.latch;
    p.mode = PinMode::In;
    p.pull = Pull::None;
    p.latch = false;
    notify_if_changed(pin, was_output, was_level);
  }
}

void HostGpio::notify_if_changed(uint8_t pin, bool was_output, bool was_level) {
  const PinState& p = pins_[pin];
  const bool output = drives(p.mode);
  // An input's latch is invisible; only what the pin drives counts.
  if (output == was_output && (!output || p.latch == was_level)) return;
  if (env_.observer) env_.observer->on_pin(env_.clock.now_us(), pin, output, p.latch);
}

const char* nodemcu_name(uint8_t gpio) {
  switch (gpio) {
    case 16: return "D0";
    case 5: return "D1";
    case 4: return "D2";
    case 0: return "D3";
    case 2: return "D4";
    case 14: return "D5";
    case 12: return "D6";
    case 13: return "D7";
    case 15: return "D8";
    case 3: return "RX";
    case 1: return "TX";
    default: return "";
  }
}

}  // namespace bh::host
