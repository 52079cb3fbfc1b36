#include "base64.h"

namespace bh {

void base64_append(StrBuf& out, const uint8_t* data, size_t len) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < len; i += 3) {
    const size_t n = len - i < 3 ? len - i : 3;
    uint32_t v = uint32_t(data[i]) << 16;
    if (n > 1) v |= uint32_t(data[i + 1]) << 8;
    if (n > 2) v |= data[i + 2];
    for (size_t k = 0; k < 4; ++k) out.append(k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=');
  }
}

}  // namespace bh
