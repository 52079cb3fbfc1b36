// The HTTP action: a templated request (ntfy, Telegram, Pushover, another
// hook...). render_http() is pure; sending goes through libcurl. A 2xx
// answer is success; 408, 429 and 5xx are tried again; any other status is
// a permanent failure (the request itself is wrong).
#pragma once

#include <atomic>

#include "applet.h"
#include "applets_config.h"
#include "curl_transfer.h"

namespace hub {

// Values in the URL are percent-encoded, header values lose CR/LF, the
// body is escaped as the spec says.
HttpCall render_http(const HttpSpec& spec, const Ingredients& in);

class HttpAction : public Action {
 public:
  HttpAction(HttpSpec spec, const std::atomic<bool>* abort)
      : spec_(std::move(spec)), abort_(abort) {}
  std::string_view kind() const override { return "http"; }
  void run(const EventRecord& event, const Ingredients& in) override;

 private:
  HttpSpec spec_;
  const std::atomic<bool>* abort_;
};

}  // namespace hub
