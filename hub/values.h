// Where a trigger's value1..value3 come from: a JSON body, a form body or the
// query string. Pure functions over bytes; request_fuzz.cpp fuzzes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hub {

struct Values {
  std::optional<std::string> value1, value2, value3;
  // Beyond IFTTT (which ignores other fields): which button fired, and its
  // battery in millivolts, from "button_id" and "battery_mv" fields. A
  // battery value that is not a whole number from 0 to 100000 is ignored.
  std::optional<std::string> button_id;
  std::optional<int> battery_mv;
};

// Values, or why the body could not be read (then the hub answers 400).
struct ValuesResult {
  Values values;
  std::string error;  // empty on success
  explicit operator bool() const { return error.empty(); }
};

// %XX decoding; '+' becomes a space only in form/query data. A malformed
// escape ("%G1", a trailing "%") is kept as written: devices send odd bytes
// and dropping the whole request over one of them helps nobody.
std::string percent_decode(std::string_view in, bool plus_is_space);

// "a=1&b=2" -> {{"a","1"},{"b","2"}}, decoded. Empty pairs are skipped; a
// name without '=' gets an empty value.
std::vector<std::pair<std::string, std::string>> parse_urlencoded(std::string_view in);

// "Application/JSON; charset=utf-8" -> "application/json".
std::string media_type(std::string_view content_type);
bool is_json_media_type(std::string_view media);

// value1..3 from a form or query string. When a name repeats, the first wins.
Values values_from_urlencoded(std::string_view in);

// value1..3 from a JSON object. Strings are taken as they are, null as absent,
// numbers and booleans (and nested values) as their JSON text.
ValuesResult values_from_json(std::string_view body);
// The same through nlohmann's DOM, always. values_from_json reads the body
// a button sends (one flat object of plain ASCII strings, each field once)
// without building a DOM, and hands anything else to this; tests and the
// fuzzer check that both answer alike.
ValuesResult values_from_json_dom(std::string_view body);
// The body a button sends, {"value1":"micropython1","value2":"bench"}, read
// in one pass: nullopt for anything else (an escape, a byte outside
// printable ASCII, a number, null, nesting, one of the fields twice,
// trailing text), which the DOM then reads.
std::optional<Values> flat_json_values(std::string_view body);

// The plain trigger URL: the body (JSON or form, by Content-Type) wins over
// the query string, field by field. Other content types: the body is ignored.
ValuesResult trigger_values(std::string_view content_type, std::string_view body,
                            std::string_view query);

// "button_id" / "battery_mv" (or "value1" as the button) at the top of a
// JSON payload on the JSON URL; nothing for anything else.
Values device_fields_from_json_payload(std::string_view body);

// The JSON trigger URL: any JSON document; empty means "no payload". On
// success the error is empty.
std::string check_json_payload(std::string_view body);

}  // namespace hub
