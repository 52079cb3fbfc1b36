#include "esp_gpio.h"

#include <Arduino.h>  // pinMode, digitalWrite, digitalRead

namespace bh {
namespace esp {

namespace {
constexpr uint8_t kRtcPin = 16;  // GPIO16 / D0: pull-down only, no open drain
}  // namespace

void EspGpio::mode(uint8_t pin, PinMode mode, Pull pull) {
  if (!usable(pin)) return;
  switch (mode) {
    case PinMode::Out: pinMode(pin, OUTPUT); break;
    case PinMode::OpenDrain:
      // GPIO16 has no open-drain driver; a push-pull output is the nearest.
      pinMode(pin, pin == kRtcPin ? OUTPUT : OUTPUT_OPEN_DRAIN);
      break;
    case PinMode::In:
      // pinMode(16, INPUT_PULLUP) would silently keep the previous mode, so
      // GPIO16 gets a plain input (it has only a pull-down, which we never
      // want: the debug jumper and buttons pull to GND).
      pinMode(pin, pull == Pull::Up && pin != kRtcPin ? INPUT_PULLUP : INPUT);
      break;
  }
}

void EspGpio::write(uint8_t pin, bool high) {
  if (usable(pin)) digitalWrite(pin, high ? HIGH : LOW);
}

// A refused pin reads low: as DEBUG_PIN that keeps the board awake in debug
// mode, where the log says what is wrong, rather than asleep and silent.
bool EspGpio::read(uint8_t pin) {
  return usable(pin) && digitalRead(pin) == HIGH;
}

}  // namespace esp
}  // namespace bh
