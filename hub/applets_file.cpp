// Reading and checking the applets file. Every error names the file and the
// line, says what is wrong and, where it helps, what would be right.
#include <toml++/toml.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <set>

#include "applets_config.h"
#include "message.h"

namespace hub {
namespace {

constexpr const char* kDefaultMqttPayload =
    R"({"event":"{{EventName}}","occurred_at":"{{OccurredAtIso}}","button":"{{ButtonId}}",)"
    R"("value1":"{{Value1}}","value2":"{{Value2}}","value3":"{{Value3}}"})";

class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void fail(const toml::node& node, const std::string& what) const {
    throw ConfigError(name_ + ":" + std::to_string(node.source().begin.line) + ": " + what);
  }

  const toml::table& table(const toml::node& node, const std::string& what) const {
    const toml::table* t = node.as_table();
    if (!t) fail(node, what + " must be a table");
    return *t;
  }

  // Refuses settings a table does not know, so a typo never leaves a default.
  void only(const toml::table& t, const std::string& where,
            std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : t) {
      bool ok = false;
      for (std::string_view k : known) ok = ok || key.str() == k;
      if (!ok) {
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        fail(value, "unknown setting " + where + "." + std::string(key.str()) + " (known: " +
                        list + ")");
      }
    }
  }

  std::optional<std::string> text(const toml::table& t, std::string_view key) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    auto v = node->value<std::string>();
    if (!v) fail(*node, std::string(key) + " must be a string (in quotes)");
    return *v;
  }

  std::string required_text(const toml::table& t, std::string_view key,
                            const std::string& where) const {
    auto v = text(t, key);
    if (!v || v->empty()) fail(t, where + " needs " + std::string(key) + " = \"...\"");
    return *v;
  }

  std::optional<bool> boolean(const toml::table& t, std::string_view key) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    auto v = node->value<bool>();
    if (!v) fail(*node, std::string(key) + " must be true or false");
    return *v;
  }

  std::optional<std::int64_t> integer(const toml::table& t, std::string_view key, std::int64_t min,
                                      std::int64_t max) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    auto v = node->value<std::int64_t>();
    if (!v || *v < min || *v > max) {
      fail(*node, std::string(key) + " must be a whole number from " + std::to_string(min) +
                      " to " + std::to_string(max));
    }
    return *v;
  }

  std::optional<std::chrono::milliseconds> millis(const toml::table& t,
                                                  std::string_view key) const {
    auto v = integer(t, key, 1, 3600 * 1000);
    if (!v) return std::nullopt;
    return std::chrono::milliseconds(*v);
  }

  // A template: unknown {{placeholders}} are typos.
  std::optional<std::string> tmpl(const toml::table& t, std::string_view key) const {
    auto v = text(t, key);
    if (v) check_template(*t.get(key), *v);
    return v;
  }

  void check_template(const toml::node& node, const std::string& text) const {
    auto unknown = unknown_placeholders(text);
    if (!unknown.empty()) {
      fail(node, "unknown ingredient {{" + unknown.front() +
                     "}} (known: EventName, OccurredAt, Value1, Value2, Value3, JsonPayload, "
                     "EventId, ButtonId, BatteryMv, OccurredAtIso)");
    }
  }

  // `password`, or `password_env` naming an environment variable (so the
  // secret can stay out of the file, e.g. in systemd's EnvironmentFile).
  std::string password(const toml::table& t) const {
    auto direct = text(t, "password");
    auto env = text(t, "password_env");
    if (direct && env) fail(*t.get("password_env"), "give password or password_env, not both");
    if (!env) return direct.value_or("");
    const char* value = std::getenv(env->c_str());
    if (!value) {
      fail(*t.get("password_env"),
           "password_env: the environment variable " + *env + " is not set");
    }
    return value;
  }

 private:
  std::string name_;
};

Escape escape_setting(const Reader& r, const toml::table& t, Escape automatic) {
  auto v = r.text(t, "escape");
  if (!v || *v == "auto") return automatic;
  if (*v == "json") return Escape::kJson;
  if (*v == "url") return Escape::kUrl;
  if (*v == "none") return Escape::kNone;
  r.fail(*t.get("escape"), "escape must be \"auto\", \"json\", \"url\" or \"none\"");
}

// A JSON object or array, not a template that starts with "{{Value1}}".
bool looks_like_json(std::string_view text) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return false;
  if (text.compare(first, 2, "{{") == 0) return false;
  return text[first] == '{' || text[first] == '[';
}

SmtpSettings read_smtp(const Reader& r, const toml::table& t) {
  r.only(t, "smtp",
         {"url", "tls", "username", "password", "password_env", "from", "ca_file", "tls_verify",
          "timeout_ms"});
  SmtpSettings s;
  s.url = r.required_text(t, "url", "[smtp]");
  if (s.url.rfind("smtp://", 0) != 0 && s.url.rfind("smtps://", 0) != 0) {
    r.fail(*t.get("url"), "smtp.url must start with smtp:// or smtps://, e.g. "
                          "\"smtp://mail.example.com:587\"");
  }
  s.tls = s.url.rfind("smtps://", 0) == 0 ? SmtpTls::kImplicit : SmtpTls::kStartTls;
  if (auto tls = r.text(t, "tls")) {
    if (*tls == "starttls")
      s.tls = SmtpTls::kStartTls;
    else if (*tls == "implicit")
      s.tls = SmtpTls::kImplicit;
    else if (*tls == "none")
      s.tls = SmtpTls::kNone;
    else
      r.fail(*t.get("tls"), "smtp.tls must be \"starttls\", \"implicit\" or \"none\"");
  }
  s.username = r.text(t, "username").value_or("");
  s.password = r.password(t);
  s.from = r.text(t, "from").value_or("");
  s.ca_file = r.text(t, "ca_file").value_or("");
  s.tls_verify = r.boolean(t, "tls_verify").value_or(true);
  s.timeout = r.millis(t, "timeout_ms").value_or(s.timeout);
  if (s.tls == SmtpTls::kNone && !s.password.empty()) {
    r.fail(t, "[smtp] would send a password without TLS: use tls = \"starttls\" or \"implicit\"");
  }
  return s;
}

MqttSettings read_mqtt(const Reader& r, const toml::table& t) {
  r.only(t, "mqtt",
         {"host", "port", "client_id", "username", "password", "password_env", "tls", "ca_file",
          "tls_verify", "keepalive_s", "timeout_ms"});
  MqttSettings s;
  s.host = r.text(t, "host").value_or(s.host);
  s.tls = r.boolean(t, "tls").value_or(false);
  s.port = static_cast<int>(r.integer(t, "port", 1, 65535).value_or(s.tls ? 8883 : 1883));
  s.client_id = r.text(t, "client_id").value_or(s.client_id);
  s.username = r.text(t, "username").value_or("");
  s.password = r.password(t);
  s.ca_file = r.text(t, "ca_file").value_or("");
  s.tls_verify = r.boolean(t, "tls_verify").value_or(true);
  s.keepalive_s = static_cast<int>(r.integer(t, "keepalive_s", 5, 3600).value_or(30));
  s.timeout = r.millis(t, "timeout_ms").value_or(s.timeout);
  return s;
}

HomeAssistantSettings read_home_assistant(const Reader& r, const toml::table& t) {
  r.only(t, "home_assistant", {"discovery", "discovery_prefix", "base_topic"});
  HomeAssistantSettings s;
  s.enabled = r.boolean(t, "discovery").value_or(true);
  s.discovery_prefix = r.text(t, "discovery_prefix").value_or(s.discovery_prefix);
  s.base_topic = r.text(t, "base_topic").value_or(s.base_topic);
  for (const std::string* topic : {&s.discovery_prefix, &s.base_topic}) {
    if (topic->empty() || topic->find_first_of("+#") != std::string::npos) {
      r.fail(t, "home_assistant topics must be non-empty and without + or #");
    }
  }
  return s;
}

EventFilter read_filter(const Reader& r, const toml::table& applet, const std::string& where) {
  const toml::node* node = applet.get("if");
  if (!node) {
    r.fail(applet, where + " needs an if, e.g. if = { event = \"button_pressed\" } "
                           "(or event = \"*\" for every event)");
  }
  const toml::table& t = r.table(*node, where + ".if");
  r.only(t, where + ".if", {"event", "value1", "value2", "value3", "button"});
  EventFilter f;
  f.event = r.required_text(t, "event", where + ".if");
  for (char c : f.event) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("_.-*?[]!").find(c) != std::string_view::npos;
    if (!ok) {
      r.fail(*t.get("event"), "if.event '" + f.event +
                                  "': event names use A-Z a-z 0-9 _ . - (globs add * ? [...])");
    }
  }
  f.value1 = r.text(t, "value1");
  f.value2 = r.text(t, "value2");
  f.value3 = r.text(t, "value3");
  f.button = r.text(t, "button");
  return f;
}

ActionSpec read_log(const Reader& r, const toml::table& t, const std::string& where) {
  r.only(t, where, {"action", "text"});
  LogSpec s;
  s.text = r.tmpl(t, "text").value_or(std::string(kTutorialSubject) + "\n" + kTutorialBody);
  return s;
}

ActionSpec read_email(const Reader& r, const toml::table& t, const std::string& where,
                      const AppletsConfig& config) {
  r.only(t, where, {"action", "to", "from", "subject", "body"});
  if (!config.smtp) r.fail(t, where + ": an email action needs an [smtp] section in this file");
  EmailSpec s;
  const toml::node* to = t.get("to");
  if (!to) r.fail(t, where + " needs to = \"you@example.com\" (or a list)");
  if (auto one = to->value<std::string>()) {
    s.to.push_back(*one);
  } else if (const toml::array* many = to->as_array()) {
    for (const toml::node& n : *many) {
      auto address = n.value<std::string>();
      if (!address) r.fail(n, "to holds strings");
      s.to.push_back(*address);
    }
  }
  if (s.to.empty()) r.fail(*to, "to must be an address or a list of addresses");
  for (const std::string& address : s.to) {
    if (address.find('@') == std::string::npos ||
        address.find_first_of("\r\n<>, ") != std::string::npos) {
      r.fail(*to, "'" + address + "' is not a plain address like you@example.com");
    }
  }
  s.from = r.text(t, "from").value_or(config.smtp->from);
  if (s.from.empty()) r.fail(t, where + " needs from = \"...\" here or in [smtp]");
  s.subject = r.tmpl(t, "subject").value_or(kTutorialSubject);
  s.body = r.tmpl(t, "body").value_or(kTutorialBody);
  return s;
}

ActionSpec read_http(const Reader& r, const toml::table& t, const std::string& where) {
  r.only(t, where,
         {"action", "method", "url", "headers", "body", "escape", "timeout_ms", "ca_file",
          "tls_verify"});
  HttpSpec s;
  s.url = r.required_text(t, "url", where);
  r.check_template(*t.get("url"), s.url);
  if (s.url.rfind("http://", 0) != 0 && s.url.rfind("https://", 0) != 0) {
    r.fail(*t.get("url"), "url must start with http:// or https://");
  }
  s.method = r.text(t, "method").value_or(s.method);
  for (char& c : s.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::set<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  if (!kMethods.count(s.method)) {
    r.fail(*t.get("method"), "method must be GET, POST, PUT, PATCH or DELETE");
  }
  bool json_type = false;
  if (const toml::node* headers = t.get("headers")) {
    for (const auto& [name, value] : r.table(*headers, where + ".headers")) {
      auto v = value.value<std::string>();
      if (!v) r.fail(value, "header values must be strings");
      r.check_template(value, *v);
      const std::string header(name.str());
      if (header.empty() || header.find_first_of(": \r\n") != std::string::npos) {
        r.fail(value, "'" + header + "' is not a header name");
      }
      if (iequals(header, "Content-Type") && v->find("json") != std::string::npos) json_type = true;
      s.headers.emplace_back(header, *v);
    }
  }
  s.body = r.tmpl(t, "body").value_or("");
  s.body_escape = escape_setting(r, t, json_type || looks_like_json(s.body) ? Escape::kJson
                                                                            : Escape::kNone);
  s.timeout = r.millis(t, "timeout_ms").value_or(s.timeout);
  s.ca_file = r.text(t, "ca_file").value_or("");
  s.tls_verify = r.boolean(t, "tls_verify").value_or(true);
  return s;
}

ActionSpec read_mqtt_action(const Reader& r, const toml::table& t, const std::string& where,
                            const AppletsConfig& config) {
  r.only(t, where, {"action", "topic", "payload", "escape", "qos", "retain"});
  if (!config.mqtt) r.fail(t, where + ": an mqtt action needs an [mqtt] section in this file");
  MqttSpec s;
  s.topic = r.required_text(t, "topic", where);
  r.check_template(*t.get("topic"), s.topic);
  if (s.topic.find_first_of("+#") != std::string::npos) {
    r.fail(*t.get("topic"), "a topic to publish to has no wildcards (+ or #)");
  }
  s.payload = r.tmpl(t, "payload").value_or(kDefaultMqttPayload);
  s.payload_escape = escape_setting(r, t, looks_like_json(s.payload) ? Escape::kJson : Escape::kNone);
  s.qos = static_cast<int>(r.integer(t, "qos", 0, 2).value_or(1));
  s.retain = r.boolean(t, "retain").value_or(false);
  return s;
}

ActionSpec read_action(const Reader& r, const toml::node& node, const std::string& where,
                       const AppletsConfig& config) {
  const toml::table& t = r.table(node, where);
  auto kind = r.text(t, "action");
  if (!kind) r.fail(t, where + " needs action = \"email\", \"http\", \"mqtt\" or \"log\"");
  if (*kind == "log") return read_log(r, t, where);
  if (*kind == "email") return read_email(r, t, where, config);
  if (*kind == "http") return read_http(r, t, where);
  if (*kind == "mqtt") return read_mqtt_action(r, t, where, config);
  r.fail(*t.get("action"), "unknown action \"" + *kind +
                               "\" (actions: email, http, mqtt, log)");
}

AppletSpec read_applet(const Reader& r, const toml::node& node, std::size_t index,
                       const AppletsConfig& config) {
  const std::string where = "applet[" + std::to_string(index + 1) + "]";
  const toml::table& t = r.table(node, "each [[applet]]");
  r.only(t, where, {"name", "if", "then"});
  AppletSpec a;
  a.line = static_cast<int>(t.source().begin.line);
  a.name = r.required_text(t, "name", where);
  if (a.name == kHomeAssistantApplet) r.fail(*t.get("name"), "the name " + a.name + " is taken");
  a.filter = read_filter(r, t, where + " (" + a.name + ")");
  const toml::node* then = t.get("then");
  const toml::array* list = then ? then->as_array() : nullptr;
  if (!list || list->empty()) {
    r.fail(then ? *then : node, "applet " + a.name +
                                    " needs at least one action: [[applet.then]] with action = "
                                    "\"email\", \"http\", \"mqtt\" or \"log\"");
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    a.actions.push_back(read_action(r, *list->get(i),
                                    "applet " + a.name + " then[" + std::to_string(i + 1) + "]",
                                    config));
  }
  return a;
}

AppletsConfig read(const toml::table& root, const std::string& name) {
  Reader r(name);
  r.only(root, "the file", {"smtp", "mqtt", "home_assistant", "applet"});
  AppletsConfig config;
  // Connections first: actions refer to them.
  if (const toml::node* smtp = root.get("smtp")) config.smtp = read_smtp(r, r.table(*smtp, "[smtp]"));
  if (const toml::node* mqtt = root.get("mqtt")) config.mqtt = read_mqtt(r, r.table(*mqtt, "[mqtt]"));
  if (const toml::node* ha = root.get("home_assistant")) {
    config.home_assistant = read_home_assistant(r, r.table(*ha, "[home_assistant]"));
    if (config.home_assistant.enabled && !config.mqtt) {
      r.fail(*ha, "[home_assistant] discovery needs an [mqtt] section (the broker it listens to)");
    }
  }
  if (const toml::node* applets = root.get("applet")) {
    const toml::array* list = applets->as_array();
    if (!list) r.fail(*applets, "applets are written [[applet]] (two brackets)");
    std::set<std::string> names;
    for (std::size_t i = 0; i < list->size(); ++i) {
      AppletSpec a = read_applet(r, *list->get(i), i, config);
      if (!names.insert(a.name).second) {
        r.fail(*list->get(i), "two applets are named " + a.name + " (names must be unique)");
      }
      config.applets.push_back(std::move(a));
    }
  }
  if (config.applets.empty() && !config.home_assistant.enabled) {
    throw ConfigError(name + ": no applets; add one:\n  [[applet]]\n  name = \"log\"\n"
                             "  if = { event = \"*\" }\n  [[applet.then]]\n  action = \"log\"");
  }
  return config;
}

[[noreturn]] void parse_failed(const toml::parse_error& e, const std::string& name) {
  const auto& src = e.source();
  if (src.begin.line == 0) {
    throw ConfigError("cannot read applets file " + name + ": " + std::string(e.description()));
  }
  throw ConfigError(name + ":" + std::to_string(src.begin.line) + ":" +
                    std::to_string(src.begin.column) + ": " + std::string(e.description()));
}

}  // namespace

AppletsConfig load_applets_file(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    parse_failed(e, path);
  }
  return read(root, path);
}

AppletsConfig parse_applets(std::string_view text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    parse_failed(e, name);
  }
  return read(root, name);
}

}  // namespace hub
