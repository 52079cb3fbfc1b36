#include "press_log.h"

#include <string.h>  // memset, memmove

namespace bh {

uint32_t fnv1a(const void* data, size_t len, uint32_t h) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < len; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}

bool rtc_load(Machine& m, size_t offset, void* record, size_t size, uint32_t type) {
  uint32_t check;
  if (!m.rtc_memory_read(offset, record, size)) return false;
  memcpy(&check, record, sizeof check);
  return check == fnv1a(static_cast<uint8_t*>(record) + 4, size - 4, type);
}

bool rtc_store(Machine& m, size_t offset, void* record, size_t size, uint32_t type) {
  const uint32_t check = fnv1a(static_cast<uint8_t*>(record) + 4, size - 4, type);
  memcpy(record, &check, sizeof check);
  return m.rtc_memory_write(offset, record, size);
}

void press_log_reset(PressLog* log, uint32_t boot) {
  memset(log, 0, sizeof *log);
  log->boot = boot;
  log->next_seq = 1;
}

PressRecord& press_push(PressLog* log, uint32_t now_s) {
  if (log->count >= sizes::kPressQueueMax) press_drop(log);
  PressRecord& p = log->queue[log->count++];
  memset(&p, 0, sizeof p);
  p.seq = log->next_seq++;
  p.at_s = now_s;
  return p;
}

void press_pop(PressLog* log) {
  if (log->count == 0) return;
  --log->count;
  memmove(&log->queue[0], &log->queue[1], log->count * sizeof log->queue[0]);
  memset(&log->queue[log->count], 0, sizeof log->queue[0]);
}

void press_drop(PressLog* log) {
  if (log->count == 0) return;
  log->dropped += 1u + log->queue[0].dropped;
  press_pop(log);
}

void press_take_dropped(PressLog* log) {
  if (log->count == 0) return;
  uint16_t& d = log->queue[0].dropped;
  const uint32_t n = log->dropped < 0xFFFFu - d ? log->dropped : 0xFFFFu - d;
  d = static_cast<uint16_t>(d + n);
  log->dropped -= n;
}

bool press_expired(const PressRecord& p, uint32_t now_s, uint8_t max_attempts, uint32_t max_age_s) {
  return p.attempts >= max_attempts || now_s - p.at_s >= max_age_s;
}

uint32_t retry_delay_ms(uint8_t failures) {
  static const uint16_t kSeconds[] = {30, 120, 600, 3600};
  const uint8_t i = failures == 0 ? 0 : failures > 4 ? 3 : failures - 1;
  return kSeconds[i] * 1000u;
}

const char* wake_name(Wake w) {
  switch (w) {
    case Wake::Press: return "press";
    case Wake::Timer: return "timer";
    case Wake::Unsure: return "timer or press (taken as timer)";
    default: return "no press";
  }
}

uint32_t wake_margin_ms(uint32_t sleep_ms) {
  return 1000 + sleep_ms / 16;
}

Wake classify_wake(const WakeFacts& f) {
  if (f.cause == ResetCause::ExternalReset) return Wake::Press;
  if (f.cause != ResetCause::DeepSleepWake) return Wake::NotPress;
  if (f.sleep_ms == 0) return Wake::Press;  // no timer was set: only RST wakes
  if (f.sense >= 0) return f.sense ? Wake::Press : Wake::Timer;
  if (!f.clock_ok) return Wake::Unsure;
  if (f.slept_ms >= f.sleep_ms) return Wake::Timer;
  if (f.slept_ms + wake_margin_ms(f.sleep_ms) <= f.sleep_ms) return Wake::Press;
  return Wake::Unsure;
}

}  // namespace bh
