#include "values.h"

#include <nlohmann/json.hpp>

namespace hub {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void take(std::optional<std::string>& slot, std::optional<std::string> from) {
  if (!slot && from) slot = std::move(from);
}

// The text field a form or JSON name fills; nullptr for any other name
// (battery_mv is a number, read apart).
std::optional<std::string>* text_field(Values& v, std::string_view name) {
  if (name == "value1") return &v.value1;
  if (name == "value2") return &v.value2;
  if (name == "value3") return &v.value3;
  if (name == "button_id") return &v.button_id;
  return nullptr;
}

// Deeply nested JSON is legal but nothing a button sends; refusing it early
// keeps recursive work (dump, destruction) far away from the stack's end.
constexpr int kMaxJsonDepth = 64;

bool nesting_within_limit(std::string_view body) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

constexpr char kTooDeep[] = "Malformed JSON body: nested deeper than 64 levels";

std::string json_error_text(const nlohmann::json::exception& e) {
  // nlohmann's text starts with "[json.exception.parse_error.101] "; the
  // rest ("parse error at line 1, column 2: ...") is what a person needs.
  std::string what = e.what();
  std::size_t pos = what.find("] ");
  return pos == std::string::npos ? what : what.substr(pos + 2);
}

std::optional<int> battery_from_text(std::string_view s) {
  if (s.empty() || s.size() > 6) return std::nullopt;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n > 100000) return std::nullopt;
  return n;
}

std::optional<int> battery_from_json(const nlohmann::json& doc) {
  auto it = doc.find("battery_mv");
  if (it == doc.end()) return std::nullopt;
  if (it->is_number_integer() || it->is_number_unsigned()) {
    auto n = it->get<long long>();
    if (n >= 0 && n <= 100000) return static_cast<int>(n);
    return std::nullopt;
  }
  if (it->is_string()) return battery_from_text(it->get_ref<const std::string&>());
  return std::nullopt;
}

std::optional<std::string> string_field(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::string percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    // Up to the next escape, the text goes in with one copy (every request's
    // path is decoded for routing and for the access log).
    std::size_t j = i;
    while (j < in.size() && in[j] != '%' && !(plus_is_space && in[j] == '+')) ++j;
    out.append(in.data() + i, j - i);
    if (j == in.size()) break;
    const char c = in[j];
    i = j + 1;
    if (c == '%' && j + 2 < in.size()) {
      int hi = hex_digit(in[j + 1]), lo = hex_digit(in[j + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i = j + 3;
        continue;
      }
    }
    out.push_back(c == '+' && plus_is_space ? ' ' : c);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_urlencoded(std::string_view in) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!in.empty()) {
    std::size_t amp = in.find('&');
    std::string_view pair = in.substr(0, amp);
    in = amp == std::string_view::npos ? std::string_view() : in.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    pairs.emplace_back(percent_decode(name, true), percent_decode(value, true));
  }
  return pairs;
}

std::string media_type(std::string_view content_type) {
  std::string out(trim(content_type.substr(0, content_type.find(';'))));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_json_media_type(std::string_view media) {
  constexpr std::string_view kSuffix = "+json";
  return media == "application/json" ||
         (media.size() > kSuffix.size() && media.substr(media.size() - kSuffix.size()) == kSuffix);
}

Values values_from_urlencoded(std::string_view in) {
  Values v;
  for (auto& [name, value] : parse_urlencoded(in)) {
    if (std::optional<std::string>* field = text_field(v, name))
      take(*field, std::move(value));
    else if (name == "battery_mv" && !v.battery_mv)
      v.battery_mv = battery_from_text(value);
  }
  return v;
}

std::optional<Values> flat_json_values(std::string_view body) {
  std::size_t i = 0;
  auto space = [&] {
    while (i < body.size() &&
           (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
      ++i;
  };
  auto string = [&](std::string_view& out) {
    if (i >= body.size() || body[i] != '"') return false;
    const std::size_t start = ++i;
    for (; i < body.size(); ++i) {
      const auto c = static_cast<unsigned char>(body[i]);
      if (c == '"') {
        out = body.substr(start, i - start);
        ++i;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x7f) return false;
    }
    return false;
  };
  space();
  if (i >= body.size() || body[i] != '{') return std::nullopt;
  ++i;
  space();
  Values v;
  bool battery_seen = false;
  if (i < body.size() && body[i] == '}') {
    ++i;
  } else {
    for (;;) {
      std::string_view name, value;
      if (!string(name)) return std::nullopt;
      space();
      if (i >= body.size() || body[i] != ':') return std::nullopt;
      ++i;
      space();
      if (!string(value)) return std::nullopt;
      // A field twice goes to the DOM, which keeps the last one.
      if (std::optional<std::string>* field = text_field(v, name)) {
        if (*field) return std::nullopt;
        *field = std::string(value);
      } else if (name == "battery_mv") {
        if (battery_seen) return std::nullopt;
        battery_seen = true;
        v.battery_mv = battery_from_text(value);
      }
      space();
      if (i < body.size() && body[i] == ',') {
        ++i;
        space();
        continue;
      }
      if (i < body.size() && body[i] == '}') {
        ++i;
        break;
      }
      return std::nullopt;
    }
  }
  space();
  if (i != body.size()) return std::nullopt;
  return v;
}

ValuesResult values_from_json(std::string_view body) {
  // The DOM cost the I/O thread a third of its instructions per trigger.
  if (std::optional<Values> flat = flat_json_values(body)) return {std::move(*flat), {}};
  return values_from_json_dom(body);
}

ValuesResult values_from_json_dom(std::string_view body) {
  ValuesResult r;
  if (!nesting_within_limit(body)) {
    r.error = kTooDeep;
    return r;
  }
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    r.error = "Malformed JSON body: " + json_error_text(e);
    return r;
  }
  if (!doc.is_object()) {
    r.error = "JSON body must be an object like {\"value1\":\"...\"}";
    return r;
  }
  auto field = [&doc](const char* name) -> std::optional<std::string> {
    auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    return it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  r.values.value1 = field("value1");
  r.values.value2 = field("value2");
  r.values.value3 = field("value3");
  r.values.button_id = string_field(doc, "button_id");
  r.values.battery_mv = battery_from_json(doc);
  return r;
}

ValuesResult trigger_values(std::string_view content_type, std::string_view body,
                            std::string_view query) {
  ValuesResult r;
  const std::string media = media_type(content_type);
  // An empty body (curl -X POST with a JSON header and no -d) carries nothing.
  if (!body.empty()) {
    if (is_json_media_type(media)) {
      r = values_from_json(body);
      if (!r) return r;
    } else if (media == "application/x-www-form-urlencoded") {
      r.values = values_from_urlencoded(body);
    }
  }
  Values from_query = values_from_urlencoded(query);
  take(r.values.value1, std::move(from_query.value1));
  take(r.values.value2, std::move(from_query.value2));
  take(r.values.value3, std::move(from_query.value3));
  take(r.values.button_id, std::move(from_query.button_id));
  if (!r.values.battery_mv) r.values.battery_mv = from_query.battery_mv;
  return r;
}

Values device_fields_from_json_payload(std::string_view body) {
  Values v;
  if (body.empty() || !nesting_within_limit(body)) return v;
  try {
    nlohmann::json doc = nlohmann::json::parse(body);
    if (!doc.is_object()) return v;
    v.button_id = string_field(doc, "button_id");
    if (!v.button_id) v.button_id = string_field(doc, "value1");
    v.battery_mv = battery_from_json(doc);
  } catch (const nlohmann::json::exception&) {
  }
  return v;
}

std::string check_json_payload(std::string_view body) {
  if (body.empty()) return {};
  if (!nesting_within_limit(body)) return kTooDeep;
  try {
    nlohmann::json doc = nlohmann::json::parse(body);
    (void)doc;
  } catch (const nlohmann::json::exception& e) {
    return "Malformed JSON body: " + json_error_text(e);
  }
  return {};
}

}  // namespace hub
