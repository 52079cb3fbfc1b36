// Turns the applets' specs into the Action objects the outbox runs, keyed
// by (applet name, action index) as runs are stored.
#pragma once

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <utility>

#include "applet.h"
#include "applets_config.h"
#include "home_assistant.h"
#include "mqtt_client.h"

namespace hub {

class ActionTable {
 public:
  // nullptr when the applets file no longer has it (changed since the run
  // was queued): the outbox fails such a run with a clear error.
  Action* find(const std::string& applet, int index) const;
  void add(std::string applet, int index, std::unique_ptr<Action> action);
  std::size_t size() const { return actions_.size(); }

 private:
  std::map<std::pair<std::string, int>, std::unique_ptr<Action>> actions_;
};

struct ActionServices {
  std::FILE* log_out = stdout;
  const std::atomic<bool>* abort = nullptr;  // set at shutdown: transfers give up
  MqttClient* mqtt = nullptr;                // required when the config has [mqtt]
  HomeAssistantAction::ButtonList known_buttons;
};

ActionTable build_actions(const AppletsConfig& config, const ActionServices& services);

}  // namespace hub
