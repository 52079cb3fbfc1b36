// libFuzzer target for read_request_head: any bytes from a client (split
// into reads of any size) give a result, never a read past a buffer, and a
// head that parsed leaves the rest of the stream unread.
#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t
#include <string.h>  // memcpy

#include "http_request.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

class Clock final : public bh::Machine {
 public:
  uint32_t now = 0;
  bh::ResetCause reset_cause() override { return bh::ResetCause::PowerOn; }
  void deepsleep(uint32_t) override {}
  void reset() override {}
  uint32_t ticks_ms() override { return now; }
  void sleep_ms(uint32_t ms) override { now += ms; }
  bool rtc_clock_ms(uint64_t*) override { return false; }
  uint32_t chip_id() override { return 0; }
  size_t rtc_memory_size() override { return 0; }
  bool rtc_memory_read(size_t, void*, size_t) override { return false; }
  bool rtc_memory_write(size_t, const void*, size_t) override { return false; }
  uint16_t battery_mv() override { return 0; }
  void log(bh::StrRef) override {}
};

// The input's bytes; the first byte sets the largest read (1..256).
class Bytes final : public bh::Stream {
 public:
  Bytes(const uint8_t* d, size_t n, size_t max_read, Clock& clock)
      : d_(d), n_(n), max_(max_read), clock_(clock) {}
  size_t pos = 0;
  int32_t read(uint8_t* buf, size_t len, uint32_t timeout_ms) override {
    if (pos == n_) {
      clock_.now += timeout_ms;
      return -static_cast<int32_t>(bh::Err::Timeout);
    }
    size_t k = n_ - pos < len ? n_ - pos : len;
    if (k > max_) k = max_;
    memcpy(buf, d_ + pos, k);
    pos += k;
    clock_.now += 1;
    return static_cast<int32_t>(k);
  }
  bh::Err write(const uint8_t*, size_t, uint32_t) override { return bh::Err::Ok; }
  void close() override {}

 private:
  const uint8_t* d_;
  size_t n_, max_;
  Clock& clock_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Clock clock;
  Bytes s(data + 1, size - 1, 1 + data[0], clock);
  bh::HttpRequestHead head;
  const bh::Err e = bh::read_request_head(s, clock, &head, 1000, 5000);
  check(e == bh::Err::Ok || e == bh::Err::Timeout || e == bh::Err::Closed ||
        e == bh::Err::Overflow || e == bh::Err::BadResponse);
  check(!head.ws_key.overflow() || head.ws_key.size() == head.ws_key.capacity());
  if (e == bh::Err::Ok) {
    check(s.pos <= size - 1);
    check(s.pos <= bh::sizes::kHttpHeadMax);
  }
  return 0;
}
