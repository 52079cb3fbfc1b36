#include "mqtt_action.h"

namespace hub {

MqttMessage render_mqtt(const MqttSpec& spec, const Ingredients& in) {
  Ingredients safe = in;
  for (std::string* v : {&safe.event_name, &safe.value1, &safe.value2, &safe.value3,
                         &safe.button_id, &safe.json_payload, &safe.occurred_at}) {
    for (char& c : *v) {
      if (c == '/' || c == '+' || c == '#' || c == '\0') c = '_';
    }
  }
  MqttMessage m;
  m.topic = render(spec.topic, safe);
  m.payload = render(spec.payload, in, spec.payload_escape);
  m.qos = spec.qos;
  m.retain = spec.retain;
  return m;
}

void MqttAction::run(const EventRecord&, const Ingredients& in) {
  MqttMessage m = render_mqtt(spec_, in);
  if (m.topic.empty()) throw ActionError("MQTT: the topic rendered empty", true);
  client_.publish(m.topic, m.payload, m.qos, m.retain);
}

}  // namespace hub
