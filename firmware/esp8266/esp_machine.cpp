#include "esp_machine.h"

#include <Arduino.h>         // Serial, millis, delay, ESP
#include <string.h>          // memcpy
#include <user_interface.h>  // rst_info, REASON_*

// ESP.getVcc() reads the chip's own supply through the ADC, which then
// cannot read the A0 pin. Declared once per firmware, here.
ADC_MODE(ADC_VCC);

namespace bh {
namespace esp {

namespace {

constexpr uint32_t kBaud = 115200;

// ESP.rtcUserMemory* take 32-bit words at word offsets; the core passes bytes
// at byte offsets. This buffer keeps the SDK's alignment rule away from the
// caller's buffers.
uint32_t rtc_words[EspMachine::kRtcUserBytes / 4];

bool rtc_range_ok(size_t offset, size_t len) {
  return offset % 4 == 0 && offset <= EspMachine::kRtcUserBytes &&
         len <= EspMachine::kRtcUserBytes - offset;
}

size_t words_for(size_t len) {
  return (len + 3) / 4;
}

}  // namespace

void EspMachine::begin() {
  Serial.begin(kBaud);
  // The ROM bootloader prints its banner at 74880 baud; end that line so the
  // first line of ours is readable.
  Serial.println();
}

ResetCause EspMachine::reset_cause() {
  // rst_info.reason uses exactly the codes ResetCause names (0..6).
  const rst_info* info = ESP.getResetInfoPtr();
  if (!info) return ResetCause::PowerOn;
  switch (info->reason) {
    case REASON_WDT_RST: return ResetCause::Watchdog;
    case REASON_EXCEPTION_RST: return ResetCause::Exception;
    case REASON_SOFT_WDT_RST: return ResetCause::SoftWatchdog;
    case REASON_SOFT_RESTART: return ResetCause::SoftRestart;
    case REASON_DEEP_SLEEP_AWAKE: return ResetCause::DeepSleepWake;
    case REASON_EXT_SYS_RST: return ResetCause::ExternalReset;
    case REASON_DEFAULT_RST:
    default: return ResetCause::PowerOn;
  }
}

void EspMachine::deepsleep(uint32_t ms) {
  // 0 sleeps until RST is pulled low. A timed wake needs the GPIO16->RST
  // wire; the SDK cannot sleep longer than deepSleepMax() (about 3.5 h).
  uint64_t us = static_cast<uint64_t>(ms) * 1000u;
  if (us > ESP.deepSleepMax()) us = ESP.deepSleepMax();
  Serial.flush();  // the last log line, before the UART loses power
  // WAKE_RF_DEFAULT: wake with the radio on, calibrated as the init data
  // says; WAKE_RF_DISABLED would save power but leave no Wi-Fi for the press.
  ESP.deepSleep(us, WAKE_RF_DEFAULT);
}

void EspMachine::reset() {
  Serial.flush();
  ESP.restart();
}

uint32_t EspMachine::ticks_ms() {
  return millis();
}

// delay() yields to the SDK, so Wi-Fi and TCP keep running while we wait.
void EspMachine::sleep_ms(uint32_t ms) {
  delay(ms);
}

uint32_t EspMachine::chip_id() {
  return ESP.getChipId();
}

bool EspMachine::rtc_memory_read(size_t offset, void* out, size_t len) {
  if (!rtc_range_ok(offset, len)) return false;
  if (len == 0) return true;
  const size_t words = words_for(len);
  if (offset + words * 4 > kRtcUserBytes) return false;
  if (!ESP.rtcUserMemoryRead(offset / 4, rtc_words, words * 4)) return false;
  memcpy(out, rtc_words, len);
  return true;
}

bool EspMachine::rtc_memory_write(size_t offset, const void* data, size_t len) {
  if (!rtc_range_ok(offset, len)) return false;
  if (len == 0) return true;
  const size_t words = words_for(len);
  if (offset + words * 4 > kRtcUserBytes) return false;
  if (len % 4 != 0) {
    // Keep the bytes of the last word that the caller did not give.
    if (!ESP.rtcUserMemoryRead((offset + len) / 4, &rtc_words[words - 1], 4)) return false;
  }
  memcpy(rtc_words, data, len);
  return ESP.rtcUserMemoryWrite(offset / 4, rtc_words, words * 4);
}

// The chip's supply (3V3 pin), not the battery: behind a regulator this reads
// ~3.3 V until the battery falls below the regulator's dropout. The SDK
// reports it in 1/1024 V.
uint16_t EspMachine::battery_mv() {
  return static_cast<uint16_t>((static_cast<uint32_t>(ESP.getVcc()) * 1000u + 512u) / 1024u);
}

void EspMachine::log(StrRef line) {
  Serial.write(reinterpret_cast<const uint8_t*>(line.data), line.len);
  Serial.println();
}

}  // namespace esp
}  // namespace bh
