// An MQTT subscriber for tests (libmosquitto): subscribes to everything on
// a broker and keeps what arrives, retained flag included.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

struct mosquitto;
struct mosquitto_message;

namespace hub::testing {

struct ReceivedMessage {
  std::string topic, payload;
  bool retained = false;  // delivered from the broker's store at subscribe time
};

class MqttListener {
 public:
  // Connects and subscribes to `topic` (default "#"); throws if it cannot in 5 s.
  explicit MqttListener(std::uint16_t port, const std::string& topic = "#",
                        const std::string& login = "");
  ~MqttListener();
  MqttListener(const MqttListener&) = delete;
  MqttListener& operator=(const MqttListener&) = delete;

  std::vector<ReceivedMessage> messages() const;
  std::vector<ReceivedMessage> on(const std::string& topic) const;

 private:
  static void on_message(mosquitto*, void*, const mosquitto_message*);
  static void on_subscribe(mosquitto*, void*, int, int, const int*);
  mosquitto* mosq_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<ReceivedMessage> messages_;
  bool subscribed_ = false;
};

}  // namespace hub::testing
