// One connection to an MQTT broker through libmosquitto (the only file that
// includes mosquitto.h). Its own thread runs the network loop and
// reconnects with backoff for as long as the hub runs, whatever the broker
// does; publish() blocks until the broker acknowledges (QoS 1/2) or the
// message is sent (QoS 0), and throws ActionError otherwise. Nothing is
// queued while disconnected: the outbox retries instead. A message whose
// acknowledgement was lost with the connection is retried too, so it may
// reach the broker twice: QoS 1 is at-least-once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "applets_config.h"

namespace hub {

class MqttClient {
 public:
  using Log = std::function<void(const std::string&)>;
  using OnMessage = std::function<void(const std::string& topic, const std::string& payload)>;

  // Throws ConfigError when libmosquitto refuses the settings (a bad CA file).
  MqttClient(MqttSettings settings, Log log);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Called on the client's thread after every successful (re)connect: must
  // not block (publish_nowait is fine, publish is not).
  void on_connect(std::function<void()> callback);
  // Subscribes (again after each reconnect); messages arrive on the client's thread.
  void subscribe(const std::string& topic, OnMessage callback);

  void start();  // connects in the background
  void stop();   // disconnects, joins the thread; idempotent

  bool connected() const;
  void publish(const std::string& topic, const std::string& payload, int qos, bool retain);
  // Queues without waiting for the broker (for on_connect callbacks).
  void publish_nowait(const std::string& topic, const std::string& payload, int qos, bool retain);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub
