#include "mqtt_listener.h"

#include <mosquitto.h>

#include <stdexcept>
#include <thread>

namespace hub::testing {

MqttListener::MqttListener(std::uint16_t port, const std::string& topic,
                           const std::string& login) {
  mosquitto_lib_init();
  mosq_ = mosquitto_new(nullptr, true, this);
  if (!mosq_) throw std::runtime_error("mosquitto_new failed");
  if (!login.empty()) {
    auto colon = login.find(':');
    mosquitto_username_pw_set(mosq_, login.substr(0, colon).c_str(),
                              login.substr(colon + 1).c_str());
  }
  mosquitto_message_callback_set(mosq_, &MqttListener::on_message);
  mosquitto_subscribe_callback_set(mosq_, &MqttListener::on_subscribe);
  if (mosquitto_connect(mosq_, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS ||
      mosquitto_subscribe(mosq_, nullptr, topic.c_str(), 1) != MOSQ_ERR_SUCCESS ||
      mosquitto_loop_start(mosq_) != MOSQ_ERR_SUCCESS) {
    mosquitto_destroy(mosq_);
    throw std::runtime_error("the test's MQTT listener cannot connect to port " +
                             std::to_string(port));
  }
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (subscribed_) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("the test's MQTT listener got no SUBACK");
}

MqttListener::~MqttListener() {
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, true);
  mosquitto_destroy(mosq_);
}

void MqttListener::on_message(mosquitto*, void* self, const mosquitto_message* m) {
  auto* l = static_cast<MqttListener*>(self);
  std::lock_guard<std::mutex> lock(l->mutex_);
  l->messages_.push_back({m->topic,
                          std::string(static_cast<const char*>(m->payload),
                                      static_cast<std::size_t>(m->payloadlen)),
                          m->retain});
}

void MqttListener::on_subscribe(mosquitto*, void* self, int, int, const int*) {
  auto* l = static_cast<MqttListener*>(self);
  std::lock_guard<std::mutex> lock(l->mutex_);
  l->subscribed_ = true;
}

std::vector<ReceivedMessage> MqttListener::messages() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_;
}

std::vector<ReceivedMessage> MqttListener::on(const std::string& topic) const {
  std::vector<ReceivedMessage> out;
  for (auto& m : messages()) {
    if (m.topic == topic) out.push_back(m);
  }
  return out;
}

}  // namespace hub::testing
