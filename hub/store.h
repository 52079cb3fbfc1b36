// Where accepted events and their action runs live. An interface, so SQLite
// (one hub) and later PostgreSQL (several hubs) fit behind the same handler
// and outbox. Records are plain data (records.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "records.h"

namespace hub {

struct AppendResult {
  EventRecord event;       // as stored: for a duplicate, the original
  bool duplicate = false;  // (key_id, idempotency_key) was already stored
  int runs_queued = 0;     // action runs committed with the event
};

// An append either commits (result) or fails (error); never both.
struct AppendOutcome {
  std::optional<AppendResult> result;
  std::string error;
};
using AppendCallback = std::function<void(AppendOutcome)>;
// After a write: empty on success, else why it failed.
using WriteCallback = std::function<void(const std::string& error)>;

struct EventQuery {
  std::string key_id;  // empty: every key (the CLI's `events tail`)
  int limit = 50;
  std::optional<std::int64_t> before;  // only ids below this one
  std::optional<std::int64_t> after;   // only ids above this one (then oldest first)
};

struct RunQuery {
  std::string key_id;                    // runs of this key's events; empty: all
  std::optional<std::int64_t> event_id;  // one event's runs
  int limit = 50;
};

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Decides, inside the event's transaction, which action runs a new event gets.
using RunPlanner = std::function<std::vector<PlannedRun>(const EventRecord&)>;

class Store {
 public:
  virtual ~Store() = default;

  // ---- events ----
  // Queues the event; `done` runs once it is durably committed together with
  // its planned action runs (or found to be a duplicate: then no runs, or
  // failed). `done` may run on a store thread: keep it short. A store is free
  // to commit several queued appends in one transaction (group commit).
  virtual void append_async(EventRecord event, AppendCallback done) = 0;
  // Newest first (oldest first with `after`).
  virtual std::vector<EventRecord> list(const EventQuery& query) = 0;
  virtual std::optional<EventRecord> event(std::int64_t id) = 0;
  virtual std::vector<ButtonRecord> buttons(const std::string& key_id) = 0;  // empty: all

  // ---- the outbox ----
  // The oldest pending run due at `now` of each action (applet, action
  // index), oldest due first, at most `limit`.
  virtual std::vector<RunRecord> due_runs(TimePoint now, int limit) = 0;
  // When the earliest pending run is due, if any is pending.
  virtual std::optional<TimePoint> next_due() = 0;
  virtual void record_attempt_async(RunAttempt attempt, WriteCallback done) = 0;
  // Newest first.
  virtual std::vector<RunRecord> runs(const RunQuery& query) = 0;
  virtual RunCounts run_counts() = 0;
  // Group commit figures for /metrics; a store without them says zero.
  virtual CommitStats commit_stats() { return {}; }

  // ---- keys made with `buttonhook-hub keys add` ----
  virtual std::vector<StoredKey> stored_keys() = 0;  // revoked ones too
  virtual void add_key(const StoredKey& key) = 0;    // throws StoreError if the name is taken
  virtual bool revoke_key(const std::string& name, TimePoint when) = 0;  // false: no such key

  // append_async, waited for. Throws StoreError on failure.
  AppendResult append(EventRecord event);
  // record_attempt_async, waited for. Throws StoreError on failure.
  void record_attempt(RunAttempt attempt);
};

}  // namespace hub
