// Where accepted events live. An interface, so SQLite (one hub) and later
// PostgreSQL (several hubs) fit behind the same handler.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "time_format.h"

namespace hub {

struct EventRecord {
  std::int64_t id = 0;  // assigned by the store; 0 before
  std::string event;
  std::string key_id;  // HubKey::id, never the secret
  std::string value1, value2, value3;
  std::optional<std::string> json_payload;  // set iff fired on the JSON URL
  TimePoint occurred_at{};
  std::string remote_addr;                     // "127.0.0.1:40312"
  std::optional<std::string> idempotency_key;  // the Idempotency-Key header
};

struct AppendResult {
  EventRecord event;       // as stored: for a duplicate, the original
  bool duplicate = false;  // (key_id, idempotency_key) was already stored
};

// An append either commits (result) or fails (error); never both.
struct AppendOutcome {
  std::optional<AppendResult> result;
  std::string error;
};
using AppendCallback = std::function<void(AppendOutcome)>;

struct EventQuery {
  std::string key_id;
  int limit = 50;
  std::optional<std::int64_t> before;  // only ids below this one
};

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  virtual ~Store() = default;

  // Queues the event; `done` runs once it is durably committed (or found to
  // be a duplicate, or failed). `done` may run on a store thread: keep it
  // short. This is the seam for group commit: a store is free to commit
  // several queued appends in one transaction.
  virtual void append_async(EventRecord event, AppendCallback done) = 0;

  // Newest first.
  virtual std::vector<EventRecord> list(const EventQuery& query) = 0;

  // append_async, waited for. Throws StoreError on failure.
  AppendResult append(EventRecord event);
};

}  // namespace hub
