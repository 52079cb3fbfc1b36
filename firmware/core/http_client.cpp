// HTTP/1.1 client: URL parsing, a push parser for responses, and the
// request/redirect loop over a Net stream. See http_client.h for the policy.
#include "http_client.h"

#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t, uint32_t, uint64_t
#include <string.h>  // memcpy

namespace bh {

namespace {

// Header lines of one response (interim 1xx ones included) may add up to
// this much; a server that sends headers forever is cut off here rather than
// by the total timeout. IFTTT's replies carry about 500 bytes of headers.
constexpr uint32_t kHeaderBytesMax = 8192;

const char kHex[] = "0123456789ABCDEF";
const char kStatusPrefix[] = "HTTP/1.";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 9110 token characters (header names, methods).
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

bool is_token(StrRef s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.len; ++i) {
    if (!is_tchar(s.data[i])) return false;
  }
  return true;
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '.' ||
         c == '_';
}

// Text that goes into a header line: no CR, LF or other control bytes
// (that would let a config value inject headers).
bool is_header_text(StrRef s) {
  for (size_t i = 0; i < s.len; ++i) {
    const unsigned char c = static_cast<unsigned char>(s.data[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
  }
  return true;
}

// Appends a path (and query) as it goes on the request line: the fragment
// is dropped, non-ASCII bytes are percent-encoded, spaces and control bytes
// are refused (they would break the request line).
Err append_path(StrBuf& out, StrRef s) {
  for (size_t i = 0; i < s.len; ++i) {
    const unsigned char c = static_cast<unsigned char>(s.data[i]);
    if (c == '#') break;
    if (c <= 0x20 || c == 0x7F) return Err::BadUrl;
    if (c >= 0x80) {
      out.append('%').append(kHex[c >> 4]).append(kHex[c & 15]);
    } else {
      out.append(static_cast<char>(c));
    }
  }
  return out.overflow() ? Err::Overflow : Err::Ok;
}

// "host[:port][/path][?query][#fragment]" after the scheme.
Err parse_authority_and_path(StrRef s, Url* out) {
  size_t i = 0;
  while (i < s.len && s.data[i] != '/' && s.data[i] != '?' && s.data[i] != '#' &&
         s.data[i] != ':') {
    // Also refuses '@' (user:password@) and '[' (IPv6 literals).
    if (!is_host_char(s.data[i])) return Err::BadUrl;
    ++i;
  }
  const StrRef host = s.sub(0, i);
  if (host.empty() || host.data[0] == '.') return Err::BadUrl;
  for (size_t k = 1; k < host.len; ++k) {
    if (host.data[k] == '.' && host.data[k - 1] == '.') return Err::BadUrl;
  }
  // Host names are case-insensitive; lowercase is their normal form
  // (RFC 3986 6.2.2.1) for DNS, the Host header and SNI alike.
  out->host.clear();
  for (size_t k = 0; k < host.len; ++k) {
    const char c = host.data[k];
    out->host.append(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  if (out->host.overflow()) return Err::Overflow;

  if (i < s.len && s.data[i] == ':') {
    ++i;
    uint32_t port = 0;
    size_t digits = 0;
    while (i < s.len && is_digit(s.data[i])) {
      port = port * 10 + static_cast<uint32_t>(s.data[i] - '0');
      if (port > 65535) return Err::BadUrl;
      ++i;
      ++digits;
    }
    if (digits == 0 || port == 0) return Err::BadUrl;
    if (i < s.len && s.data[i] != '/' && s.data[i] != '?' && s.data[i] != '#') {
      return Err::BadUrl;
    }
    out->port = static_cast<uint16_t>(port);
  }

  out->path.clear();
  const StrRef rest = s.sub(i);
  if (rest.empty() || rest.data[0] != '/') out->path.append('/');
  return append_path(out->path, rest);
}

bool starts_with_nocase(StrRef s, StrRef prefix) {
  return s.len >= prefix.len && s.sub(0, prefix.len).equals_nocase(prefix);
}

// Does the comma-separated list contain token (case-insensitive)? Also
// reports whether it was the last element.
bool list_has(StrRef list, StrRef token, bool* last) {
  bool found = false;
  size_t from = 0;
  while (from <= list.len) {
    size_t comma = list.find(',', from);
    const StrRef item = list.sub(from, comma - from).trimmed();
    const bool match = item.equals_nocase(token);
    found = found || match;
    if (last && !item.empty()) *last = match;
    from = comma + 1;
  }
  return found;
}

// Dotted IPv4 ("192.168.0.10") needs no DNS.
bool parse_ip4(StrRef s, Ip4* out) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.len || s.data[i] != '.') return false;
      ++i;
    }
    uint32_t v = 0;
    size_t digits = 0;
    while (i < s.len && is_digit(s.data[i]) && digits < 4) {
      v = v * 10 + static_cast<uint32_t>(s.data[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || digits > 3 || v > 255) return false;
    out->b[part] = static_cast<uint8_t>(v);
  }
  return i == s.len;
}

Err err_from_read(int32_t n) {
  if (n >= 0) return Err::Ok;
  const int32_t code = -n;
  if (code <= 0 || code > static_cast<int32_t>(Err::Unsupported)) return Err::IoError;
  return static_cast<Err>(code);
}

// Collects the request head in a small buffer and writes it in a few
// segments instead of one write per header.
class RequestWriter {
 public:
  RequestWriter(Stream& stream, uint8_t* buf, size_t cap, uint32_t timeout_ms)
      : stream_(stream), buf_(buf), cap_(cap), timeout_ms_(timeout_ms) {}
  RequestWriter& put(StrRef s) {
    size_t i = 0;
    while (i < s.len && err_ == Err::Ok) {
      size_t n = s.len - i;
      if (n > cap_ - used_) n = cap_ - used_;
      memcpy(buf_ + used_, s.data + i, n);
      used_ += n;
      i += n;
      if (used_ == cap_) flush();
    }
    return *this;
  }
  RequestWriter& put_uint(uint32_t v) {
    Str<10> digits;
    digits.append_uint(v);
    return put(digits.ref());
  }
  Err flush() {
    if (used_ > 0 && err_ == Err::Ok) err_ = stream_.write(buf_, used_, timeout_ms_);
    used_ = 0;
    return err_;
  }

 private:
  Stream& stream_;
  uint8_t* buf_;
  size_t cap_;
  size_t used_ = 0;
  uint32_t timeout_ms_;
  Err err_ = Err::Ok;
};

}  // namespace

// ------------------------------------------------------------- parse_url --

Err parse_url(StrRef text, Url* out) {
  out->tls = false;
  out->host.clear();
  out->port = 80;
  out->path.clear();
  if (starts_with_nocase(text, "http://")) {
    return parse_authority_and_path(text.sub(7), out);
  }
  if (starts_with_nocase(text, "https://")) {
    out->tls = true;
    out->port = 443;
    return parse_authority_and_path(text.sub(8), out);
  }
  return Err::BadUrl;
}

// ---------------------------------------------------- HttpResponseParser --

void HttpResponseParser::reset() {
  state_ = State::StatusLine;
  error_ = Err::Ok;
  status_ = 0;
  line_.clear();
  body_.clear();
  location_.clear();
  body_truncated_ = false;
  body_bytes_ = 0;
  chunked_ = false;
  keep_alive_ = true;
  has_length_ = false;
  has_transfer_encoding_ = false;
  until_close_ = false;
  content_length_ = 0;
  remaining_ = 0;
  header_bytes_ = 0;
  saw_cr_ = false;
}

void HttpResponseParser::fail(Err e) {
  state_ = State::Error;
  error_ = e;
}

size_t HttpResponseParser::feed(const uint8_t* data, size_t len) {
  size_t i = 0;
  while (i < len) {
    switch (state_) {
      case State::Done:
      case State::Error: return i;
      case State::Body:
      case State::ChunkData: {
        size_t n = len - i;
        if (!until_close_ && n > remaining_) n = remaining_;
        body_bytes_in(data + i, n);
        i += n;
        if (until_close_) break;
        remaining_ -= static_cast<uint32_t>(n);
        if (remaining_ == 0) {
          state_ = state_ == State::Body ? State::Done : State::ChunkDataEnd;
          saw_cr_ = false;
        }
        break;
      }
      case State::ChunkDataEnd: {
        // Exactly CRLF (or a bare LF) after the chunk's bytes.
        const char c = static_cast<char>(data[i++]);
        if (c == '\r' && !saw_cr_) {
          saw_cr_ = true;
        } else if (c == '\n') {
          saw_cr_ = false;
          state_ = State::ChunkSize;
        } else {
          fail(Err::BadResponse);
        }
        break;
      }
      case State::StatusLine:
      case State::Headers:
      case State::ChunkSize:
      case State::Trailers:
        if (line_byte(static_cast<char>(data[i++]))) on_line();
        break;
    }
  }
  return i;
}

bool HttpResponseParser::line_byte(char c) {
  if (saw_cr_) {
    saw_cr_ = false;
    if (c != '\n') {
      fail(Err::BadResponse);  // a bare CR inside a line
      return false;
    }
    return true;
  }
  if (c == '\n') return true;
  if (c == '\r') {
    saw_cr_ = true;
    return false;
  }
  if (state_ != State::ChunkSize && ++header_bytes_ > kHeaderBytesMax) {
    fail(Err::BadResponse);
    return false;
  }
  const unsigned char u = static_cast<unsigned char>(c);
  if ((u < 0x20 && c != '\t') || u == 0x7F) {
    fail(Err::BadResponse);
    return false;
  }
  // Refuse a reply that is not HTTP/1.x at its first wrong byte, rather
  // than after a line's worth of garbage.
  if (state_ == State::StatusLine && line_.size() < sizeof kStatusPrefix - 1 &&
      c != kStatusPrefix[line_.size()]) {
    fail(Err::BadResponse);
    return false;
  }
  if (line_.size() >= line_.capacity()) {
    fail(Err::BadResponse);  // line longer than sizes::kHttpHeaderLineMax
    return false;
  }
  line_.append(c);
  return false;
}

void HttpResponseParser::on_line() {
  const StrRef line = line_.ref();
  switch (state_) {
    case State::StatusLine: status_line(line); break;
    case State::Headers:
      if (line.empty()) {
        end_of_headers();
      } else {
        header_line(line);
      }
      break;
    case State::ChunkSize: chunk_size_line(line); break;
    case State::Trailers:
      // Trailer fields are read and dropped; the empty line ends the message.
      if (line.empty()) state_ = State::Done;
      break;
    default: break;
  }
  line_.clear();
}

void HttpResponseParser::status_line(StrRef line) {
  // HTTP/1.x SP 3DIGIT [SP reason-phrase]
  if (line.len < 12 || !line.starts_with("HTTP/1.") || !is_digit(line.data[7]) ||
      line.data[8] != ' ' || !is_digit(line.data[9]) || !is_digit(line.data[10]) ||
      !is_digit(line.data[11]) || (line.len > 12 && line.data[12] != ' ')) {
    fail(Err::BadResponse);
    return;
  }
  const int status =
      (line.data[9] - '0') * 100 + (line.data[10] - '0') * 10 + (line.data[11] - '0');
  // 101 would switch protocols, which we never ask for.
  if (status < 100 || status > 599 || status == 101) {
    fail(Err::BadResponse);
    return;
  }
  status_ = status;
  keep_alive_ = line.data[7] != '0';  // HTTP/1.0 closes unless told otherwise
  has_length_ = false;
  has_transfer_encoding_ = false;
  chunked_ = false;
  content_length_ = 0;
  location_.clear();
  state_ = State::Headers;
}

void HttpResponseParser::content_length(StrRef value) {
  // "Content-Length: 5" or, as RFC 9110 allows, "5, 5"; any disagreement
  // (within the field or with an earlier one) could smuggle a second
  // response into the body, so it is refused.
  size_t from = 0;
  for (;;) {
    const size_t comma = value.find(',', from);
    const StrRef item = value.sub(from, comma - from).trimmed();
    if (item.empty()) {
      fail(Err::BadResponse);
      return;
    }
    uint64_t n = 0;
    for (size_t i = 0; i < item.len; ++i) {
      if (!is_digit(item.data[i])) {
        fail(Err::BadResponse);  // also "-1"
        return;
      }
      n = n * 10 + static_cast<uint64_t>(item.data[i] - '0');
      if (n > 0xFFFFFFFFull) {
        fail(Err::BadResponse);
        return;
      }
    }
    if (has_length_ && content_length_ != n) {
      fail(Err::BadResponse);
      return;
    }
    has_length_ = true;
    content_length_ = static_cast<uint32_t>(n);
    if (comma >= value.len) return;
    from = comma + 1;
  }
}

void HttpResponseParser::header_line(StrRef line) {
  if (line.data[0] == ' ' || line.data[0] == '\t') {
    fail(Err::BadResponse);  // obsolete line folding
    return;
  }
  const size_t colon = line.find(':');
  const StrRef name = line.sub(0, colon);
  if (colon >= line.len || !is_token(name)) {
    fail(Err::BadResponse);  // also "Name : value", which RFC 9112 forbids
    return;
  }
  const StrRef value = line.sub(colon + 1).trimmed();
  if (name.equals_nocase("Content-Length")) {
    content_length(value);
  } else if (name.equals_nocase("Transfer-Encoding")) {
    if (value.equals_nocase("identity")) return;  // RFC 2616's no-op
    bool chunked_last = false;
    list_has(value, "chunked", &chunked_last);
    has_transfer_encoding_ = true;
    chunked_ = chunked_last;
  } else if (name.equals_nocase("Location")) {
    location_.assign(value);
    if (location_.overflow()) location_.clear();  // a cut URL must not be followed
  } else if (name.equals_nocase("Connection")) {
    if (list_has(value, "close", nullptr)) keep_alive_ = false;
    if (list_has(value, "keep-alive", nullptr)) keep_alive_ = true;
  }
}

void HttpResponseParser::end_of_headers() {
  if (status_ < 200) {
    // 100 Continue, 102, 103: interim, the real response follows.
    status_ = 0;
    has_length_ = false;
    has_transfer_encoding_ = false;
    chunked_ = false;
    location_.clear();
    keep_alive_ = true;
    state_ = State::StatusLine;
    return;
  }
  if (status_ == 204 || status_ == 304) {
    state_ = State::Done;
    return;
  }
  // RFC 9112 6.3: Transfer-Encoding wins over Content-Length; a coding
  // other than chunked last means the body runs to the close.
  if (has_transfer_encoding_) {
    if (chunked_) {
      state_ = State::ChunkSize;
    } else {
      until_close_ = true;
      state_ = State::Body;
    }
    return;
  }
  if (has_length_) {
    remaining_ = content_length_;
    state_ = remaining_ == 0 ? State::Done : State::Body;
    return;
  }
  until_close_ = true;
  state_ = State::Body;
}

void HttpResponseParser::chunk_size_line(StrRef line) {
  // chunk-size [BWS] [; chunk-ext]
  uint64_t size = 0;
  size_t i = 0;
  while (i < line.len && hex_value(line.data[i]) >= 0) {
    size = size * 16 + static_cast<uint64_t>(hex_value(line.data[i]));
    if (size > 0xFFFFFFFFull) {
      fail(Err::BadResponse);
      return;
    }
    ++i;
  }
  if (i == 0) {
    fail(Err::BadResponse);
    return;
  }
  while (i < line.len && (line.data[i] == ' ' || line.data[i] == '\t')) ++i;
  if (i < line.len && line.data[i] != ';') {
    fail(Err::BadResponse);
    return;
  }
  if (size == 0) {
    state_ = State::Trailers;
  } else {
    remaining_ = static_cast<uint32_t>(size);
    state_ = State::ChunkData;
  }
}

void HttpResponseParser::on_eof() {
  if (state_ == State::Done || state_ == State::Error) return;
  if (state_ == State::Body && until_close_) {
    state_ = State::Done;
    return;
  }
  fail(Err::Closed);
}

void HttpResponseParser::body_bytes_in(const uint8_t* data, size_t len) {
  const size_t room = body_.capacity() - body_.size();
  const size_t keep = len < room ? len : room;
  if (keep) body_.append(StrRef(reinterpret_cast<const char*>(data), keep));
  if (len > keep) body_truncated_ = true;
  body_bytes_ = body_bytes_ + len < body_bytes_ ? static_cast<size_t>(-1) : body_bytes_ + len;
}

// ------------------------------------------------------------ HttpClient --

bool HttpClient::time_left(uint32_t start, uint32_t total_ms, uint32_t step_ms, uint32_t* wait_ms) {
  if (total_ms == 0) {  // no overall limit
    *wait_ms = step_ms;
    return true;
  }
  const uint32_t elapsed = machine_.ticks_ms() - start;  // wraps correctly
  if (elapsed >= total_ms) return false;
  const uint32_t left = total_ms - elapsed;
  *wait_ms = step_ms < left ? step_ms : left;
  return true;
}

Err HttpClient::one_request(const HttpRequest& req, uint32_t start) {
  uint32_t wait = 0;
  if (!time_left(start, req.total_timeout_ms, req.timeout_ms, &wait)) return Err::Timeout;
  Ip4 ip;
  if (!parse_ip4(url_.host.ref(), &ip)) {
    const Err e = net_.resolve(url_.host.ref(), &ip, wait);
    if (e != Err::Ok) return e;
  }

  if (!time_left(start, req.total_timeout_ms, req.timeout_ms, &wait)) return Err::Timeout;
  TlsOptions tls;
  if (has_tls_) tls = tls_;
  tls.sni = url_.host.ref();
  Err e = Err::Ok;
  Stream* stream = net_.connect(ip, url_.port, wait, url_.tls ? &tls : nullptr, &e);
  if (!stream) return e != Err::Ok ? e : Err::ConnectFailed;

  // One buffer serves the request head, then the reads.
  uint8_t io[sizes::kHttpIoChunk];
  if (!time_left(start, req.total_timeout_ms, req.timeout_ms, &wait)) {
    stream->close();
    return Err::Timeout;
  }
  RequestWriter w(*stream, io, sizeof io, wait);
  w.put(req.method).put(" ").put(url_.path.ref()).put(" HTTP/1.1\r\n");
  w.put("Host: ").put(url_.host.ref());
  if (url_.port != (url_.tls ? 443 : 80)) w.put(":").put_uint(url_.port);
  w.put("\r\nUser-Agent: buttonhook/0.1\r\n");
  if (!req.content_type.empty()) w.put("Content-Type: ").put(req.content_type).put("\r\n");
  const bool sends_body = !req.body.empty() || req.method.equals("POST") ||
                          req.method.equals("PUT") || req.method.equals("PATCH");
  if (sends_body) {
    w.put("Content-Length: ").put_uint(static_cast<uint32_t>(req.body.len)).put("\r\n");
  }
  for (size_t i = 0; i < req.header_count; ++i) w.put(req.headers[i]).put("\r\n");
  w.put("Connection: close\r\n\r\n");
  e = w.flush();
  if (e == Err::Ok && !req.body.empty()) {
    e = stream->write(reinterpret_cast<const uint8_t*>(req.body.data), req.body.len, wait);
  }

  while (e == Err::Ok) {
    if (!time_left(start, req.total_timeout_ms, req.timeout_ms, &wait)) {
      e = Err::Timeout;
      break;
    }
    const int32_t n = stream->read(io, sizeof io, wait);
    if (n > 0) {
      if (static_cast<size_t>(n) > sizeof io) {
        e = Err::IoError;  // a broken port; never trust the count
        break;
      }
      parser_.feed(io, static_cast<size_t>(n));
    } else if (n == 0) {
      parser_.on_eof();
    } else {
      e = err_from_read(n);
      break;
    }
    if (parser_.failed()) e = parser_.error();
    if (parser_.done() || parser_.failed()) break;
  }
  stream->close();
  return e;
}

Err HttpClient::follow_location(StrRef loc) {
  if (starts_with_nocase(loc, "http://") || starts_with_nocase(loc, "https://")) {
    return parse_url(loc, &url_);
  }
  if (loc.starts_with("//")) {  // same scheme, other host
    url_.port = url_.tls ? 443 : 80;
    return parse_authority_and_path(loc.sub(2), &url_);
  }
  // Another scheme ("ftp:", "mailto:") before any '/', '?' or '#'.
  for (size_t i = 0; i < loc.len; ++i) {
    const char c = loc.data[i];
    if (c == '/' || c == '?' || c == '#') break;
    if (c == ':') return Err::BadUrl;
  }
  if (loc.starts_with("#")) return Err::Ok;  // the same resource
  if (loc.starts_with("/")) {
    url_.path.clear();
    return append_path(url_.path, loc);
  }
  // Relative to the current path: "?q" replaces the query, "x" the last
  // segment. Dot segments are left to the server.
  const size_t query = url_.path.ref().find('?');
  size_t keep = query;
  if (!loc.starts_with("?")) {
    while (keep > 0 && url_.path.c_str()[keep - 1] != '/') --keep;
  }
  url_.path.set_size(keep);
  return append_path(url_.path, loc);
}

void HttpClient::request(const HttpRequest& req, HttpResult* out) {
  const uint32_t start = machine_.ticks_ms();
  out->err = Err::Ok;
  out->status = 0;
  out->body.clear();
  out->body_truncated = false;
  out->redirects = 0;

  Err e = Err::Ok;
  // Everything that goes into the request head must be clean text.
  if (!is_token(req.method) || !is_header_text(req.content_type) ||
      req.header_count > sizeof req.headers / sizeof req.headers[0]) {
    e = Err::Invalid;
  }
  for (size_t i = 0; e == Err::Ok && i < req.header_count; ++i) {
    const StrRef h = req.headers[i];
    const size_t colon = h.find(':');
    if (!is_header_text(h) || colon >= h.len || !is_token(h.sub(0, colon))) e = Err::Invalid;
  }
  // The parser cannot tell a HEAD reply's missing body from a slow one.
  if (e == Err::Ok && req.method.equals("HEAD")) e = Err::Unsupported;
  url_.host.clear();  // url(): no host tried yet
  if (e == Err::Ok) {
    e = parse_url(req.url, &url_);
    if (e != Err::Ok) url_.host.clear();
  }

  while (e == Err::Ok) {
    parser_.reset();
    e = one_request(req, start);
    if (parser_.status() != 0) {
      out->status = parser_.status();
      out->body.assign(parser_.body());
      out->body_truncated = parser_.body_truncated();
    }
    if (e != Err::Ok) break;

    const int status = parser_.status();
    if (status >= 400) {
      e = Err::HttpStatus;
      break;
    }
    if (status < 300) break;

    // 3xx: follow only what the policy in http_client.h allows.
    const bool safe = req.method.equals("GET");
    const bool keeps_method = status == 307 || status == 308;
    const bool redirect = keeps_method || status == 301 || status == 302 || status == 303;
    if (!redirect || (!safe && !keeps_method) || parser_.location().empty()) {
      e = Err::RedirectNotFollowed;
      break;
    }
    if (out->redirects >= sizes::kHttpMaxRedirects) {
      e = Err::TooManyRedirects;
      break;
    }
    const bool was_tls = url_.tls;
    if (follow_location(parser_.location()) != Err::Ok || url_.tls != was_tls) {
      e = Err::RedirectNotFollowed;  // unusable Location, or a change of scheme
      break;
    }
    ++out->redirects;
  }
  out->err = e;
  out->elapsed_ms = machine_.ticks_ms() - start;
}

}  // namespace bh
