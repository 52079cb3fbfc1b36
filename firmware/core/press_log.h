// The press queue's rules as pure functions on a PressLog (rtc_layout.h):
// queue operations, the give-up test, the retry backoff, and how a wake is
// told apart from a press. App (app.cpp) loads, applies and stores them.
#pragma once

#include <stdint.h>  // fixed-width integers

#include "hal.h"         // ResetCause
#include "rtc_layout.h"  // PressLog

namespace bh {

// An empty queue for this boot counter value; seq starts at 1.
void press_log_reset(PressLog* log, uint32_t boot);
// Appends a press made at board time now_s and returns it. A full queue
// first drops its oldest press (counted in dropped): a stale press is worth
// less than a fresh one.
PressRecord& press_push(PressLog* log, uint32_t now_s);
// Removes the oldest press (delivered).
void press_pop(PressLog* log);
// Gives up on the oldest press: it and the drops it was to report are
// counted in log->dropped, for the next press to carry.
void press_drop(PressLog* log);
// Hands the drops not yet reported to the oldest press, which reports them
// (value3 "dropped=N") when it is delivered.
void press_take_dropped(PressLog* log);
// Give up on a press after max_attempts delivery rounds, or once it is
// max_age_s old. The oldest press is always the first to expire.
bool press_expired(const PressRecord& p, uint32_t now_s, uint8_t max_attempts, uint32_t max_age_s);

// Deep sleep before the next delivery round after `failures` failed rounds
// in a row: 30 s, 2 min, 10 min, then every hour.
uint32_t retry_delay_ms(uint8_t failures);

// What woke the board, as far as it can tell.
enum class Wake : uint8_t {
  NotPress,  // power-on, watchdog, crash, soft restart
  Press,     // RST pressed: cause 6, or cause 5 with no timer pending or an early wake
  Timer,     // cause 5 at (or after) the time the retry timer was set for
  Unsure,    // cause 5 that may be the timer or a press: handled as the timer
};
const char* wake_name(Wake w);

struct WakeFacts {
  ResetCause cause = ResetCause::PowerOn;
  uint32_t sleep_ms = 0;  // the timed sleep that was pending (0 = until RST)
  bool clock_ok = false;  // slept_ms is known (a clock ran through the sleep)
  uint64_t slept_ms = 0;  // time from entering that sleep to now
  int8_t sense = -1;      // PRESS_SENSE_PIN: -1 none, 0 released, 1 pressed
};
// RST pressed during a timed sleep wakes the board with cause 5, exactly as
// the timer does. The sense pin settles it; else a clock that ran through
// the sleep does, if the wake came earlier than the timer's margin allows;
// else it cannot be told (Unsure).
Wake classify_wake(const WakeFacts& f);
// How early a timer may fire (the RTC's RC oscillator drifts with
// temperature): a wake within this margin before the set time is Unsure.
uint32_t wake_margin_ms(uint32_t sleep_ms);

}  // namespace bh
