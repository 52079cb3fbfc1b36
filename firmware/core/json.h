// A JSON writer into a fixed buffer: objects of strings and numbers, enough
// for webhook bodies. Strings are escaped per RFC 8259 (", \, control
// characters as \uXXXX or short escapes); bytes >= 0x80 pass through, so
// UTF-8 stays UTF-8. Overflow is reported by the buffer, never silent.
#pragma once

#include <stdint.h>  // int32_t

#include "text.h"

namespace bh {

// Appends s as a JSON string literal, quotes included.
void json_append_string(StrBuf& out, StrRef s);

class JsonObject {
 public:
  explicit JsonObject(StrBuf& out) : out_(out) { out_.append('{'); }
  JsonObject& add(StrRef key, StrRef value);
  JsonObject& add(StrRef key, int32_t value);
  JsonObject& add_bool(StrRef key, bool value);
  // Closes the object; returns false if the buffer overflowed at any point.
  bool end();

 private:
  void key(StrRef k);
  StrBuf& out_;
  bool first_ = true;
};

}  // namespace bh
