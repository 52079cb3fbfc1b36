// IFTTT's ingredient templates: "{{EventName}} at {{OccurredAt}}". Used by
// every action (log now; email, HTTP and MQTT later), so it knows nothing of
// any of them: an escape mode says what the output is embedded in.
#pragma once

#include <string>
#include <string_view>

#include "time_format.h"

namespace hub {

struct EventRecord;

struct Ingredients {
  std::string event_name;
  std::string occurred_at;  // already in IFTTT's format, see format_occurred_at
  std::string value1, value2, value3;
  std::string json_payload;
};

Ingredients ingredients_of(const EventRecord& event);

enum class Escape {
  kNone,  // plain text: the log, an email body
  kJson,  // inside a JSON string literal: the quotes are the template's
  kUrl,   // a URL component: percent-encoded, RFC 3986 unreserved kept
};

// Replaces {{EventName}} {{OccurredAt}} {{Value1}} {{Value2}} {{Value3}}
// {{JsonPayload}} (spaces inside the braces allowed). Anything else,
// including unknown names and an unclosed "{{", is copied as written, so a
// typo shows up in the output instead of vanishing.
std::string render(std::string_view tmpl, const Ingredients& in, Escape escape = Escape::kNone);

std::string escape_json_string(std::string_view s);
std::string escape_url_component(std::string_view s);

}  // namespace hub
