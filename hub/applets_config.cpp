#include "applets_config.h"

#include <map>

namespace hub {

std::string_view kind_of(const ActionSpec& spec) {
  struct Kind {
    std::string_view operator()(const LogSpec&) const { return "log"; }
    std::string_view operator()(const EmailSpec&) const { return "email"; }
    std::string_view operator()(const HttpSpec&) const { return "http"; }
    std::string_view operator()(const MqttSpec&) const { return "mqtt"; }
  };
  return std::visit(Kind{}, spec);
}

AppletsConfig default_applets() {
  AppletSpec log;
  log.name = "log";
  log.filter.event = "*";
  log.actions.push_back(LogSpec{std::string(kTutorialSubject) + "\n" + kTutorialBody});
  AppletsConfig config;
  config.applets.push_back(std::move(log));
  return config;
}

std::vector<PlannedRun> plan_runs(const AppletsConfig& config, const EventRecord& event) {
  std::vector<PlannedRun> runs;
  for (const AppletSpec& applet : config.applets) {
    if (!applet.filter.matches(event)) continue;
    for (std::size_t i = 0; i < applet.actions.size(); ++i) {
      const ActionSpec& spec = applet.actions[i];
      runs.push_back({applet.name, static_cast<int>(i), std::string(kind_of(spec)),
                      std::holds_alternative<LogSpec>(spec)});
    }
  }
  if (config.home_assistant.enabled && event.button_id && !event.button_id->empty()) {
    runs.push_back({kHomeAssistantApplet, 0, kHomeAssistantApplet});
  }
  return runs;
}

std::string summary(const AppletsConfig& config) {
  std::map<std::string, int> kinds;
  std::size_t actions = 0;
  for (const AppletSpec& applet : config.applets) {
    for (const ActionSpec& spec : applet.actions) {
      ++kinds[std::string(kind_of(spec))];
      ++actions;
    }
  }
  std::string out = std::to_string(config.applets.size()) +
                    (config.applets.size() == 1 ? " applet, " : " applets, ") +
                    std::to_string(actions) + (actions == 1 ? " action" : " actions");
  if (!kinds.empty()) {
    out += " (";
    bool first = true;
    for (const auto& [kind, n] : kinds) {
      out += (first ? "" : ", ") + kind + " " + std::to_string(n);
      first = false;
    }
    out += ")";
  }
  if (config.home_assistant.enabled) out += "; Home Assistant discovery on";
  return out;
}

}  // namespace hub
