// LED patterns as pure functions of time (as ESPHome's `millis() % 250 <
// 150`): which LEDs are lit t ms into a pattern. App plays them with
// sleep_ms(); tests and docs read them directly. The table of patterns is
// in README.md.
#pragma once

#include <stdint.h>  // uint8_t, uint32_t

namespace bh {

enum class Blink : uint8_t {
  Failed,    // the tutorial's show_error(): the press did not go out now
  Retrying,  // it is queued and a timed wake will retry it (TIMED_WAKE)
  GaveUp,    // a press was dropped after MAX_ATTEMPTS / MAX_AGE
};

constexpr uint8_t kLed1 = 1;  // LED_PIN lit
constexpr uint8_t kLed2 = 2;  // LED2_PIN lit

// LEDs lit t_ms into the pattern (0 at and after its end).
uint8_t blink_leds(Blink b, uint32_t t_ms);
uint32_t blink_length_ms(Blink b);
// The pattern changes only at multiples of this.
uint32_t blink_step_ms(Blink b);

}  // namespace bh
