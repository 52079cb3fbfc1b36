#include "py_text.h"

namespace bh {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(c | 0x20);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Where the line that assigns name starts, or text.len.
size_t find_line(StrRef text, StrRef name, size_t* value_at) {
  for (size_t at = 0; at < text.len; at = text.find('\n', at) + 1) {
    StrRef line = text.sub(at, text.find('\n', at) - at);
    if (!line.starts_with(name)) continue;
    StrRef rest = line.sub(name.len).trimmed();
    if (rest.empty() || rest.data[0] != '=') continue;
    *value_at = static_cast<size_t>(rest.data + 1 - text.data);
    return at;
  }
  return text.len;
}

}  // namespace

StrRef py_value(StrRef text, StrRef name, bool* found) {
  size_t v = 0;
  const size_t at = find_line(text, name, &v);
  if (found) *found = at < text.len;
  if (at >= text.len) return StrRef();
  StrRef value = text.sub(v, text.find('\n', v) - v).trimmed();
  if (value.len && value.data[value.len - 1] == '\r') value.len--;
  return value;
}

bool py_unquote(StrRef v, StrBuf& out) {
  out.clear();
  if (v.empty() || (v.data[0] != '\'' && v.data[0] != '"')) return false;
  const char q = v.data[0];
  for (size_t i = 1; i < v.len; ++i) {
    char c = v.data[i];
    if (c == q) {
      StrRef rest = v.sub(i + 1).trimmed();
      return !out.overflow() && (rest.empty() || rest.data[0] == '#');
    }
    if (c == '\\' && i + 1 < v.len) {
      c = v.data[++i];
      if (c == 'n')
        c = '\n';
      else if (c == 'r')
        c = '\r';
      else if (c == 't')
        c = '\t';
      else if (c == 'x' && i + 2 < v.len && hex_digit(v.data[i + 1]) >= 0 &&
               hex_digit(v.data[i + 2]) >= 0) {
        c = static_cast<char>(hex_digit(v.data[i + 1]) * 16 + hex_digit(v.data[i + 2]));
        i += 2;
      }
    }
    out.append(c);
  }
  return false;  // unterminated
}

void py_quote(StrBuf& out, StrRef s) {
  out.append('\'');
  for (size_t i = 0; i < s.len; ++i) {
    const unsigned char c = static_cast<unsigned char>(s.data[i]);
    if (c == '\\' || c == '\'') {
      out.append('\\').append(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      out.appendf("\\x%02x", c);
    } else {
      out.append(static_cast<char>(c));
    }
  }
  out.append('\'');
}

bool py_set(StrBuf& text, StrRef name, StrRef literal) {
  size_t v = 0;
  StrRef all = text.ref();
  size_t at = find_line(all, name, &v);
  size_t end = at < all.len ? all.find('\n', at) : all.len;
  const bool newline_needed = at >= all.len && all.len && all.data[all.len - 1] != '\n';
  // The line written: "NAME = literal" (+ '\n' when appended at the end).
  const size_t add =
      (newline_needed ? 1 : 0) + name.len + 3 + literal.len + (end == all.len ? 1 : 0);
  const size_t old = end - at;
  if (all.len - old + add > text.capacity()) return false;
  char* d = text.data();
  if (at >= all.len) at = end = all.len;
  memmove(d + at + add, d + end, all.len - end);
  char* p = d + at;
  if (newline_needed) *p++ = '\n';
  memcpy(p, name.data, name.len);
  p += name.len;
  memcpy(p, " = ", 3);
  memcpy(p + 3, literal.data, literal.len);
  if (end == all.len) p[3 + literal.len] = '\n';
  text.set_size(all.len - old + add);
  return true;
}

}  // namespace bh
