// Small Python assignment files the board keeps (config.py, webrepl_cfg.py,
// ap_cfg.py): find a `NAME = value` line, read a quoted string, replace or
// add a line. config.py's full syntax and checks stay in config.h; these
// helpers only edit text that parse_config() then checks.
#pragma once

#include "text.h"

namespace bh {

// The text after `NAME =` on the first line that assigns NAME (trimmed, up
// to the end of the line), or an empty StrRef with data == nullptr-like
// "" if there is none. found is set when the line exists.
StrRef py_value(StrRef text, StrRef name, bool* found = nullptr);
// A quoted Python string ('...' or "...", escapes \\ \' \" \n \r \t \xHH)
// into out; false if value is not one (a trailing # comment is allowed).
bool py_unquote(StrRef value, StrBuf& out);
// s as a single-quoted Python string.
void py_quote(StrBuf& out, StrRef s);
// Replaces the line that assigns NAME with `NAME = literal`, or appends it.
// False (text unchanged) if the result does not fit.
bool py_set(StrBuf& text, StrRef name, StrRef literal);

}  // namespace bh
