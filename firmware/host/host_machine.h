// machine.* on the host: the virtual clock, reset causes, deep sleep as a
// request the simulator acts on, RTC user memory with the chip's lifetime
// (kept across deep sleep and resets, garbage after power-up), the battery
// voltage from the world, and the serial console as observer lines.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // fixed-width integers

#include <optional>  // requests

#include "env.h"
#include "hal.h"

namespace bh::host {

class HostMachine final : public Machine {
 public:
  static constexpr size_t kRtcUserBytes = 512;

  // The board starts unpowered: RTC memory holds power-up garbage.
  explicit HostMachine(Env& env);

  ResetCause reset_cause() override { return cause_; }
  void deepsleep(uint32_t ms) override;
  void reset() override;
  uint32_t ticks_ms() override;
  void sleep_ms(uint32_t ms) override;
  // The virtual clock: it runs through deep sleep (see hal.h for why the
  // real ESP8266 has no such clock).
  bool rtc_clock_ms(uint64_t* ms) override {
    *ms = env_.clock.now_ms();
    return true;
  }
  uint32_t chip_id() override { return env_.world.chip_id & 0xffffff; }
  size_t rtc_memory_size() override { return kRtcUserBytes; }
  bool rtc_memory_read(size_t offset, void* out, size_t len) override;
  bool rtc_memory_write(size_t offset, const void* data, size_t len) override;
  uint16_t battery_mv() override { return env_.world.battery_mv; }
  void log(StrRef line) override;

  // ---- the board's side ----
  // A new boot with this cause: ticks restart, requests are cleared.
  void boot(ResetCause cause);
  // Power lost: RTC memory becomes what RTC RAM holds after power-up.
  void power_off();
  // What the firmware asked for before returning from App::run()/loop().
  std::optional<uint32_t> deepsleep_request() const { return deepsleep_ms_; }
  bool reset_requested() const { return reset_requested_; }

 private:
  void fill_garbage();
  Env& env_;
  ResetCause cause_ = ResetCause::PowerOn;
  uint64_t boot_us_ = 0;
  std::optional<uint32_t> deepsleep_ms_;
  bool reset_requested_ = false;
  uint8_t rtc_[kRtcUserBytes];
};

}  // namespace bh::host
