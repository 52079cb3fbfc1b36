// The durable outbox: runs the action runs the store committed with their
// events. A scheduler thread reads due runs from the store and hands them
// to a pool of workers; each attempt's outcome (done, failed, or pending
// again after a backoff, with the error) is written back through the
// store's writer. Runs survive restarts because they live in the database:
// a hub that stops or crashes mid-attempt tries again when it starts
// (at-least-once delivery; receivers may see a retried run twice only if
// the hub died between delivering and recording it).
//
// One run per action at a time: a dead target holds at most one worker per
// action, and never delays storing or answering events. The due runs of an
// action go to one worker as a chain, so one read of the store serves many
// runs; the chain stops at the first failure.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "actions.h"
#include "metrics.h"
#include "retry.h"
#include "store.h"

namespace hub {

struct OutboxOptions {
  std::size_t workers = 4;
  RetryPolicy retry;
  std::function<TimePoint()> clock = now_ms;
  std::function<void(const std::string&)> log;  // one line per failed attempt
  Metrics* metrics = nullptr;
  // Look at the store at least this often even without a wake-up.
  std::chrono::milliseconds poll{1000};
  // Set by stop() when its time is up, so transfers give up; shared with
  // the actions (ActionServices::abort). nullptr: the outbox's own.
  std::atomic<bool>* abort = nullptr;
};

class Outbox {
 public:
  Outbox(Store& store, const ActionTable& actions, OutboxOptions options);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  void start();
  // New runs were committed (or a retry was scheduled): look now.
  void notify();
  // Runs what is due now (not later retries) for at most `finish_within`,
  // then aborts transfers still running, waits for them to be recorded and
  // stops. Idempotent.
  void stop(std::chrono::milliseconds finish_within);

 private:
  using ActionKey = std::pair<std::string, int>;

  void schedule_loop();
  bool pick_due_runs();  // false when nothing is due or running (drain done)
  // The due runs of one action, attempted in order by one worker.
  struct Chain {
    ActionKey key;
    int outstanding = 0;  // attempts not yet recorded, +1 while attempting (under mutex_)
  };
  bool all_actions_busy() const;  // under mutex_
  void worker_loop();
  void run_chain(const std::vector<RunRecord>& chain);
  // Returns whether the run is done (not failed, not to be retried).
  bool attempt(const RunRecord& run, const std::shared_ptr<Chain>& chain);
  void finished(const std::shared_ptr<Chain>& chain);
  void log(const std::string& line);

  Store& store_;
  const ActionTable& actions_;
  OutboxOptions options_;
  std::atomic<bool> own_abort_{false};
  std::atomic<bool>& abort_;

  std::mutex mutex_;
  std::condition_variable wake_;     // the scheduler
  std::condition_variable work_cv_;  // the workers
  bool woken_ = false;
  bool draining_ = false, stopped_ = false;
  std::chrono::steady_clock::time_point drain_deadline_;
  TimePoint drain_started_{};
  std::deque<std::vector<RunRecord>> work_;  // chains
  std::set<std::int64_t> in_flight_;
  // Runs whose outcome was committed while the scheduler read due runs: the
  // read may predate the commit and still list them as pending.
  bool reading_ = false;
  std::set<std::int64_t> recorded_during_read_;
  std::set<ActionKey> busy_actions_;
  std::mt19937_64 random_{std::random_device{}()};

  std::thread scheduler_;
  std::vector<std::thread> workers_;
};

}  // namespace hub
