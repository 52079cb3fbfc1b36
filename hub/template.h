// IFTTT's ingredient templates: "{{EventName}} at {{OccurredAt}}". Used by
// every action (log now; email, HTTP and MQTT later), so it knows nothing of
// any of them: an escape mode says what the output is embedded in.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "time_format.h"

namespace hub {

struct EventRecord;

struct Ingredients {
  std::string event_name;
  std::string occurred_at;  // already in IFTTT's format, see format_occurred_at
  std::string value1, value2, value3;
  std::string json_payload;
  // The hub's own, beyond IFTTT's: "" when unknown.
  std::string event_id;         // the stored event's id, e.g. for a receiver's dedup
  std::string button_id;        // EventRecord::button_id
  std::string battery_mv;       // "3012" when the button sent battery_mv
  std::string occurred_at_iso;  // "2026-11-25T06:30:00.123Z"
};

// Which ingredients a template names (a bit per placeholder), so that an
// action fills only those.
using IngredientSet = unsigned;
inline constexpr IngredientSet kAllIngredients = ~0u;
IngredientSet ingredients_used(std::string_view tmpl);

// The event's ingredients; those not `wanted` stay empty.
Ingredients ingredients_of(const EventRecord& event, IngredientSet wanted = kAllIngredients);

enum class Escape {
  kNone,  // plain text: the log, an email body
  kJson,  // inside a JSON string literal: the quotes are the template's
  kUrl,   // a URL component: percent-encoded, RFC 3986 unreserved kept
};

// Replaces {{EventName}} {{OccurredAt}} {{Value1}} {{Value2}} {{Value3}}
// {{JsonPayload}} and the hub's {{EventId}} {{ButtonId}} {{BatteryMv}}
// {{OccurredAtIso}} (spaces inside the braces allowed). Anything else,
// including unknown names and an unclosed "{{", is copied as written, so a
// typo shows up in the output instead of vanishing.
std::string render(std::string_view tmpl, const Ingredients& in, Escape escape = Escape::kNone);

// The names between "{{" and "}}" in `tmpl` that render() does not know,
// for the applets file check ("{{Valu1}}" is a typo, not text).
std::vector<std::string> unknown_placeholders(std::string_view tmpl);

std::string escape_json_string(std::string_view s);
std::string escape_url_component(std::string_view s);

}  // namespace hub
