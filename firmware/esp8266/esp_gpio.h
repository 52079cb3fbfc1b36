// machine.Pin on the ESP8266: pinMode/digitalWrite/digitalRead.
//
// GPIO16 (D0) is special: it sits in the RTC block, has a pull-down but no
// pull-up, and no open-drain driver. An input with Pull::Up on GPIO16 is
// therefore a floating input (wire an external pull-up if you need one).
// GPIO6..11 drive the flash chip: touching them crashes the board, so they
// are refused (a typo in config.py must not brick a wake).
#pragma once

#include <stdint.h>  // uint8_t

#include "hal.h"

namespace bh {
namespace esp {

class EspGpio final : public Gpio {
 public:
  void mode(uint8_t pin, PinMode mode, Pull pull) override;
  void write(uint8_t pin, bool high) override;
  bool read(uint8_t pin) override;

  // True for the pins a sketch may use: GPIO0..5, 12..16.
  static bool usable(uint8_t pin) { return pin <= 16 && (pin < 6 || pin > 11); }
};

}  // namespace esp
}  // namespace bh
