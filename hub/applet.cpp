#include "applet.h"

#include <fnmatch.h>

namespace hub {
namespace {

bool matches(const std::optional<std::string>& pattern, std::string_view value) {
  return !pattern || glob_match(*pattern, value);
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  // fnmatch wants C strings; values may hold NUL bytes, which never match.
  if (text.find('\0') != std::string_view::npos) return false;
  return fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), 0) == 0;
}

bool EventFilter::matches(const EventRecord& e) const {
  return glob_match(event, e.event) && hub::matches(value1, e.value1) &&
         hub::matches(value2, e.value2) && hub::matches(value3, e.value3) &&
         hub::matches(button, e.button_id.value_or(""));
}

}  // namespace hub
