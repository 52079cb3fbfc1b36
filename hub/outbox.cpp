#include "outbox.h"

namespace hub {

Outbox::Outbox(Store& store, const ActionTable& actions, OutboxOptions options)
    : store_(store),
      actions_(actions),
      options_(std::move(options)),
      abort_(options_.abort ? *options_.abort : own_abort_) {
  if (options_.workers == 0) options_.workers = 1;
  if (options_.retry.max_attempts < 1) options_.retry.max_attempts = 1;
}

Outbox::~Outbox() {
  stop(std::chrono::milliseconds(0));
}

void Outbox::start() {
  if (scheduler_.joinable()) return;
  for (std::size_t i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { worker_loop(); });
  scheduler_ = std::thread([this] { schedule_loop(); });
}

void Outbox::notify() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void Outbox::stop(std::chrono::milliseconds finish_within) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!draining_) {
      draining_ = true;
      drain_deadline_ = std::chrono::steady_clock::now() + finish_within;
      drain_started_ = options_.clock();
    }
    woken_ = true;
  }
  wake_.notify_one();
  if (scheduler_.joinable()) scheduler_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& w : workers_) w.join();
  workers_.clear();
}

void Outbox::log(const std::string& line) {
  if (options_.log) options_.log(line);
}

void Outbox::schedule_loop() {
  for (;;) {
    bool more = false;
    try {
      more = pick_due_runs();
    } catch (const std::exception& e) {
      log(std::string("outbox: cannot read due runs: ") + e.what());
    }
    std::unique_lock<std::mutex> lock(mutex_);
    if (draining_) {
      const bool late = std::chrono::steady_clock::now() >= drain_deadline_;
      if (late && !abort_) abort_ = true;  // transfers still running give up now
      if (!more || late) {
        // Nothing due is left (or time is up): wait for running attempts
        // to be recorded, then stop.
        wake_.wait(lock, [this] { return in_flight_.empty() && work_.empty(); });
        return;
      }
    }
    // Wait for a commit, a finished attempt, the next due run, or the poll.
    std::chrono::milliseconds wait = options_.poll;
    if (!draining_) {
      lock.unlock();
      std::optional<TimePoint> next;
      try {
        next = store_.next_due();
      } catch (const std::exception&) {
      }
      lock.lock();
      const TimePoint now = options_.clock();
      if (next && *next > now) {
        wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(*next - now));
      }
    } else {
      wait = std::chrono::milliseconds(20);
    }
    wake_.wait_for(lock, wait, [this] { return woken_; });
    woken_ = false;
  }
}

bool Outbox::pick_due_runs() {
  TimePoint now = options_.clock();
  {
    // Draining runs what was due when the stop began, not retries after it.
    std::lock_guard<std::mutex> lock(mutex_);
    if (draining_) now = std::min(now, drain_started_);
  }
  std::vector<RunRecord> due = store_.due_runs(now, 256);
  std::lock_guard<std::mutex> lock(mutex_);
  bool queued = false;
  for (RunRecord& run : due) {
    if (in_flight_.count(run.id)) continue;
    ActionKey key{run.applet, run.action_index};
    if (busy_actions_.count(key)) continue;
    if (abort_) break;
    in_flight_.insert(run.id);
    busy_actions_.insert(key);
    work_.push_back(std::move(run));
    queued = true;
  }
  if (queued) work_cv_.notify_all();
  return !due.empty() || !in_flight_.empty();
}

void Outbox::worker_loop() {
  for (;;) {
    RunRecord run;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_cv_.wait(lock, [this] { return stopped_ || !work_.empty(); });
      if (work_.empty()) return;
      run = std::move(work_.front());
      work_.pop_front();
    }
    attempt(run);
  }
}

void Outbox::attempt(const RunRecord& run) {
  RunAttempt result;
  result.run_id = run.id;
  result.attempts = run.attempts + 1;
  result.status = RunStatus::kDone;
  bool permanent = false;
  try {
    Action* action = actions_.find(run.applet, run.action_index);
    if (!action) {
      throw ActionError("applet '" + run.applet + "' has no action #" +
                            std::to_string(run.action_index + 1) +
                            " any more (the applets file changed since this run was queued)",
                        true);
    }
    std::optional<EventRecord> event = store_.event(run.event_id);
    if (!event) throw ActionError("event #" + std::to_string(run.event_id) + " is gone", true);
    action->run(*event, ingredients_of(*event));
  } catch (const ActionError& e) {
    result.error = e.what();
    permanent = e.permanent();
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  result.at = options_.clock();
  if (!result.error.empty()) {
    if (permanent || result.attempts >= options_.retry.max_attempts) {
      result.status = RunStatus::kFailed;
      if (!permanent) {
        result.error = "gave up after " + std::to_string(result.attempts) + " attempts: " +
                       result.error;
      }
    } else {
      result.status = RunStatus::kPending;
      double u;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        u = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
      }
      result.next_attempt_at = result.at + retry_delay(options_.retry, result.attempts, u);
    }
    log("outbox: run #" + std::to_string(run.id) + " (" + run.applet + " " + run.kind +
        ", event #" + std::to_string(run.event_id) + ") attempt " +
        std::to_string(result.attempts) + " failed: " + result.error +
        (result.status == RunStatus::kPending ? "; will retry" : "; giving up"));
  } else {
    result.next_attempt_at = result.at;
  }
  if (options_.metrics) options_.metrics->attempt_finished(result.status);
  // The run leaves in_flight_ only once the outcome is committed, so the
  // scheduler never picks it again from a stale read.
  store_.record_attempt_async(result, [this, run](const std::string& error) {
    if (!error.empty()) log("outbox: cannot record run #" + std::to_string(run.id) + ": " + error);
    finished(run);
  });
}

void Outbox::finished(const RunRecord& run) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    in_flight_.erase(run.id);
    busy_actions_.erase({run.applet, run.action_index});
    woken_ = true;
  }
  wake_.notify_one();
}

}  // namespace hub
