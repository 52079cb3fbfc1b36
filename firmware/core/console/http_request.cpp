#include "http_request.h"

namespace bh {

namespace {

void on_line(StrRef line, bool first, HttpRequestHead* out) {
  if (first) {
    out->post = line.starts_with("POST ");
    const size_t sp = line.find(' ');
    StrRef path = line.sub(sp + 1);
    out->root = path.starts_with("/ ") || path.starts_with("/?");
    return;
  }
  const size_t colon = line.find(':');
  const StrRef name = line.sub(0, colon);
  const StrRef value = line.sub(colon + 1).trimmed();
  // Header names are case-insensitive (MicroPython's server is stricter).
  if (name.equals_nocase("Upgrade")) {
    out->websocket = value.equals_nocase("websocket");
  } else if (name.equals_nocase("Sec-WebSocket-Key")) {
    out->ws_key.assign(value);
  } else if (name.equals_nocase("Content-Length")) {
    uint32_t n = 0;
    for (size_t i = 0; i < value.len && value.data[i] >= '0' && value.data[i] <= '9' && n < 1000000;
         ++i) {
      n = n * 10 + static_cast<uint32_t>(value.data[i] - '0');
    }
    out->content_length = n;
  }
}

}  // namespace

Err read_request_head(Stream& s, Machine& clock, HttpRequestHead* out, uint32_t first_ms,
                      uint32_t total_ms) {
  *out = HttpRequestHead();
  const uint32_t start = clock.ticks_ms();
  Str<sizes::kHttpHeadLineMax> line;  // longer lines keep their start: the name
  bool first = true;
  for (uint32_t total = 0; total < sizes::kHttpHeadMax; ++total) {
    const uint32_t spent = clock.ticks_ms() - start;
    const uint32_t limit = total ? total_ms : first_ms;
    if (spent >= limit) return Err::Timeout;
    uint8_t c = 0;
    // Byte by byte: what follows the head (a form) stays in the stream.
    const int32_t n = s.read(&c, 1, limit - spent);
    if (n == 0) return Err::Closed;
    if (n < 0) return static_cast<Err>(-n);
    if (c == '\r') continue;
    if (c != '\n') {
      line.append(static_cast<char>(c));
      continue;
    }
    if (line.empty()) return first ? Err::BadResponse : Err::Ok;
    on_line(line.ref(), first, out);
    first = false;
    line.clear();
  }
  return Err::Overflow;
}

bool read_exact(Stream& s, uint8_t* p, size_t len, uint32_t timeout_ms) {
  while (len) {
    const int32_t r = s.read(p, len, timeout_ms);
    if (r <= 0) return false;
    p += r;
    len -= static_cast<size_t>(r);
  }
  return true;
}

}  // namespace bh
