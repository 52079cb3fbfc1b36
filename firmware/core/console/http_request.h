// The board's side of HTTP: one small reader of a request's head, shared by
// the console's WebSocket upgrade (port 8266) and the setup portal (port 80).
// It keeps only what those two need; every other header is skipped.
#pragma once

#include <stdint.h>  // uint32_t

#include "hal.h"
#include "sizes.h"
#include "text.h"

namespace bh {

struct HttpRequestHead {
  bool post = false;       // POST (else GET or anything else)
  bool root = false;       // the path is "/" (a query is allowed)
  bool websocket = false;  // Upgrade: websocket
  uint32_t content_length = 0;
  Str<sizes::kWsKeyMax> ws_key;  // Sec-WebSocket-Key
};

// Reads the request line and headers up to the blank line: the first byte
// within first_ms, the whole head within total_ms. Timeout, Closed, or
// Overflow (more than sizes::kHttpHeadMax bytes).
Err read_request_head(Stream& s, Machine& clock, HttpRequestHead* out, uint32_t first_ms,
                      uint32_t total_ms);

// Reads exactly len bytes; each read waits at most timeout_ms.
bool read_exact(Stream& s, uint8_t* p, size_t len, uint32_t timeout_ms);

}  // namespace bh
