#include "led_pattern.h"

namespace bh {

uint8_t blink_leds(Blink b, uint32_t t) {
  if (t >= blink_length_ms(b)) return 0;
  switch (b) {
    case Blink::Failed:  // LED2, then LED, 0.5 s each, three times
      return (t / 500) % 2 ? kLed1 : kLed2;
    case Blink::Retrying:  // LED alone: a 0.1 s flash every 0.5 s
      return t % 500 < 100 ? kLed1 : 0;
    case Blink::GaveUp:  // both together, fast: 0.1 s on, 0.1 s off
      return t % 200 < 100 ? kLed1 | kLed2 : 0;
  }
  return 0;
}

uint32_t blink_length_ms(Blink b) {
  return b == Blink::Failed ? 3000 : 2000;
}

uint32_t blink_step_ms(Blink b) {
  return b == Blink::Failed ? 500 : 100;
}

}  // namespace bh
