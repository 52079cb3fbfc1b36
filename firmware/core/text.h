// Fixed-capacity text without the C++ standard library.
//
// Two layers, as in ETL: StrBuf does the work on storage it does not own
// (capacity erased), Str<N> owns N bytes. APIs take StrBuf& so one function
// serves every capacity. Overflow never writes past the end: the text is
// truncated and overflow() stays true until clear().
#pragma once

#include <stdarg.h>  // va_list
#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t
#include <string.h>  // memcpy, strlen

namespace bh {

// A view of bytes that are not ours: pointer + length, not NUL-terminated.
struct StrRef {
  const char* data = "";
  size_t len = 0;

  constexpr StrRef() = default;
  constexpr StrRef(const char* d, size_t n) : data(d), len(n) {}
  StrRef(const char* z) : data(z ? z : ""), len(z ? strlen(z) : 0) {}  // NOLINT: implicit on purpose

  bool empty() const { return len == 0; }
  bool equals(StrRef o) const { return len == o.len && memcmp(data, o.data, len) == 0; }
  bool equals_nocase(StrRef o) const;
  bool starts_with(StrRef o) const { return len >= o.len && memcmp(data, o.data, o.len) == 0; }
  StrRef sub(size_t from, size_t n = static_cast<size_t>(-1)) const;
  // Index of the first c at or after from, or len if none.
  size_t find(char c, size_t from = 0) const;
  StrRef trimmed() const;  // without leading/trailing spaces and tabs
};

class StrBuf {
 public:
  StrBuf(char* storage, size_t capacity) : buf_(storage), cap_(capacity) { clear(); }
  StrBuf(const StrBuf&) = delete;
  StrBuf& operator=(const StrBuf&) = delete;

  void clear() {
    len_ = 0;
    overflow_ = false;
    if (cap_) buf_[0] = '\0';
  }
  const char* c_str() const { return buf_; }
  char* data() { return buf_; }
  size_t size() const { return len_; }
  size_t capacity() const { return cap_ ? cap_ - 1 : 0; }  // one byte for the NUL
  bool empty() const { return len_ == 0; }
  bool overflow() const { return overflow_; }
  StrRef ref() const { return StrRef(buf_, len_); }

  StrBuf& append(StrRef s);
  StrBuf& append(char c);
  StrBuf& append_int(int32_t v);
  StrBuf& append_uint(uint32_t v);
  StrBuf& appendf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  StrBuf& vappendf(const char* fmt, va_list ap);
  StrBuf& assign(StrRef s) {
    clear();
    return append(s);
  }
  // Sets the length after writing into data() directly (clamped to capacity).
  void set_size(size_t n);

 private:
  char* buf_;
  size_t cap_;
  size_t len_ = 0;
  bool overflow_ = false;
};

template <size_t N>
class Str : public StrBuf {
 public:
  Str() : StrBuf(storage_, N + 1) {}
  explicit Str(StrRef s) : StrBuf(storage_, N + 1) { append(s); }
  Str(const Str& o) : StrBuf(storage_, N + 1) { append(o.ref()); }
  Str& operator=(const Str& o) {
    if (this != &o) assign(o.ref());
    return *this;
  }

 private:
  char storage_[N + 1];
};

}  // namespace bh
