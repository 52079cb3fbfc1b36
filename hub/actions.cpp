#include "actions.h"

#include "email_action.h"
#include "http_action.h"
#include "log_action.h"
#include "mqtt_action.h"

namespace hub {
namespace {

// "front door", 2 -> "front-door-2": a Message-ID part.
std::string run_name(const std::string& applet, int index) {
  std::string out;
  for (char c : applet) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '-');
  }
  return out + "-" + std::to_string(index);
}

}  // namespace

Action* ActionTable::find(const std::string& applet, int index) const {
  auto it = actions_.find({applet, index});
  return it == actions_.end() ? nullptr : it->second.get();
}

void ActionTable::add(std::string applet, int index, std::unique_ptr<Action> action) {
  actions_[{std::move(applet), index}] = std::move(action);
}

ActionTable build_actions(const AppletsConfig& config, const ActionServices& services) {
  ActionTable table;
  for (const AppletSpec& applet : config.applets) {
    for (std::size_t i = 0; i < applet.actions.size(); ++i) {
      const int index = static_cast<int>(i);
      const ActionSpec& spec = applet.actions[i];
      std::unique_ptr<Action> action;
      if (auto* log = std::get_if<LogSpec>(&spec)) {
        action = std::make_unique<LogAction>(log->text, services.log_out);
      } else if (auto* email = std::get_if<EmailSpec>(&spec)) {
        action = std::make_unique<EmailAction>(*email, *config.smtp, run_name(applet.name, index),
                                               services.abort);
      } else if (auto* http = std::get_if<HttpSpec>(&spec)) {
        action = std::make_unique<HttpAction>(*http, services.abort);
      } else if (auto* mqtt = std::get_if<MqttSpec>(&spec)) {
        if (!services.mqtt) throw ConfigError("applet " + applet.name + ": no MQTT connection");
        action = std::make_unique<MqttAction>(*mqtt, *services.mqtt);
      }
      table.add(applet.name, index, std::move(action));
    }
  }
  if (config.home_assistant.enabled) {
    if (!services.mqtt) throw ConfigError("Home Assistant discovery: no MQTT connection");
    table.add(kHomeAssistantApplet, 0,
              std::make_unique<HomeAssistantAction>(config.home_assistant, *services.mqtt,
                                                    services.known_buttons));
  }
  return table;
}

}  // namespace hub
