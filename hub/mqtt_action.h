// The mqtt action: a templated topic and payload, published with the
// applet's QoS (1 by default) through the hub's one broker connection.
#pragma once

#include "applet.h"
#include "applets_config.h"
#include "mqtt_client.h"

namespace hub {

struct MqttMessage {
  std::string topic, payload;
  int qos = 1;
  bool retain = false;
};

// Values in the topic lose '/', '+', '#' and NUL (they would change the
// topic's meaning); the payload is escaped as the spec says.
MqttMessage render_mqtt(const MqttSpec& spec, const Ingredients& in);

class MqttAction : public Action {
 public:
  MqttAction(MqttSpec spec, MqttClient& client) : spec_(std::move(spec)), client_(client) {}
  std::string_view kind() const override { return "mqtt"; }
  void run(const EventRecord& event, const Ingredients& in) override;

 private:
  MqttSpec spec_;
  MqttClient& client_;
};

}  // namespace hub
