// Applets: "if this event, then these actions". The `if` is an EventFilter
// (an event name or glob, optionally globs on values); the `then` is a list
// of actions. Specs (applets_config.h) describe them as data; Action objects
// (actions.h) do the work from the outbox.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "records.h"
#include "template.h"

namespace hub {

struct EventFilter {
  std::string event = "*";  // exact name or glob (fnmatch: * ? [..])
  // Globs on the event's values; absent: any value.
  std::optional<std::string> value1, value2, value3, button;

  bool matches(const EventRecord& e) const;
};

bool glob_match(std::string_view pattern, std::string_view text);

// Why an action failed. Permanent failures (a 400 from a web hook, a bad
// address) are not retried; everything else is, with backoff.
class ActionError : public std::runtime_error {
 public:
  explicit ActionError(const std::string& what, bool permanent = false)
      : std::runtime_error(what), permanent_(permanent) {}
  bool permanent() const { return permanent_; }

 private:
  bool permanent_;
};

class Action {
 public:
  virtual ~Action() = default;
  virtual std::string_view kind() const = 0;  // "log", "email", "http", "mqtt", ...
  // One attempt. Returns on success; throws (ActionError or anything else,
  // which counts as temporary) on failure. Called from outbox workers, one
  // run of a given action at a time.
  virtual void run(const EventRecord& event, const Ingredients& ingredients) = 0;
  // For immediate runs (PlannedRun::immediate), many to a batch: run may
  // leave its output buffered until flush(), which throws if any of it
  // could not be written. By default each run is complete in itself.
  virtual void run_buffered(const EventRecord& event, const Ingredients& ingredients) {
    run(event, ingredients);
  }
  virtual void flush() {}
  // The ingredients run() reads (template.h); the rest may be left empty.
  virtual IngredientSet ingredients_used() const { return kAllIngredients; }
};

}  // namespace hub
