// The rows the hub stores, as plain data: events, the action runs of the
// outbox, the buttons seen, and keys made with `buttonhook-hub keys add`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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
  // Which button fired (value1 on the plain URL, as the tutorial sends it;
  // "button_id" overrides it) and its battery, if it sent "battery_mv".
  std::optional<std::string> button_id;
  std::optional<int> battery_mv;
};

// One action of one applet, to be run for one event.
struct PlannedRun {
  std::string applet;
  int action_index = 0;  // position in the applet's `then` list
  std::string kind;      // "log", "email", "http", "mqtt", "home-assistant"
  // Local and quick (the log action): the store runs it inside the event's
  // transaction, just before the commit, and stores the run as done; a
  // failure leaves it pending for the outbox. No hand-off, no second write.
  bool immediate = false;
};

enum class RunStatus { kPending, kDone, kFailed };
std::string_view to_string(RunStatus s);
std::optional<RunStatus> parse_run_status(std::string_view s);

struct RunRecord {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string event;  // the event's name, for people reading runs
  std::string applet;
  int action_index = 0;
  std::string kind;
  RunStatus status = RunStatus::kPending;
  int attempts = 0;
  TimePoint next_attempt_at{};
  std::string last_error;  // empty: none
  TimePoint created_at{}, updated_at{};
};

// What one attempt at a run came to.
struct RunAttempt {
  std::int64_t run_id = 0;
  RunStatus status = RunStatus::kPending;  // kPending: try again at next_attempt_at
  int attempts = 0;                        // including this one
  TimePoint next_attempt_at{};
  std::string error;  // empty on success
  TimePoint at{};
};

struct RunCounts {
  std::int64_t pending = 0, done = 0, failed = 0;
};

// Upper bounds of the latency histograms /metrics shows (Prometheus' `le`).
inline constexpr std::array<double, 13> kLatencyBucketsSeconds = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

// The bucket a time falls in; kLatencyBucketsSeconds.size() when slower.
inline std::size_t latency_bucket(double seconds) {
  std::size_t i = 0;
  while (i < kLatencyBucketsSeconds.size() && seconds > kLatencyBucketsSeconds[i]) ++i;
  return i;
}

// The store's group commit since it opened: the transactions, the writes
// they carried (events with their runs, run updates, keys: writes/commits
// is the batch size), and how long each COMMIT took (the WAL's write and
// its fsync), per bucket of kLatencyBucketsSeconds (not cumulative; slower
// than the last bucket counts only in `commits`).
struct CommitStats {
  std::uint64_t commits = 0, writes = 0;
  double seconds = 0;
  std::array<std::uint64_t, kLatencyBucketsSeconds.size()> buckets{};
};

struct ButtonRecord {
  std::string key_id, button_id;
  TimePoint first_seen{}, last_seen{};
  std::string last_event;
  std::int64_t last_event_id = 0;
  std::int64_t presses = 0;
  std::optional<int> battery_mv;  // the last one sent
};

struct StoredKey {
  std::string name;
  std::string secret_sha256;  // hex; the key itself is never stored
  TimePoint created_at{};
  std::optional<TimePoint> revoked_at;
};

}  // namespace hub
