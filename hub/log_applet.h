// The built-in "log" applet: for every event, the email IFTTT's default
// applet would send (with the tutorial's "Button:" line), printed instead.
#pragma once

#include <cstdio>
#include <string>

#include "applet.h"

namespace hub {

// Subject line, then the body, as in the tutorial.
inline constexpr const char* kTutorialEmailTemplate =
    "The event named \"{{EventName}}\" occurred on the Maker Webhooks service\n"
    "What: {{EventName}}\n"
    "When: {{OccurredAt}}\n"
    "Button: {{Value1}}\n";

// Renders its template and writes it, plus a blank line, to `out` with one
// write and a flush, so a reader of the stream sees whole messages.
class LogAction : public Action {
 public:
  LogAction(std::string tmpl, std::FILE* out) : template_(std::move(tmpl)), out_(out) {}
  std::string_view kind() const override { return "log"; }
  void run(const Ingredients& ingredients) override;

 private:
  std::string template_;
  std::FILE* out_;
};

Applet make_log_applet(std::FILE* out);

}  // namespace hub
