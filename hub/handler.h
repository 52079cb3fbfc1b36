// The hub's request handling: a function from a request (and the store) to a
// response. No sockets: the server calls it on a worker thread, tests call it
// directly. It never throws; failures become 4xx/5xx responses.
#pragma once

#include <cstddef>
#include <functional>

#include "keys.h"
#include "message.h"
#include "store.h"

namespace hub {

struct HandlerOptions {
  const KeyRing* keys = nullptr;
  std::size_t body_limit = 64 * 1024;
  std::function<TimePoint()> clock = now_ms;
  // Runs after an event is committed (not for a replayed duplicate), before
  // the reply goes out, on the store's thread: must only hand the event over
  // (a queue), never act on it.
  std::function<void(const EventRecord&)> on_stored;
  // Where failures the client must not see go (store errors).
  std::function<void(const std::string&)> log_error;
};

inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;
inline constexpr int kDefaultEventsLimit = 50;
inline constexpr int kMaxEventsLimit = 1000;

using Respond = std::function<void(Response)>;

// The whole API. Calls `done` exactly once: at once, or for a trigger from
// the store's thread once the event is committed (it never waits for the
// commit itself). /api/events reads the store in place, which may block.
void handle_async(const Request& request, Store& store, const HandlerOptions& options,
                  Respond done);

// handle_async, waited for.
Response handle(const Request& request, Store& store, const HandlerOptions& options);

// Whether handle_async answers this request without blocking (a trigger), so
// a server may run it on its I/O thread.
bool is_trigger(const Request& request);

// The success bodies IFTTT clients check for.
std::string congratulations(std::string_view event, bool json_url);
inline constexpr std::string_view kInvalidKeyMessage = "You sent an invalid key.";

}  // namespace hub
