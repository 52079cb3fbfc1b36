// The ESP8266's 17 GPIOs on the host: modes, pull-ups, output latches, and
// whatever the outside world wires to a pin (the debug jumper to GND).
//
// A pin reads, in order: its own output latch when it is an output; the
// level something external drives onto it; its pull-up (1); else 0 (a
// floating input reads low here; on the chip it is undefined).
//
// After a chip reset every pin is an input without pull-up and every output
// latch is 0, as on the ESP8266: configuring an LED pin as an output lights
// an active-low LED until the firmware writes 1. Observers see every change
// of a pin's driven state; sim/ hides changes that last no time at all.
#pragma once

#include <stdint.h>  // uint8_t

#include <optional>  // external drive

#include "env.h"
#include "hal.h"

namespace bh::host {

class HostGpio final : public Gpio {
 public:
  static constexpr uint8_t kPins = 17;  // GPIO0..GPIO16

  explicit HostGpio(Env& env) : env_(env) {}

  void mode(uint8_t pin, PinMode mode, Pull pull) override;
  void write(uint8_t pin, bool high) override;
  bool read(uint8_t pin) override;

  // The outside world: nullopt releases the pin, false ties it to GND.
  void drive(uint8_t pin, std::optional<bool> level);
  std::optional<bool> driven(uint8_t pin) const;

  bool is_output(uint8_t pin) const;
  bool latch(uint8_t pin) const;
  // The chip resets: inputs, no pulls, latches 0. External drives stay
  // (a jumper does not move when the chip resets).
  void reset();

 private:
  struct PinState {
    PinMode mode = PinMode::In;
    Pull pull = Pull::None;
    bool latch = false;
    std::optional<bool> external;
  };
  void notify_if_changed(uint8_t pin, bool was_output, bool was_level);
  bool valid(uint8_t pin) const { return pin < kPins; }
  Env& env_;
  PinState pins_[kPins];
};

// NodeMCU / Wemos D1 mini silk-screen name of a GPIO ("D4" for GPIO2), or
// "" if the pin has none.
const char* nodemcu_name(uint8_t gpio);

}  // namespace bh::host
