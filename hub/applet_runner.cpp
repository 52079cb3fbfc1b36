#include "applet_runner.h"

namespace hub {

bool Applet::matches(const EventRecord& e) const {
  return event.empty() || event == e.event;
}

AppletRunner::AppletRunner(std::vector<Applet> applets, ErrorLog log_error)
    : applets_(std::move(applets)), log_error_(std::move(log_error)) {
  thread_ = std::thread([this] { loop(); });
}

AppletRunner::~AppletRunner() {
  stop();
}

void AppletRunner::dispatch(const EventRecord& event) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    queue_.push_back(event);
  }
  cv_.notify_one();
}

void AppletRunner::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void AppletRunner::loop() {
  for (;;) {
    EventRecord event;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      event = std::move(queue_.front());
      queue_.pop_front();
    }
    run_applets(event);
  }
}

void AppletRunner::run_applets(const EventRecord& event) {
  const Ingredients ingredients = ingredients_of(event);
  for (Applet& applet : applets_) {
    if (!applet.matches(event)) continue;
    for (auto& action : applet.actions) {
      try {
        action->run(ingredients);
      } catch (const std::exception& e) {
        if (log_error_) {
          log_error_("applet " + applet.name + ": " + std::string(action->kind()) +
                     " action failed for event #" + std::to_string(event.id) + ": " + e.what());
        }
      }
    }
  }
}

}  // namespace hub
