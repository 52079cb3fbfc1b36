#include "template.h"

#include <cstdio>
#include <iterator>

#include "store.h"

namespace hub {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The placeholders, in the order of their bits in an IngredientSet, each
// with where its text goes and how it is made from the event.
struct Field {
  std::string_view name;
  std::string Ingredients::*member;
  std::string (*make)(const EventRecord&);
};
constexpr Field kFields[] = {
    {"EventName", &Ingredients::event_name, [](const EventRecord& e) { return e.event; }},
    {"OccurredAt", &Ingredients::occurred_at,
     [](const EventRecord& e) { return format_occurred_at(e.occurred_at); }},
    {"Value1", &Ingredients::value1, [](const EventRecord& e) { return e.value1; }},
    {"Value2", &Ingredients::value2, [](const EventRecord& e) { return e.value2; }},
    {"Value3", &Ingredients::value3, [](const EventRecord& e) { return e.value3; }},
    {"JsonPayload", &Ingredients::json_payload,
     [](const EventRecord& e) { return e.json_payload.value_or(""); }},
    {"EventId", &Ingredients::event_id,
     [](const EventRecord& e) { return e.id ? std::to_string(e.id) : std::string(); }},
    {"ButtonId", &Ingredients::button_id,
     [](const EventRecord& e) { return e.button_id.value_or(""); }},
    {"BatteryMv", &Ingredients::battery_mv,
     [](const EventRecord& e) {
       return e.battery_mv ? std::to_string(*e.battery_mv) : std::string();
     }},
    {"OccurredAtIso", &Ingredients::occurred_at_iso,
     [](const EventRecord& e) { return format_iso8601(e.occurred_at); }},
};

int field_index(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kFields); ++i) {
    if (kFields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// Walks a template as render() reads it: text(part) for what is copied as
// written, field(index) for each placeholder; unknown(name) for a "{{name}}"
// that is no placeholder (its "{{" is text, and the scan goes on after it).
template <class Text, class FieldAt, class Unknown>
void scan(std::string_view tmpl, Text text, FieldAt field, Unknown unknown) {
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    std::size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) break;
    std::size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    const std::string_view name = trim(tmpl.substr(open + 2, close - open - 2));
    const int index = field_index(name);
    if (index < 0) {
      unknown(name);
      text(tmpl.substr(pos, open + 2 - pos));
      pos = open + 2;
      continue;
    }
    text(tmpl.substr(pos, open - pos));
    field(index);
    pos = close + 2;
  }
  text(tmpl.substr(pos));
}

void append_escaped(std::string& out, std::string_view value, Escape escape) {
  switch (escape) {
    case Escape::kNone: out += value; break;
    case Escape::kJson: out += escape_json_string(value); break;
    case Escape::kUrl: out += escape_url_component(value); break;
  }
}

}  // namespace

Ingredients ingredients_of(const EventRecord& e, IngredientSet wanted) {
  // Only what the template names: the log's default names five of ten, and
  // formatting the rest (two dates, two numbers) cost more than its render.
  Ingredients in;
  for (std::size_t i = 0; i < std::size(kFields); ++i) {
    if ((wanted >> i) & 1u) in.*kFields[i].member = kFields[i].make(e);
  }
  return in;
}

IngredientSet ingredients_used(std::string_view tmpl) {
  IngredientSet used = 0;
  scan(
      tmpl, [](std::string_view) {}, [&used](int index) { used |= 1u << index; },
      [](std::string_view) {});
  return used;
}

std::vector<std::string> unknown_placeholders(std::string_view tmpl) {
  std::vector<std::string> unknown;
  scan(
      tmpl, [](std::string_view) {}, [](int) {},
      [&unknown](std::string_view name) { unknown.emplace_back(name); });
  return unknown;
}

std::string render(std::string_view tmpl, const Ingredients& in, Escape escape) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  scan(
      tmpl, [&out](std::string_view text) { out.append(text); },
      [&](int index) { append_escaped(out, in.*kFields[index].member, escape); },
      [](std::string_view) {});
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
