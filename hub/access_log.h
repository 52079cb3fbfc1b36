// One line per request on stderr. Keys are secrets that travel in URLs, so
// the target is masked before it is ever written anywhere.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hub {

// "/trigger/e/with/key/SECRET?key=SECRET&v=1" -> "/trigger/e/with/key/***?key=***&v=1":
// the segment after any "/key/" and the value of any "key" query parameter.
std::string mask_target(std::string_view target);

// "127.0.0.1:40312 POST /trigger/button_pressed/with/key/*** 200 812us"
// Method and target are sent by the client: control characters are replaced
// so one request is always one line.
std::string access_line(std::string_view remote, std::string_view method, std::string_view target,
                        int status, std::int64_t micros);

}  // namespace hub
