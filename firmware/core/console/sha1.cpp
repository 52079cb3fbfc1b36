#include "sha1.h"

#include <string.h>  // memcpy

namespace bh {

namespace {
uint32_t rol(uint32_t x, int n) {
  return (x << n) | (x >> (32 - n));
}
}  // namespace

Sha1::Sha1() : h_{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0} {}

void Sha1::block() {
  // A 16-word rolling schedule instead of 80 words: 256 bytes less stack.
  uint32_t w[16];
  for (int i = 0; i < 16; ++i) {
    w[i] = uint32_t(buf_[4 * i]) << 24 | uint32_t(buf_[4 * i + 1]) << 16 |
           uint32_t(buf_[4 * i + 2]) << 8 | buf_[4 * i + 3];
  }
  uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
  for (int i = 0; i < 80; ++i) {
    if (i >= 16) {
      w[i & 15] = rol(w[(i + 13) & 15] ^ w[(i + 8) & 15] ^ w[(i + 2) & 15] ^ w[i & 15], 1);
    }
    uint32_t f, k;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5A827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ED9EBA1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8F1BBCDC;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6;
    }
    const uint32_t t = rol(a, 5) + f + e + k + w[i & 15];
    e = d;
    d = c;
    c = rol(b, 30);
    b = a;
    a = t;
  }
  h_[0] += a;
  h_[1] += b;
  h_[2] += c;
  h_[3] += d;
  h_[4] += e;
}

void Sha1::update(const void* data, size_t len) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  total_ += static_cast<uint32_t>(len);
  while (len) {
    size_t n = 64 - used_;
    if (n > len) n = len;
    memcpy(buf_ + used_, p, n);
    used_ += static_cast<uint32_t>(n);
    p += n;
    len -= n;
    if (used_ == 64) {
      block();
      used_ = 0;
    }
  }
}

void Sha1::finish(uint8_t out[kDigestSize]) {
  // The length in bits, big-endian, taken before the padding is counted.
  const uint8_t len[8] = {0,
                          0,
                          0,
                          static_cast<uint8_t>(total_ >> 29),
                          static_cast<uint8_t>(total_ >> 21),
                          static_cast<uint8_t>(total_ >> 13),
                          static_cast<uint8_t>(total_ >> 5),
                          static_cast<uint8_t>(total_ << 3)};
  uint8_t pad = 0x80;
  do {
    update(&pad, 1);
    pad = 0;
  } while (used_ != 56);
  update(len, 8);
  for (int i = 0; i < 20; ++i) out[i] = static_cast<uint8_t>(h_[i / 4] >> (24 - 8 * (i % 4)));
}

}  // namespace bh
