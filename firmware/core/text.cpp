#include "text.h"

#include <stdio.h>  // vsnprintf

namespace bh {

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool StrRef::equals_nocase(StrRef o) const {
  if (len != o.len) return false;
  for (size_t i = 0; i < len; ++i) {
    if (lower(data[i]) != lower(o.data[i])) return false;
  }
  return true;
}

StrRef StrRef::sub(size_t from, size_t n) const {
  if (from > len) from = len;
  if (n > len - from) n = len - from;
  return StrRef(data + from, n);
}

size_t StrRef::find(char c, size_t from) const {
  for (size_t i = from; i < len; ++i) {
    if (data[i] == c) return i;
  }
  return len;
}

StrRef StrRef::trimmed() const {
  size_t b = 0;
  size_t e = len;
  while (b < e && (data[b] == ' ' || data[b] == '\t')) ++b;
  while (e > b && (data[e - 1] == ' ' || data[e - 1] == '\t')) --e;
  return StrRef(data + b, e - b);
}

StrBuf& StrBuf::append(StrRef s) {
  size_t room = capacity() - len_;
  size_t n = s.len;
  if (n > room) {
    n = room;
    overflow_ = true;
  }
  if (n) memcpy(buf_ + len_, s.data, n);
  len_ += n;
  if (cap_) buf_[len_] = '\0';
  return *this;
}

StrBuf& StrBuf::append(char c) { return append(StrRef(&c, 1)); }

StrBuf& StrBuf::append_uint(uint32_t v) {
  char tmp[11];
  size_t i = sizeof tmp;
  do {
    tmp[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  return append(StrRef(tmp + i, sizeof tmp - i));
}

StrBuf& StrBuf::append_int(int32_t v) {
  if (v < 0) {
    append('-');
    // Negate in unsigned arithmetic so INT32_MIN does not overflow.
    return append_uint(0u - static_cast<uint32_t>(v));
  }
  return append_uint(static_cast<uint32_t>(v));
}

StrBuf& StrBuf::vappendf(const char* fmt, va_list ap) {
  if (cap_ == 0) {  // no byte for even the NUL: only measure
    if (vsnprintf(nullptr, 0, fmt, ap) > 0) overflow_ = true;
    return *this;
  }
  size_t room = capacity() - len_;
  int n = vsnprintf(buf_ + len_, room + 1, fmt, ap);
  if (n < 0) return *this;
  if (static_cast<size_t>(n) > room) {
    overflow_ = true;
    n = static_cast<int>(room);
  }
  len_ += static_cast<size_t>(n);
  return *this;
}

StrBuf& StrBuf::appendf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vappendf(fmt, ap);
  va_end(ap);
  return *this;
}

void StrBuf::set_size(size_t n) {
  len_ = n > capacity() ? capacity() : n;
  if (cap_) buf_[len_] = '\0';
}

}  // namespace bh
