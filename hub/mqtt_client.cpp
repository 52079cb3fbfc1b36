#include "mqtt_client.h"

#include <mosquitto.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <condition_variable>
#include <map>
#include <set>
#include <mutex>
#include <thread>

namespace hub {
namespace {

constexpr std::chrono::milliseconds kReconnectMin{100};
constexpr std::chrono::milliseconds kReconnectMax{2000};

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

struct MqttClient::Impl {
  MqttSettings settings;
  Log log;
  mosquitto* mosq = nullptr;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<bool> is_connected{false};

  std::mutex mutex;
  std::condition_variable cv;
  // Acknowledged mids nobody has collected yet. A PUBACK may come before
  // publish() learns its mid, so on_publish records it; a mid nobody will
  // collect (publish_nowait, a timed-out publish) goes in `forget` instead,
  // so a stale entry never acknowledges a later message that reuses the mid.
  std::set<int> acked, forget;
  std::uint64_t generation = 0;  // bumps at every disconnect: waiters give up
  std::function<void()> connect_callback;
  std::map<std::string, OnMessage> subscriptions;

  void say(const std::string& line) {
    if (log) log("mqtt " + settings.host + ":" + std::to_string(settings.port) + ": " + line);
  }

  void loop() {
    auto delay = kReconnectMin;
    bool first = true;
    bool reported_down = false;
    while (!stopping) {
      int rc = first ? mosquitto_connect(mosq, settings.host.c_str(), settings.port,
                                         settings.keepalive_s)
                     : mosquitto_reconnect(mosq);
      first = false;  // mosquitto_connect kept host and port for mosquitto_reconnect
      if (rc == MOSQ_ERR_SUCCESS) {
        // Until the CONNACK (on_connect) the session is not usable.
        while (!stopping && (rc = mosquitto_loop(mosq, 100, 1)) == MOSQ_ERR_SUCCESS) {
          if (is_connected) {
            delay = kReconnectMin;
            reported_down = false;
          }
        }
      }
      if (stopping) break;
      if (!reported_down) {
        say(std::string("not connected (") +
            (rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc)) +
            "); retrying in the background");
        reported_down = true;
      }
      mark_disconnected();
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait_for(lock, delay, [this] { return stopping.load(); });
      delay = std::min(delay * 2, kReconnectMax);
    }
  }

  void mark_disconnected() {
    std::lock_guard<std::mutex> lock(mutex);
    if (is_connected.exchange(false)) {
      ++generation;
      cv.notify_all();
    }
  }

  static void on_connect(mosquitto* m, void* self, int rc) {
    auto* impl = static_cast<Impl*>(self);
    if (rc != 0) {
      impl->say(std::string("the broker refused the connection: ") +
                mosquitto_connack_string(rc));
      return;
    }
    std::function<void()> callback;
    std::map<std::string, OnMessage> subs;
    {
      std::lock_guard<std::mutex> lock(impl->mutex);
      callback = impl->connect_callback;
      subs = impl->subscriptions;
    }
    impl->say("connected");
    for (const auto& [topic, cb] : subs) mosquitto_subscribe(m, nullptr, topic.c_str(), 1);
    // The callback (Home Assistant's announcement of every known button)
    // runs before publish() accepts work: a run racing the connect would
    // otherwise announce its button a second time.
    if (callback) callback();
    std::lock_guard<std::mutex> lock(impl->mutex);
    impl->is_connected = true;
  }

  static void on_disconnect(mosquitto*, void* self, int) {
    static_cast<Impl*>(self)->mark_disconnected();
  }

  static void on_publish(mosquitto*, void* self, int mid) {
    auto* impl = static_cast<Impl*>(self);
    std::lock_guard<std::mutex> lock(impl->mutex);
    if (impl->forget.erase(mid) == 0) impl->acked.insert(mid);
    impl->cv.notify_all();
  }

  static void on_message(mosquitto*, void* self, const mosquitto_message* msg) {
    auto* impl = static_cast<Impl*>(self);
    OnMessage callback;
    {
      std::lock_guard<std::mutex> lock(impl->mutex);
      auto it = impl->subscriptions.find(msg->topic);
      if (it != impl->subscriptions.end()) callback = it->second;
    }
    if (callback) {
      callback(msg->topic, std::string(static_cast<const char*>(msg->payload),
                                       static_cast<std::size_t>(msg->payloadlen)));
    }
  }

  // Under `mutex`: mid's acknowledgement, if any, is consumed or ignored.
  void drop(int mid) {
    if (acked.erase(mid) != 0) return;
    // Acknowledgements lost with a connection never come: keep it bounded.
    if (forget.size() > 4096) forget.clear();
    forget.insert(mid);
  }

  int send(const std::string& topic, const std::string& payload, int qos, bool retain) {
    int mid = 0;
    int rc = mosquitto_publish(mosq, &mid, topic.c_str(), static_cast<int>(payload.size()),
                               payload.data(), qos, retain);
    if (rc != MOSQ_ERR_SUCCESS) {
      throw ActionError(std::string("MQTT publish to ") + topic + ": " + mosquitto_strerror(rc),
                        rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_INVAL);
    }
    return mid;
  }
};

MqttClient::MqttClient(MqttSettings settings, Log log) : impl_(std::make_unique<Impl>()) {
  init_library();
  impl_->settings = std::move(settings);
  impl_->log = std::move(log);
  const MqttSettings& s = impl_->settings;
  impl_->mosq = mosquitto_new(s.client_id.c_str(), /*clean_session=*/true, impl_.get());
  if (!impl_->mosq) throw ConfigError("mqtt: cannot create a client (out of memory?)");
  mosquitto_threaded_set(impl_->mosq, true);
  mosquitto_int_option(impl_->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  if (!s.username.empty()) {
    mosquitto_username_pw_set(impl_->mosq, s.username.c_str(),
                              s.password.empty() ? nullptr : s.password.c_str());
  }
  if (s.tls) {
    const char* ca_file = s.ca_file.empty() ? nullptr : s.ca_file.c_str();
    const char* ca_path = s.ca_file.empty() ? "/etc/ssl/certs" : nullptr;
    int rc = mosquitto_tls_set(impl_->mosq, ca_file, ca_path, nullptr, nullptr, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      throw ConfigError(std::string("mqtt: TLS settings refused (ca_file?): ") +
                        mosquitto_strerror(rc));
    }
    if (!s.tls_verify) mosquitto_tls_insecure_set(impl_->mosq, true);
  }
  mosquitto_connect_callback_set(impl_->mosq, &Impl::on_connect);
  mosquitto_disconnect_callback_set(impl_->mosq, &Impl::on_disconnect);
  mosquitto_publish_callback_set(impl_->mosq, &Impl::on_publish);
  mosquitto_message_callback_set(impl_->mosq, &Impl::on_message);
}

MqttClient::~MqttClient() {
  stop();
  mosquitto_destroy(impl_->mosq);
}

void MqttClient::on_connect(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->connect_callback = std::move(callback);
}

void MqttClient::subscribe(const std::string& topic, OnMessage callback) {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->subscriptions[topic] = std::move(callback);
  }
  if (connected()) mosquitto_subscribe(impl_->mosq, nullptr, topic.c_str(), 1);
}

void MqttClient::start() {
  if (impl_->thread.joinable()) return;
  impl_->thread = std::thread([this] { impl_->loop(); });
}

void MqttClient::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  impl_->cv.notify_all();
  mosquitto_disconnect(impl_->mosq);
  impl_->thread.join();
  impl_->mark_disconnected();
}

bool MqttClient::connected() const {
  return impl_->is_connected;
}

void MqttClient::publish_nowait(const std::string& topic, const std::string& payload, int qos,
                                bool retain) {
  int mid = impl_->send(topic, payload, qos, retain);
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->drop(mid);  // nobody waits for it
}

void MqttClient::publish(const std::string& topic, const std::string& payload, int qos,
                         bool retain) {
  std::uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (!impl_->is_connected) {
      throw ActionError("MQTT: not connected to " + impl_->settings.host + ":" +
                        std::to_string(impl_->settings.port));
    }
    generation = impl_->generation;
  }
  const int mid = impl_->send(topic, payload, qos, retain);
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->cv.wait_for(lock, impl_->settings.timeout, [&] {
    return impl_->acked.count(mid) || impl_->generation != generation || impl_->stopping;
  });
  const bool ok = impl_->acked.count(mid) > 0;
  impl_->drop(mid);
  if (ok) return;
  if (impl_->generation != generation) {
    throw ActionError("MQTT: the connection dropped before the broker acknowledged " + topic);
  }
  throw ActionError("MQTT: no acknowledgement for " + topic + " within " +
                    std::to_string(impl_->settings.timeout.count()) + " ms");
}

}  // namespace hub
