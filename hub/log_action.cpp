#include "log_action.h"

namespace hub {

void LogAction::run(const EventRecord&, const Ingredients& ingredients) {
  std::string message = render(template_, ingredients);
  if (message.empty() || message.back() != '\n') message += '\n';
  message += '\n';
  // Several log actions may share a stream; whole messages, never interleaved.
  static std::mutex stream_mutex;
  std::lock_guard<std::mutex> lock(stream_mutex);
  if (std::fwrite(message.data(), 1, message.size(), out_) != message.size() ||
      std::fflush(out_) != 0) {
    throw ActionError("cannot write the log (is stdout closed?)");
  }
}

}  // namespace hub
