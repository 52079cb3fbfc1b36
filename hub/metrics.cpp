#include "metrics.h"

#include <cstdio>

namespace hub {
namespace {

void line(std::string& out, const char* name, const std::string& labels, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += " ";
  out += buf;
  out += "\n";
}

void help(std::string& out, const char* name, const char* type, const char* text) {
  out += std::string("# HELP ") + name + " " + text + "\n# TYPE " + name + " " + type + "\n";
}

std::string bucket_label(double le) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", le);
  return std::string("le=\"") + buf + "\"";
}

// A histogram over kLatencyBucketsSeconds: `per_bucket` as counted (not
// cumulative), `count` every observation (slower than the last bound too).
template <typename Counts>
void histogram(std::string& out, const std::string& name, const char* text,
               const Counts& per_bucket, std::uint64_t count, double sum) {
  help(out, name.c_str(), "histogram", text);
  const std::string bucket = name + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBucketsSeconds.size(); ++i) {
    cumulative += per_bucket[i];
    line(out, bucket.c_str(), bucket_label(kLatencyBucketsSeconds[i]),
         static_cast<double>(cumulative));
  }
  line(out, bucket.c_str(), "le=\"+Inf\"", static_cast<double>(count));
  line(out, (name + "_sum").c_str(), "", sum);
  line(out, (name + "_count").c_str(), "", static_cast<double>(count));
}

}  // namespace

Metrics::Metrics() : started_(std::chrono::steady_clock::now()) {}

void Metrics::event_rejected(int status) {
  std::size_t i = 0;
  while (i + 1 < kRejectStatuses.size() && kRejectStatuses[i] != status) ++i;
  ++rejected_[i];  // the last slot (0) is "other"
}

void Metrics::trigger_answered(std::chrono::microseconds latency) {
  const double seconds = static_cast<double>(latency.count()) / 1e6;
  if (const std::size_t i = latency_bucket(seconds); i < buckets_.size()) ++buckets_[i];
  ++latency_count_;
  latency_sum_us_ += static_cast<std::uint64_t>(latency.count());
}

void Metrics::attempt_finished(RunStatus outcome) {
  switch (outcome) {
    case RunStatus::kDone: ++attempts_done_; break;
    case RunStatus::kPending: ++attempts_retry_; break;
    case RunStatus::kFailed: ++attempts_failed_; break;
  }
}

std::string Metrics::render(const RunCounts& runs, const CommitStats& commits) const {
  std::string out;
  help(out, "buttonhook_events_accepted_total", "counter", "Trigger requests stored as new events.");
  line(out, "buttonhook_events_accepted_total", "", static_cast<double>(accepted_));
  help(out, "buttonhook_events_replayed_total", "counter",
       "Trigger requests answered as idempotent replays (nothing stored).");
  line(out, "buttonhook_events_replayed_total", "", static_cast<double>(replayed_));
  help(out, "buttonhook_events_rejected_total", "counter", "Trigger requests refused, by status.");
  for (std::size_t i = 0; i < kRejectStatuses.size(); ++i) {
    const std::string status = kRejectStatuses[i] ? std::to_string(kRejectStatuses[i]) : "other";
    line(out, "buttonhook_events_rejected_total", "status=\"" + status + "\"",
         static_cast<double>(rejected_[i]));
  }
  histogram(out, "buttonhook_trigger_duration_seconds",
            "Time from a trigger request to its answer (includes the commit).", buckets_,
            latency_count_, static_cast<double>(latency_sum_us_) / 1e6);
  help(out, "buttonhook_action_attempts_total", "counter",
       "Attempts at action runs since start, by outcome (retry: will be tried again).");
  line(out, "buttonhook_action_attempts_total", "outcome=\"done\"",
       static_cast<double>(attempts_done_));
  line(out, "buttonhook_action_attempts_total", "outcome=\"retry\"",
       static_cast<double>(attempts_retry_));
  line(out, "buttonhook_action_attempts_total", "outcome=\"failed\"",
       static_cast<double>(attempts_failed_));
  help(out, "buttonhook_action_runs", "gauge", "Action runs in the database, by status.");
  line(out, "buttonhook_action_runs", "status=\"pending\"", static_cast<double>(runs.pending));
  line(out, "buttonhook_action_runs", "status=\"done\"", static_cast<double>(runs.done));
  line(out, "buttonhook_action_runs", "status=\"failed\"", static_cast<double>(runs.failed));
  help(out, "buttonhook_outbox_depth", "gauge", "Action runs waiting to be delivered (pending).");
  line(out, "buttonhook_outbox_depth", "", static_cast<double>(runs.pending));
  help(out, "buttonhook_store_commits_total", "counter",
       "Transactions the store committed (each carries every write queued meanwhile).");
  line(out, "buttonhook_store_commits_total", "", static_cast<double>(commits.commits));
  help(out, "buttonhook_store_committed_writes_total", "counter",
       "Writes those transactions carried (events with their runs, run updates, keys).");
  line(out, "buttonhook_store_committed_writes_total", "", static_cast<double>(commits.writes));
  histogram(out, "buttonhook_store_commit_duration_seconds",
            "Time of each COMMIT: writing the WAL and its fsync.", commits.buckets, commits.commits,
            commits.seconds);
  help(out, "buttonhook_uptime_seconds", "gauge", "Seconds since the hub started.");
  line(out, "buttonhook_uptime_seconds", "",
       std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  return out;
}

}  // namespace hub
