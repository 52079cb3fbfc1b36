// The applets file (TOML) as data: applets with their filters and action
// specs, and the connections the actions use ([smtp], [mqtt],
// [home_assistant]). Loading checks everything a person can get wrong
// (unknown settings, missing fields, unknown {{placeholders}}, an email
// action without [smtp]) and names file and line. See README.md.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "applet.h"
#include "config.h"
#include "template.h"

namespace hub {

struct LogSpec {
  std::string text;  // template
};

struct EmailSpec {
  std::vector<std::string> to;
  std::string from;  // empty: [smtp] from
  std::string subject, body;  // templates; default: the tutorial's email
};

struct HttpSpec {
  std::string method = "POST";
  std::string url;  // template; values are percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;  // value templates
  std::string body;                                          // template
  Escape body_escape = Escape::kNone;
  std::chrono::milliseconds timeout{10000};
  std::string ca_file;
  bool tls_verify = true;
};

struct MqttSpec {
  std::string topic, payload;  // templates
  Escape payload_escape = Escape::kNone;
  int qos = 1;
  bool retain = false;
};

using ActionSpec = std::variant<LogSpec, EmailSpec, HttpSpec, MqttSpec>;
std::string_view kind_of(const ActionSpec& spec);

struct AppletSpec {
  std::string name;
  EventFilter filter;
  std::vector<ActionSpec> actions;
  int line = 0;  // where it starts in the file
};

enum class SmtpTls { kStartTls, kImplicit, kNone };

struct SmtpSettings {
  std::string url;  // smtp://host:587 or smtps://host:465
  SmtpTls tls = SmtpTls::kStartTls;
  std::string username, password;
  std::string from;  // "Buttonhook <hub@example.com>"
  std::string ca_file;
  bool tls_verify = true;
  std::chrono::milliseconds timeout{20000};
};

struct MqttSettings {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string client_id = "buttonhook-hub";
  std::string username, password;
  bool tls = false;
  std::string ca_file;
  bool tls_verify = true;
  int keepalive_s = 30;
  std::chrono::milliseconds timeout{10000};  // for a PUBACK
};

struct HomeAssistantSettings {
  bool enabled = false;
  std::string discovery_prefix = "homeassistant";
  std::string base_topic = "buttonhook";
};

struct AppletsConfig {
  std::vector<AppletSpec> applets;
  std::optional<SmtpSettings> smtp;
  std::optional<MqttSettings> mqtt;
  HomeAssistantSettings home_assistant;
};

// The name of the run Home Assistant's discovery and state messages travel in.
inline constexpr const char* kHomeAssistantApplet = "home-assistant";

// Subject line, then the body, as in the tutorial.
inline constexpr const char* kTutorialSubject =
    "The event named \"{{EventName}}\" occurred on the Maker Webhooks service";
inline constexpr const char* kTutorialBody =
    "What: {{EventName}}\n"
    "When: {{OccurredAt}}\n"
    "Button: {{Value1}}\n";

// Throws ConfigError ("FILE:LINE: what is wrong; what to do").
AppletsConfig load_applets_file(const std::string& path);
// The same from text (tests); `name` stands in for the path in messages.
AppletsConfig parse_applets(std::string_view text, const std::string& name);

// Without an applets file: one applet, "log", printing the tutorial's email
// for every event (what the demo shows).
AppletsConfig default_applets();

// The runs a new event gets: one per action of each matching applet, plus
// one Home Assistant run for an event from a known button when enabled.
std::vector<PlannedRun> plan_runs(const AppletsConfig& config, const EventRecord& event);

// "3 applets, 5 actions (email 1, http 2, log 1, mqtt 1)"
std::string summary(const AppletsConfig& config);

}  // namespace hub
