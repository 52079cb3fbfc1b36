// What the core keeps in RTC user memory, all of it, in one place.
//
// RTC user memory survives deep sleep and every reset, but not a power loss:
// after power-up it holds garbage. Each record therefore starts with a
// checksum seeded by a hash of its type name, version and size (as ESPHome
// does), so garbage, an older layout or a half-written record reads as
// "no record" and the core starts fresh. On the ESP8266 the memory is 512
// bytes addressed in 4-byte blocks: every offset here is a multiple of 4.
//
// What a power loss costs: the press queue (presses not yet delivered), the
// Wi-Fi cache and the TLS session. The core cannot know how many presses were lost; it
// counts the loss itself in the flash file /boots (the boot counter, see
// app.h), which also keeps Idempotency-Keys unique across power losses.
#pragma once

#include <stddef.h>  // offsetof, size_t
#include <stdint.h>  // fixed-width integers

#include "hal.h"    // IfConfig
#include "sizes.h"  // kPressQueueMax, kRtcUserMax

namespace bh {

// FNV-1a, 32 bits: the records' checksum and their type seeds.
constexpr uint32_t fnv1a(const char* s, uint32_t h = 2166136261u) {
  return *s ? fnv1a(s + 1, (h ^ static_cast<uint8_t>(*s)) * 16777619u) : h;
}
uint32_t fnv1a(const void* data, size_t len, uint32_t h);

// One press waiting for delivery.
struct PressRecord {
  uint32_t seq;      // 1, 2, ... within one boot counter value
  uint32_t at_s;     // board time of the press, seconds (see PressLog::board_ms)
  uint8_t attempts;  // delivery rounds started with this press in the queue
  uint8_t pad;
  uint16_t dropped;  // presses given up before this one, reported with it
};

// The press queue and the bookkeeping around it.
struct PressLog {
  uint32_t check;
  uint32_t boot;      // the boot counter: cold starts, from /boots
  uint32_t next_seq;  // seq of the next press
  uint32_t dropped;   // presses given up and not yet handed to a press to report
  // Board time: what the board can measure of the time since the boot
  // counter changed (awake time, timed sleeps, and all sleep when the port
  // has an rtc_clock_ms()). Ages and MAX_AGE use it.
  uint64_t board_ms;  // board time at the last save
  uint64_t clock_ms;  // rtc_clock_ms() at the last save, if has_clock
  uint32_t sleep_ms;  // timed deep sleep entered after the last save; 0 = none
  uint8_t failures;   // failed rounds in a row: the retry backoff step
  uint8_t count;      // presses in queue[0..count), oldest first
  uint8_t has_clock;
  uint8_t pad;
  PressRecord queue[sizes::kPressQueueMax];
};

// Where the last good Wi-Fi connection went, for a fast connect.
struct WifiCache {
  uint32_t check;
  uint32_t ssid_hash;  // fnv1a of WIFI_SSID: another SSID ignores the cache
  uint8_t bssid[6];
  uint8_t channel;
  uint8_t has_lease;  // lease holds the DHCP lease, reused as a static IP
  IfConfig lease;
};

// The last TLS session with the webhook's server, for an abbreviated
// handshake on the next wake (0.39 s instead of 2.04 s on the ESP8266).
// Forgotten when a handshake fails.
struct TlsCache {
  uint32_t check;
  uint32_t url_hash;  // fnv1a of WEBHOOK_URL: another server ignores it
  TlsSession session;
};

namespace rtc {
constexpr size_t kPressLogOffset = 0;
constexpr size_t kWifiCacheOffset = kPressLogOffset + sizeof(PressLog);
constexpr size_t kTlsCacheOffset = kWifiCacheOffset + sizeof(WifiCache);
constexpr size_t kEnd = kTlsCacheOffset + sizeof(TlsCache);

// Type seeds: a changed layout changes its size or its name's version.
constexpr uint32_t kPressLogType = fnv1a("bh.PressLog.1") + sizeof(PressLog);
constexpr uint32_t kWifiCacheType = fnv1a("bh.WifiCache.1") + sizeof(WifiCache);
constexpr uint32_t kTlsCacheType = fnv1a("bh.TlsCache.1") + sizeof(TlsCache);
}  // namespace rtc

static_assert(sizeof(PressRecord) == 12, "PressRecord layout");
static_assert(offsetof(PressLog, board_ms) % 8 == 0, "PressLog: no hidden padding");
static_assert(offsetof(PressLog, queue) == 40, "PressLog layout");
static_assert(sizeof(PressLog) == 40 + sizeof(PressRecord) * sizes::kPressQueueMax,
              "PressLog: no tail padding (kPressQueueMax even)");
static_assert(sizeof(WifiCache) == 32, "WifiCache layout");
static_assert(sizeof(TlsSession) == 88 && sizeof(TlsCache) == 96, "TlsCache layout");
static_assert(rtc::kPressLogOffset % 4 == 0 && rtc::kWifiCacheOffset % 4 == 0 &&
                  rtc::kTlsCacheOffset % 4 == 0,
              "RTC offsets are 4-byte blocks");
static_assert(sizeof(PressLog) % 4 == 0 && sizeof(WifiCache) % 4 == 0 && sizeof(TlsCache) % 4 == 0,
              "whole 4-byte blocks");
static_assert(rtc::kEnd <= sizes::kRtcUserMax, "RTC user memory is 512 bytes");

// Reads a record and checks it: false for garbage (power-up), another
// layout, or a read error. The checksum is the record's first word.
bool rtc_load(Machine& m, size_t offset, void* record, size_t size, uint32_t type);
// Stamps the checksum into the record's first word and writes it.
bool rtc_store(Machine& m, size_t offset, void* record, size_t size, uint32_t type);

}  // namespace bh
