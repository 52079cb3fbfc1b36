// The hub's Prometheus metrics: counters kept in memory since start
// (events accepted, replayed and rejected, action attempts by outcome, the
// trigger latency histogram) plus what the store knows at scrape time (runs
// by status, the outbox depth). render() writes the text exposition format.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "records.h"

namespace hub {

class Metrics {
 public:
  Metrics();

  void event_accepted() { ++accepted_; }
  void event_replayed() { ++replayed_; }
  void event_rejected(int status);
  // Time from a trigger's arrival at the handler to its answer.
  void trigger_answered(std::chrono::microseconds latency);
  // One attempt at an action run: done, kPending (will be retried) or failed.
  void attempt_finished(RunStatus outcome);

  std::string render(const RunCounts& runs, const CommitStats& commits = {}) const;

 private:
  std::atomic<std::uint64_t> accepted_{0}, replayed_{0};
  static constexpr std::array<int, 7> kRejectStatuses = {400, 401, 404, 405, 413, 500, 0};
  std::array<std::atomic<std::uint64_t>, kRejectStatuses.size()> rejected_{};
  std::array<std::atomic<std::uint64_t>, kLatencyBucketsSeconds.size()> buckets_{};
  std::atomic<std::uint64_t> latency_count_{0}, latency_sum_us_{0};
  std::atomic<std::uint64_t> attempts_done_{0}, attempts_retry_{0}, attempts_failed_{0};
  std::chrono::steady_clock::time_point started_;
};

}  // namespace hub
