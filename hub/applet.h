// Applets: "if this event, then these actions". An applet matches stored
// events; each of its actions gets the event's ingredients. The built-in
// "log" applet is the first; applets from a config file (email, HTTP, MQTT)
// and a durable outbox between the store and the actions come later and fit
// behind these two types.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "template.h"

namespace hub {

struct EventRecord;

class Action {
 public:
  virtual ~Action() = default;
  virtual std::string_view kind() const = 0;  // "log", later "email", "http", "mqtt"
  // May throw; the runner reports the failure and carries on.
  virtual void run(const Ingredients& ingredients) = 0;
};

struct Applet {
  std::string name;
  std::string event;  // the event name it fires on; empty = every event
  std::vector<std::unique_ptr<Action>> actions;

  bool matches(const EventRecord& e) const;
};

}  // namespace hub
