// Runs applets off the request path: dispatch() only queues the event, a
// thread of its own runs the matching applets' actions in arrival order. The
// queue is in memory: an event stored just before a crash is in the database
// but its actions do not run. The durable outbox replaces this queue.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "applet.h"
#include "store.h"

namespace hub {

class AppletRunner {
 public:
  using ErrorLog = std::function<void(const std::string&)>;

  AppletRunner(std::vector<Applet> applets, ErrorLog log_error);
  ~AppletRunner();
  AppletRunner(const AppletRunner&) = delete;
  AppletRunner& operator=(const AppletRunner&) = delete;

  // Never blocks on an action.
  void dispatch(const EventRecord& event);

  // Runs what is queued, then stops the thread. Idempotent.
  void stop();

 private:
  void loop();
  void run_applets(const EventRecord& event);

  std::vector<Applet> applets_;
  ErrorLog log_error_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<EventRecord> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hub
