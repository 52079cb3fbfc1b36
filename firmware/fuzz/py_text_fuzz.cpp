// libFuzzer target for py_text: what py_quote writes, py_unquote reads back
// exactly; py_set never overflows and leaves a line that py_value finds.
// Input: a name and a value, split at the first 0xff byte; the rest is text.
#include <stddef.h>  // size_t
#include <stdint.h>  // uint8_t
#include <string.h>  // memchr

#include "console/py_text.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* p = reinterpret_cast<const char*>(data);
  const char* cut = static_cast<const char*>(memchr(p, 0xff, size));
  const bh::StrRef value(p, cut ? static_cast<size_t>(cut - p) : size);
  const bh::StrRef text = cut ? bh::StrRef(cut + 1, size - value.len - 1) : bh::StrRef();

  // Quote and unquote: the same bytes.
  bh::Str<4 * 256 + 2> quoted;
  bh::Str<256> back;
  if (value.len <= 256) {
    bh::py_quote(quoted, value);
    check(!quoted.overflow());
    check(bh::py_unquote(quoted.ref(), back));
    check(back.ref().equals(value));
  }
  // Reading arbitrary text never fails hard.
  bool found = false;
  const bh::StrRef v = bh::py_value(text, "PASS", &found);
  check(v.len <= text.len);
  bh::py_unquote(v, back);

  // Setting a name: fits or leaves the text as it was; found afterwards.
  bh::Str<512> edited;
  edited.append(text.sub(0, 400));
  if (edited.ref().find('\0') != edited.size()) return 0;
  bh::Str<512> before(edited.ref());
  if (bh::py_set(edited, "NAME", "'x'")) {
    check(edited.size() <= edited.capacity());
    bool there = false;
    bh::py_value(edited.ref(), "NAME", &there);
    check(there);
  } else {
    check(edited.ref().equals(before.ref()));
  }
  return 0;
}
