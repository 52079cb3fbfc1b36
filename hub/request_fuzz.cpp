// libFuzzer target for everything the hub parses from a request before the
// store sees it: the target (route, query), form and query strings, JSON
// bodies, content types, and the access log's key masking.
// Build: cmake -DBH_FUZZ=ON with clang; run: hub_request_fuzz [corpus dir]
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "access_log.h"
#include "router.h"
#include "values.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // First line: Content-Type and target, split at the first space; the rest: the body.
  std::size_t nl = in.find('\n');
  std::string_view head = in.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  std::size_t sp = head.find(' ');
  std::string_view content_type = head.substr(0, sp);
  std::string_view target = sp == std::string_view::npos ? std::string_view() : head.substr(sp + 1);

  hub::Target t = hub::split_target(target);
  hub::Route r = hub::route(t.path);
  (void)hub::valid_event_name(r.event);
  (void)hub::mask_target(target);
  (void)hub::access_line("1.2.3.4:5", "GET", target, 200, 1);

  hub::ValuesResult v = hub::trigger_values(content_type, body, t.query);
  if (!v && v.error.empty()) __builtin_trap();  // a failure always says why
  // The one-pass reader of a button's body and the DOM answer alike.
  const hub::ValuesResult fast = hub::values_from_json(body), dom = hub::values_from_json_dom(body);
  if (fast.error != dom.error || fast.values.value1 != dom.values.value1 ||
      fast.values.value2 != dom.values.value2 || fast.values.value3 != dom.values.value3 ||
      fast.values.button_id != dom.values.button_id ||
      fast.values.battery_mv != dom.values.battery_mv)
    __builtin_trap();
  (void)hub::check_json_payload(body);
  (void)hub::parse_urlencoded(in);
  // Decoding only ever shrinks its input.
  if (hub::percent_decode(in, true).size() > in.size()) __builtin_trap();
  return 0;
}
