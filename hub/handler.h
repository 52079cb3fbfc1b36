// The hub's request handling: a function from a request (and the store) to a
// response. No sockets: the server calls it, tests call it directly. It
// never throws; failures become 4xx/5xx responses.
#pragma once

#include <cstddef>
#include <functional>

#include "keys.h"
#include "message.h"
#include "metrics.h"
#include "sessions.h"
#include "store.h"

namespace hub {

struct HandlerOptions {
  const KeyRing* keys = nullptr;
  std::size_t body_limit = 64 * 1024;
  std::function<TimePoint()> clock = now_ms;
  // Where failures the client must not see go (store errors).
  std::function<void(const std::string&)> log_error;
  Metrics* metrics = nullptr;    // nullptr: /metrics answers 404
  Sessions* sessions = nullptr;  // dashboard logins; nullptr: only Bearer keys
  // Set when the hub is behind HTTPS (a reverse proxy): the session cookie
  // gets the Secure attribute.
  bool secure_cookies = false;
};

inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;
inline constexpr int kDefaultEventsLimit = 50;
inline constexpr int kMaxEventsLimit = 1000;

using Respond = std::function<void(Response)>;

// The whole API. Calls `done` exactly once: at once, or for a trigger from
// the store's thread once the event and its action runs are committed (it
// never waits for the commit itself). Reads (/api/events, the dashboard,
// /metrics) read the store in place, which may block.
void handle_async(const Request& request, Store& store, const HandlerOptions& options,
                  Respond done);

// handle_async, waited for.
Response handle(const Request& request, Store& store, const HandlerOptions& options);

// Whether handle_async answers this request without blocking (a trigger,
// or a 404 under /trigger/), so a server may run it on its I/O thread.
bool is_trigger(const Request& request);

// The success bodies IFTTT clients check for.
std::string congratulations(std::string_view event, bool json_url);
inline constexpr std::string_view kInvalidKeyMessage = "You sent an invalid key.";

}  // namespace hub
