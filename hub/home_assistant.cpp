#include "home_assistant.h"

#include <nlohmann/json.hpp>

namespace hub {
namespace {

using nlohmann::json;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json device(const std::string& button_id) {
  return {{"identifiers", json::array({"buttonhook_" + ha_slug(button_id)})},
          {"name", "Buttonhook " + button_id},
          {"manufacturer", "Buttonhook"},
          {"model", "ESP8266 Wi-Fi button"}};
}

std::string state_topic(const HomeAssistantSettings& ha, const std::string& button_id,
                        const char* what) {
  return ha.base_topic + "/" + ha_slug(button_id) + "/" + what;
}

}  // namespace

std::string ha_slug(std::string_view button_id) {
  std::string out;
  for (char c : button_id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "_" : out;
}

std::vector<MqttMessage> ha_discovery_messages(const HomeAssistantSettings& ha,
                                               const std::string& button_id) {
  const std::string node = "buttonhook_" + ha_slug(button_id);
  const std::string prefix = ha.discovery_prefix + "/";
  std::vector<MqttMessage> out;
  out.push_back({prefix + "device_automation/" + node + "/press/config",
                 dump({{"automation_type", "trigger"},
                       {"type", "button_short_press"},
                       {"subtype", "button_1"},
                       {"topic", state_topic(ha, button_id, "action")},
                       {"payload", "press"},
                       {"device", device(button_id)}}),
                 1, true});
  out.push_back({prefix + "event/" + node + "/press/config",
                 dump({{"name", "Press"},
                       {"unique_id", node + "_press"},
                       {"state_topic", state_topic(ha, button_id, "event")},
                       {"event_types", json::array({"press"})},
                       {"device_class", "button"},
                       {"device", device(button_id)}}),
                 1, true});
  out.push_back({prefix + "sensor/" + node + "/battery/config",
                 dump({{"name", "Battery"},
                       {"unique_id", node + "_battery"},
                       {"state_topic", state_topic(ha, button_id, "battery")},
                       {"device_class", "voltage"},
                       {"unit_of_measurement", "mV"},
                       {"state_class", "measurement"},
                       {"entity_category", "diagnostic"},
                       {"device", device(button_id)}}),
                 1, true});
  return out;
}

std::vector<MqttMessage> ha_state_messages(const HomeAssistantSettings& ha,
                                           const EventRecord& e) {
  const std::string& button = e.button_id.value();
  std::vector<MqttMessage> out;
  out.push_back({state_topic(ha, button, "action"), "press", 1, false});
  json event = {{"event_type", "press"},     {"event", e.event},   {"value1", e.value1},
                {"value2", e.value2},         {"value3", e.value3}, {"event_id", e.id},
                {"occurred_at", format_iso8601(e.occurred_at)}};
  if (e.battery_mv) event["battery_mv"] = *e.battery_mv;
  out.push_back({state_topic(ha, button, "event"), dump(event), 1, false});
  if (e.battery_mv) {
    out.push_back({state_topic(ha, button, "battery"), std::to_string(*e.battery_mv), 1, true});
  }
  return out;
}

HomeAssistantAction::HomeAssistantAction(HomeAssistantSettings ha, MqttClient& client,
                                         ButtonList known_buttons)
    : ha_(std::move(ha)), client_(client), known_buttons_(std::move(known_buttons)) {
  client_.on_connect([this] { announce_all(); });
  client_.subscribe(ha_.discovery_prefix + "/status",
                    [this](const std::string&, const std::string& payload) {
                      if (payload == "online") announce_all();
                    });
}

void HomeAssistantAction::announce_all() {
  std::vector<std::string> buttons;
  try {
    if (known_buttons_) buttons = known_buttons_();
  } catch (const std::exception&) {
    // The store is closing; the next event announces its button anyway.
  }
  std::lock_guard<std::mutex> lock(mutex_);
  announced_.clear();
  for (const std::string& b : buttons) {
    try {
      for (const MqttMessage& m : ha_discovery_messages(ha_, b)) {
        client_.publish_nowait(m.topic, m.payload, m.qos, m.retain);
      }
      announced_.insert(b);
    } catch (const std::exception&) {
      return;  // disconnected again: the next connect tries again
    }
  }
}

void HomeAssistantAction::run(const EventRecord& event, const Ingredients&) {
  if (!event.button_id || event.button_id->empty()) return;
  const std::string& button = *event.button_id;
  bool announce;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    announce = !announced_.count(button);
  }
  if (announce) {
    for (const MqttMessage& m : ha_discovery_messages(ha_, button)) {
      client_.publish(m.topic, m.payload, m.qos, m.retain);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    announced_.insert(button);
  }
  for (const MqttMessage& m : ha_state_messages(ha_, event)) {
    client_.publish(m.topic, m.payload, m.qos, m.retain);
  }
}

}  // namespace hub
