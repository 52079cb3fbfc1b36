#include "log_applet.h"

#include <stdexcept>

namespace hub {

void LogAction::run(const Ingredients& ingredients) {
  std::string message = render(template_, ingredients);
  message += '\n';
  if (std::fwrite(message.data(), 1, message.size(), out_) != message.size() ||
      std::fflush(out_) != 0) {
    throw std::runtime_error("cannot write the log");
  }
}

Applet make_log_applet(std::FILE* out) {
  Applet applet;
  applet.name = "log";
  applet.actions.push_back(std::make_unique<LogAction>(kTutorialEmailTemplate, out));
  return applet;
}

}  // namespace hub
