// machine.* on the ESP8266: reset cause from the SDK's rst_info, deep sleep,
// millis/delay, the chip id, RTC user memory, VCC and the serial console.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // fixed-width integers

#include "hal.h"

namespace bh {
namespace esp {

class EspMachine final : public Machine {
 public:
  // The RTC user area the Arduino core exposes (rtcUserMemory*): 512 bytes
  // after the SDK's own 256, kept across deep sleep, lost on power-off.
  // The core's OTA Updater (eboot) writes its command into the first 128
  // bytes of this area; the firmware has no OTA, so the press queue may use
  // all of it. Adding OTA means moving the queue past those bytes.
  static constexpr size_t kRtcUserBytes = 512;

  // Opens the serial console (115200 8N1). Call first in setup().
  void begin();

  ResetCause reset_cause() override;
  void deepsleep(uint32_t ms) override;
  void reset() override;
  uint32_t ticks_ms() override;
  void sleep_ms(uint32_t ms) override;
  // None: system_get_rtc_time() restarts at every reset, a deep-sleep wake
  // included (a timer wake is a reset through GPIO16->RST).
  bool rtc_clock_ms(uint64_t*) override { return false; }
  uint32_t chip_id() override;
  size_t rtc_memory_size() override { return kRtcUserBytes; }
  bool rtc_memory_read(size_t offset, void* out, size_t len) override;
  bool rtc_memory_write(size_t offset, const void* data, size_t len) override;
  uint16_t battery_mv() override;
  void log(StrRef line) override;
};

}  // namespace esp
}  // namespace bh
