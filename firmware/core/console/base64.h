// Base64 (RFC 4648, with padding): the WebSocket handshake's accept value.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t

#include "text.h"

namespace bh {

void base64_append(StrBuf& out, const uint8_t* data, size_t len);

}  // namespace bh
