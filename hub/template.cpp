#include "template.h"

#include <cstdio>

#include "store.h"

namespace hub {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

const std::string* lookup(std::string_view name, const Ingredients& in) {
  if (name == "EventName") return &in.event_name;
  if (name == "OccurredAt") return &in.occurred_at;
  if (name == "Value1") return &in.value1;
  if (name == "Value2") return &in.value2;
  if (name == "Value3") return &in.value3;
  if (name == "JsonPayload") return &in.json_payload;
  if (name == "EventId") return &in.event_id;
  if (name == "ButtonId") return &in.button_id;
  if (name == "BatteryMv") return &in.battery_mv;
  if (name == "OccurredAtIso") return &in.occurred_at_iso;
  return nullptr;
}

void append_escaped(std::string& out, std::string_view value, Escape escape) {
  switch (escape) {
    case Escape::kNone: out += value; break;
    case Escape::kJson: out += escape_json_string(value); break;
    case Escape::kUrl: out += escape_url_component(value); break;
  }
}

}  // namespace

Ingredients ingredients_of(const EventRecord& e) {
  Ingredients in;
  in.event_name = e.event;
  in.occurred_at = format_occurred_at(e.occurred_at);
  in.value1 = e.value1;
  in.value2 = e.value2;
  in.value3 = e.value3;
  in.json_payload = e.json_payload.value_or("");
  in.event_id = e.id ? std::to_string(e.id) : "";
  in.button_id = e.button_id.value_or("");
  in.battery_mv = e.battery_mv ? std::to_string(*e.battery_mv) : "";
  in.occurred_at_iso = format_iso8601(e.occurred_at);
  return in;
}

std::vector<std::string> unknown_placeholders(std::string_view tmpl) {
  static const Ingredients kEmpty;
  std::vector<std::string> unknown;
  std::size_t pos = 0;
  for (;;) {
    std::size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) break;
    std::size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    std::string_view name = trim(tmpl.substr(open + 2, close - open - 2));
    if (!lookup(name, kEmpty)) {
      unknown.emplace_back(name);
      pos = open + 2;
    } else {
      pos = close + 2;
    }
  }
  return unknown;
}

std::string render(std::string_view tmpl, const Ingredients& in, Escape escape) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    std::size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) break;
    std::size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    const std::string* value = lookup(trim(tmpl.substr(open + 2, close - open - 2)), in);
    if (!value) {
      // Not ours: copy the "{{" and look for a placeholder after it.
      out.append(tmpl, pos, open + 2 - pos);
      pos = open + 2;
      continue;
    }
    out.append(tmpl, pos, open - pos);
    append_escaped(out, *value, escape);
    pos = close + 2;
  }
  out.append(tmpl.substr(pos));
  return out;
}

std::string escape_json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string escape_url_component(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace hub
