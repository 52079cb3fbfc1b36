// The dashboard page (dashboard/index.html: HTML, CSS and script in one
// file, no CDN), compiled into the binary as bytes by CMake.
#pragma once

#include <string_view>

namespace hub {

std::string_view dashboard_html();

}  // namespace hub
