// Home Assistant MQTT discovery: each button the hub hears from appears in
// Home Assistant by itself, as a device with a device trigger ("button
// short press"), an event entity and a battery sensor. Discovery messages
// are retained; they go out when a button is first heard in a broker
// session, and for every known button at each (re)connect and when Home
// Assistant announces itself online (its birth message). Then each event
// publishes the trigger, the event entity's state and the battery.
#pragma once

#include <functional>
#include <mutex>
#include <set>

#include "applet.h"
#include "applets_config.h"
#include "mqtt_action.h"
#include "mqtt_client.h"

namespace hub {

// "kitchen button/1" -> "kitchen_button_1": safe in topics and HA ids.
std::string ha_slug(std::string_view button_id);

std::vector<MqttMessage> ha_discovery_messages(const HomeAssistantSettings& ha,
                                               const std::string& button_id);
std::vector<MqttMessage> ha_state_messages(const HomeAssistantSettings& ha,
                                           const EventRecord& event);

class HomeAssistantAction : public Action {
 public:
  using ButtonList = std::function<std::vector<std::string>()>;

  // Hooks itself to the client's connect and to HA's birth topic.
  HomeAssistantAction(HomeAssistantSettings ha, MqttClient& client, ButtonList known_buttons);
  std::string_view kind() const override { return kHomeAssistantApplet; }
  void run(const EventRecord& event, const Ingredients& in) override;

 private:
  void announce_all();  // on the client's thread: must not wait

  HomeAssistantSettings ha_;
  MqttClient& client_;
  ButtonList known_buttons_;
  std::mutex mutex_;
  std::set<std::string> announced_;  // in this broker session
};

}  // namespace hub
