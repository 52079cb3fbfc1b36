#include "log_action.h"

namespace hub {

// One message (stdio writes it whole: FILE streams lock per call, so
// messages of log actions sharing a stream never interleave).
void LogAction::run_buffered(const EventRecord&, const Ingredients& ingredients) {
  std::string message = render(template_, ingredients);
  if (message.empty() || message.back() != '\n') message += '\n';
  message += '\n';
  if (std::fwrite(message.data(), 1, message.size(), out_) != message.size()) {
    throw ActionError("cannot write the log (is stdout closed?)");
  }
}

void LogAction::flush() {
  if (std::fflush(out_) != 0) throw ActionError("cannot write the log (is stdout closed?)");
}

void LogAction::run(const EventRecord& event, const Ingredients& ingredients) {
  run_buffered(event, ingredients);
  flush();
}

}  // namespace hub
