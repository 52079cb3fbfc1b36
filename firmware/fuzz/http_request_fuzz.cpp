// libFuzzer target for read_request_head: any bytes from a client (split
// into reads of any size) give a result, never a read past a buffer, and a
// head that parsed leaves what follows it in the stream.
#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t

#include <string>

#include "fake_board.h"
#include "fake_net.h"
#include "console/http_request.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bh::testing::FakeMachine clock;
  bh::testing::FakeStream s(&clock);
  // The first byte sets the largest read (1..256); silence after the input.
  s.data(std::string(reinterpret_cast<const char*>(data + 1), size - 1))
      .max_read(1 + data[0])
      .then_hang();
  bh::HttpRequestHead head;
  const bh::Err e = bh::read_request_head(s, clock, &head, 1000, 5000);
  check(e == bh::Err::Ok || e == bh::Err::Timeout || e == bh::Err::Closed ||
        e == bh::Err::Overflow || e == bh::Err::BadResponse);
  check(head.ws_key.size() <= head.ws_key.capacity());
  if (e == bh::Err::Ok) check(s.bytes_read <= bh::sizes::kHttpHeadMax);
  return 0;
}
