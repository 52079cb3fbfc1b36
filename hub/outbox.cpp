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
    if (draining_) {
      wait = std::chrono::milliseconds(20);
    } else if (!all_actions_busy()) {  // all busy: a finished chain wakes us
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
  {
    // Every action has a chain running: nothing could be picked, so spare
    // the store the read (commits wake the scheduler many times a second).
    std::lock_guard<std::mutex> lock(mutex_);
    if (all_actions_busy()) return true;
    reading_ = true;
    recorded_during_read_.clear();
  }
  std::vector<RunRecord> due;
  try {
    due = store_.due_runs(now, 256);
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    reading_ = false;
    throw;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  reading_ = false;
  // The due runs of one action go to one worker as a chain, in due order:
  // still one run per action at a time, but one read of the store serves
  // up to 256 runs instead of one (a busy hub queues thousands a second).
  std::map<ActionKey, std::size_t> chain_of;  // chains started in this pass
  bool queued = false;
  for (RunRecord& run : due) {
    // In flight, or its attempt was recorded after the read began (the
    // read's snapshot may say pending: running it again would deliver twice).
    if (in_flight_.count(run.id) || recorded_during_read_.count(run.id)) continue;
    if (abort_) break;
    ActionKey key{run.applet, run.action_index};
    auto started = chain_of.find(key);
    if (started != chain_of.end()) {
      in_flight_.insert(run.id);
      work_[started->second].push_back(std::move(run));
      continue;
    }
    if (busy_actions_.count(key)) continue;
    in_flight_.insert(run.id);
    busy_actions_.insert(key);
    chain_of.emplace(std::move(key), work_.size());
    work_.emplace_back();
    work_.back().push_back(std::move(run));
    queued = true;
  }
  if (queued) work_cv_.notify_all();
  return !due.empty() || !in_flight_.empty();
}

bool Outbox::all_actions_busy() const {
  return !busy_actions_.empty() && busy_actions_.size() >= actions_.size();
}

void Outbox::worker_loop() {
  for (;;) {
    std::vector<RunRecord> chain;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_cv_.wait(lock, [this] { return stopped_ || !work_.empty(); });
      if (work_.empty()) return;
      chain = std::move(work_.front());
      work_.pop_front();
    }
    run_chain(chain);
  }
}

void Outbox::run_chain(const std::vector<RunRecord>& chain) {
  // The action stays busy until the last attempt of the chain is recorded;
  // the worker holds one count until it has stopped attempting.
  auto chain_state = std::make_shared<Chain>();
  chain_state->key = {chain.front().applet, chain.front().action_index};
  chain_state->outstanding = 1;
  std::size_t next = 0;
  while (next < chain.size() && !abort_) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++chain_state->outstanding;
    }
    const bool done = attempt(chain[next++], chain_state);
    // After a failure the rest wait for the next pass: a target that is
    // down costs one failed attempt per pass, not one per queued run.
    if (!done) break;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = next; i < chain.size(); ++i) in_flight_.erase(chain[i].id);
  }
  finished(chain_state);
}

bool Outbox::attempt(const RunRecord& run, const std::shared_ptr<Chain>& chain) {
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
    action->run(*event, ingredients_of(*event, action->ingredients_used()));
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
  const bool done = result.status == RunStatus::kDone;
  store_.record_attempt_async(result, [this, id = run.id, chain](const std::string& error) {
    if (!error.empty()) log("outbox: cannot record run #" + std::to_string(id) + ": " + error);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      in_flight_.erase(id);
      if (reading_) recorded_during_read_.insert(id);
    }
    finished(chain);
  });
  return done;
}

void Outbox::finished(const std::shared_ptr<Chain>& chain) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--chain->outstanding > 0) return;
    busy_actions_.erase(chain->key);
    woken_ = true;
  }
  wake_.notify_one();
}

}  // namespace hub
