// SHA-1 (FIPS 180-4), for the WebSocket handshake's Sec-WebSocket-Accept and
// for mixing the setup portal's password from what little entropy a board
// has. Not for anything that needs collision resistance.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t, uint32_t

namespace bh {

class Sha1 {
 public:
  static constexpr size_t kDigestSize = 20;

  Sha1();
  void update(const void* data, size_t len);
  // Writes the digest; the object must not be updated afterwards.
  void finish(uint8_t out[kDigestSize]);

 private:
  void block();
  uint32_t h_[5];
  uint8_t buf_[64];
  uint32_t used_ = 0;   // bytes in buf_
  uint32_t total_ = 0;  // message length in bytes (< 4 GB is plenty here)
};

}  // namespace bh
