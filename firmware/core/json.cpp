// JSON writing for webhook bodies. Compact output ({"value1":"x"}): the
// body is counted against sizes::kHttpRequestBodyMax, so no spaces.
#include "json.h"

#include <stddef.h>  // size_t
#include <stdint.h>  // int32_t

namespace bh {

void json_append_string(StrBuf& out, StrRef s) {
  static const char kHex[] = "0123456789abcdef";
  out.append('"');
  size_t run = 0;  // bytes copied as they are, flushed in one append
  for (size_t i = 0; i < s.len; ++i) {
    const unsigned char c = static_cast<unsigned char>(s.data[i]);
    const char* esc = nullptr;
    switch (c) {
      case '"': esc = "\\\""; break;
      case '\\': esc = "\\\\"; break;
      case '\b': esc = "\\b"; break;
      case '\f': esc = "\\f"; break;
      case '\n': esc = "\\n"; break;
      case '\r': esc = "\\r"; break;
      case '\t': esc = "\\t"; break;
      default: break;
    }
    // RFC 8259 section 7: only '"', '\' and U+0000..U+001F must be escaped;
    // DEL and bytes >= 0x80 (UTF-8) go through unchanged.
    if (!esc && c >= 0x20) {
      ++run;
      continue;
    }
    out.append(s.sub(i - run, run));
    run = 0;
    if (esc) {
      out.append(esc);
    } else {
      const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(StrRef(u, sizeof u));
    }
  }
  out.append(s.sub(s.len - run, run));
  out.append('"');
}

void JsonObject::key(StrRef k) {
  if (!first_) out_.append(',');
  first_ = false;
  json_append_string(out_, k);
  out_.append(':');
}

JsonObject& JsonObject::add(StrRef k, StrRef value) {
  key(k);
  json_append_string(out_, value);
  return *this;
}

JsonObject& JsonObject::add(StrRef k, int32_t value) {
  key(k);
  out_.append_int(value);
  return *this;
}

JsonObject& JsonObject::add_bool(StrRef k, bool value) {
  key(k);
  out_.append(value ? "true" : "false");
  return *this;
}

bool JsonObject::end() {
  out_.append('}');
  return !out_.overflow();
}

}  // namespace bh
