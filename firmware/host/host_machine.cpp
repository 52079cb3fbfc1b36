#include "host_machine.h"

#include <string.h>  // memcpy

#include <string_view>  // observer lines

namespace bh::host {

HostMachine::HostMachine(Env& env) : env_(env) {
  fill_garbage();
}

void HostMachine::deepsleep(uint32_t ms) {
  // The first request wins: on the chip the first call never returns.
  if (!deepsleep_ms_ && !reset_requested_) deepsleep_ms_ = ms;
}

void HostMachine::reset() {
  if (!deepsleep_ms_) reset_requested_ = true;
}

uint32_t HostMachine::ticks_ms() {
  // Wraps at 2^32 ms like the chip's millis().
  return static_cast<uint32_t>((env_.clock.now_us() - boot_us_) / 1000);
}

void HostMachine::sleep_ms(uint32_t ms) {
  env_.clock.advance_ms(ms);
}

bool HostMachine::rtc_memory_read(size_t offset, void* out, size_t len) {
  // The SDK's system_rtc_mem_read takes 4-byte blocks and refuses past the end.
  if (offset % 4 != 0 || offset > kRtcUserBytes || len > kRtcUserBytes - offset) return false;
  memcpy(out, rtc_ + offset, len);
  return true;
}

bool HostMachine::rtc_memory_write(size_t offset, const void* data, size_t len) {
  if (offset % 4 != 0 || offset > kRtcUserBytes || len > kRtcUserBytes - offset) return false;
  memcpy(rtc_ + offset, data, len);
  return true;
}

void HostMachine::log(StrRef line) {
  if (env_.observer)
    env_.observer->on_serial(env_.clock.now_us(), std::string_view(line.data, line.len));
}

void HostMachine::boot(ResetCause cause) {
  cause_ = cause;
  boot_us_ = env_.clock.now_us();
  deepsleep_ms_.reset();
  reset_requested_ = false;
}

void HostMachine::power_off() {
  fill_garbage();
}

void HostMachine::fill_garbage() {
  // SRAM powers up in a pattern of its own; firmware must validate RTC
  // memory (checksum) before trusting it, so make the garbage varied.
  for (size_t i = 0; i < kRtcUserBytes; ++i) rtc_[i] = static_cast<uint8_t>(env_.rng());
}

}  // namespace bh::host
