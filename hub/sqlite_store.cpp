// SqliteStore: the connections, the writer thread, and appending events
// (with their action runs and the buttons table) in one transaction.
#include "sqlite_store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "schema.h"
#include "sqlite_util.h"
#include "wal_vfs.h"

namespace hub {

using namespace sql;

SqliteStore::SqliteStore(SqliteOptions options) : options_(std::move(options)) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  try {
    // Its WAL writes are gathered into one per commit (wal_vfs.h): safe
    // because this connection stays at synchronous=FULL.
    writer_ = open_connection(options_.path, options_.busy_timeout_ms, /*gather_wal_writes=*/true);
    {
      // journal_mode answers with the mode it ended up in; a file system
      // without shared memory support silently stays in "delete".
      Statement wal(writer_, "PRAGMA journal_mode=WAL");
      if (sqlite3_step(wal.get()) != SQLITE_ROW) throw StoreError(sqlite3_errmsg(writer_));
      std::string mode = column_text(wal.get(), 0);
      if (mode != "wal") throw StoreError("could not enable WAL (journal_mode is " + mode + ")");
    }
    // FULL: the WAL is fsynced at every commit, so a 200 survives power loss
    // (the commits the writer makes leave that fsync to the sync thread).
    exec(writer_, "PRAGMA synchronous=FULL");
    migrate(writer_);
    // The writer checkpoints itself (commit_open): this hook, which only
    // counts, replaces SQLite's automatic checkpoint inside COMMIT.
    sqlite3_wal_hook(
        writer_,
        [](void* self, sqlite3*, const char*, int frames) {
          static_cast<SqliteStore*>(self)->wal_frames_ = frames;
          return SQLITE_OK;
        },
        this);
    reader_ = open_connection(options_.path, options_.busy_timeout_ms);
  } catch (const StoreError& e) {
    sqlite3_close(reader_);
    sqlite3_close(writer_);
    throw StoreError("cannot open database '" + options_.path + "': " + e.what());
  }
  writer_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "hub-writer");  // as top -H and perf show it
    writer_loop();
  });
  sync_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "hub-sync");
    sync_loop();
  });
}

SqliteStore::~SqliteStore() {
  close();
}

void SqliteStore::close() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (closing_ && !writer_thread_.joinable()) return;
    closing_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  // The writer has handed over its last commit: the sync thread finishes it.
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    sync_stop_ = true;
  }
  sync_cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
  std::lock_guard<std::mutex> lock(reader_mutex_);
  for (auto& [text, stmt] : writer_statements_) sqlite3_finalize(stmt);
  writer_statements_.clear();
  for (auto& [text, stmt] : reader_statements_) sqlite3_finalize(stmt);
  reader_statements_.clear();
  // The writer closes last: the last connection checkpoints and removes the WAL.
  sqlite3_close(reader_);
  sqlite3_close(writer_);
  reader_ = writer_ = nullptr;
}

void SqliteStore::set_on_runs_queued(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  on_runs_queued_ = std::move(callback);
}

void SqliteStore::set_immediate_runner(ImmediateRunner runner) {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  immediate_runner_ = std::move(runner);
}

sqlite3* SqliteStore::lock_reader(std::unique_lock<std::mutex>& lock) {
  lock = std::unique_lock<std::mutex>(reader_mutex_);
  if (!reader_) throw StoreError("the store is closed");
  return reader_;
}

namespace {

// A statement prepared once per connection, keyed by its text's address
// (the callers pass literals or statics).
sqlite3_stmt* kept_statement(sqlite3* db, std::map<const char*, sqlite3_stmt*>& kept,
                             const char* text) {
  auto it = kept.find(text);
  if (it != kept.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, text, -1, &stmt, nullptr) != SQLITE_OK) fail(db, "prepare");
  kept.emplace(text, stmt);
  return stmt;
}

}  // namespace

sqlite3_stmt* SqliteStore::writer_statement(const char* text) {
  return kept_statement(writer_, writer_statements_, text);
}

sqlite3_stmt* SqliteStore::reader_statement(const char* text) {
  return kept_statement(reader_, reader_statements_, text);
}

void SqliteStore::submit(WriteJob job) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (!closing_) {
      queue_.push_back(std::move(job));
      queue_cv_.notify_one();
      return;
    }
  }
  job.finish("the store is closed");
}

void SqliteStore::writer_loop() {
  Open open;
  for (;;) {
    const std::size_t from = open.jobs.size();
    bool commit = false;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [&] {
        const bool take = !queue_.empty() && open.jobs.size() < options_.max_batch;
        const bool can_commit = !open.jobs.empty() && !syncing_;
        return take || can_commit || (closing_ && queue_.empty() && open.jobs.empty());
      });
      while (!queue_.empty() && open.jobs.size() < options_.max_batch) {
        open.jobs.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (open.jobs.empty()) return;  // closing, and everything is committed
      commit = !syncing_;
    }
    if (from < open.jobs.size()) {
      try {
        apply_jobs(open, from);
      } catch (const std::exception& e) {
        // The transaction itself failed (BEGIN, a savepoint): nothing is stored.
        sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
        Committed failed{std::move(open.jobs), {}, false, -1};
        failed.errors.assign(failed.jobs.size(), e.what());
        open = Open{};
        finish_jobs(failed);
        continue;
      }
    }
    // While the previous commit is syncing, the jobs wait in the open
    // transaction and more join them: one fsync at a time, each for all.
    if (commit) commit_open(open);
  }
}

void SqliteStore::apply_jobs(Open& open, std::size_t from) {
  auto run = [this](const char* text) { step_done(writer_, writer_statement(text), text); };
  if (from == 0) {
    immediate_.clear();
    run("BEGIN IMMEDIATE");
  }
  open.errors.resize(open.jobs.size());
  for (std::size_t i = from; i < open.jobs.size(); ++i) {
    if (apply_job(open, i)) continue;
    // Jobs rarely fail, so they run without savepoints (two statements
    // fewer per job) until one does: then the transaction so far is rolled
    // back and runs again with a savepoint around each job.
    sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
    open.savepoints = true;
    open.runs_queued = false;
    immediate_.clear();
    run("BEGIN IMMEDIATE");
    for (std::size_t j = 0; j < open.jobs.size(); ++j) apply_job(open, j);
    return;
  }
}

bool SqliteStore::apply_job(Open& open, std::size_t i) {
  auto run = [this](const char* text) { step_done(writer_, writer_statement(text), text); };
  open.errors[i].clear();
  current_job_ = i;
  if (!open.savepoints) {
    try {
      if (open.jobs[i].apply()) open.runs_queued = true;
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }
  run("SAVEPOINT job");
  try {
    if (open.jobs[i].apply()) open.runs_queued = true;
    run("RELEASE job");
  } catch (const std::exception& e) {
    open.errors[i] = e.what();
    if (open.errors[i].empty()) open.errors[i] = "write failed";
    run("ROLLBACK TO job");
    run("RELEASE job");
    // Its immediate runs were rolled back with it: they must not run.
    immediate_.erase(std::remove_if(immediate_.begin(), immediate_.end(),
                                    [i](const Immediate& m) { return m.job == i; }),
                     immediate_.end());
  }
  return true;
}

void SqliteStore::commit_open(Open& open) {
  Committed done{std::move(open.jobs), std::move(open.errors), open.runs_queued, -1};
  open = Open{};
  try {
    if (run_immediate()) done.runs_queued = true;
    // The commit writes the WAL and leaves its sync to the sync thread.
    DeferredWalSync deferred;
    step_done(writer_, writer_statement("COMMIT"), "COMMIT");
    done.sync_fd = deferred.fd();
  } catch (const std::exception& e) {
    sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
    done.errors.assign(done.jobs.size(), e.what());
    done.runs_queued = false;
    finish_jobs(done);
    return;
  }
  // The checkpoint SQLite would run inside COMMIT, here instead: outside
  // the deferred sync, since it must sync the WAL before it copies pages
  // into the database file. Like SQLite's own: passive, at 1000 frames.
  if (wal_frames_ >= 1000) {
    wal_frames_ = 0;
    sqlite3_wal_checkpoint_v2(writer_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    syncing_ = true;
    to_sync_ = std::move(done);
  }
  sync_cv_.notify_one();
}

void SqliteStore::sync_loop() {
  for (;;) {
    Committed done;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      sync_cv_.wait(lock, [this] { return to_sync_ || sync_stop_; });
      if (!to_sync_) return;
      done = std::move(*to_sync_);
      to_sync_.reset();
    }
    std::string failed;
    if (done.sync_fd >= 0 && ::fdatasync(done.sync_fd) != 0) {
      failed = std::string("cannot sync the database's WAL file: ") + std::strerror(errno) +
               " (the write may be lost; check the disk)";
    }
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      syncing_ = false;
    }
    queue_cv_.notify_one();  // the writer may commit what it applied meanwhile
    if (!failed.empty()) {
      for (std::string& error : done.errors)
        if (error.empty()) error = failed;
    }
    finish_jobs(done);
  }
}

void SqliteStore::finish_jobs(Committed& done) {
  // The wake-up goes first: once a job's callback ran, its owner may be gone.
  if (done.runs_queued) {
    std::function<void()> notify;
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      notify = on_runs_queued_;
    }
    if (notify) notify();
  }
  for (std::size_t i = 0; i < done.jobs.size(); ++i) {
    try {
      done.jobs[i].finish(done.errors[i]);
    } catch (...) {
      // A callback's failure is its own; the rest still hear back.
    }
  }
}

void SqliteStore::remember(const EventRecord& event) {
  std::lock_guard<std::mutex> lock(recent_mutex_);
  if (!recent_.emplace(event.id, event).second) return;
  recent_order_.push_back(event.id);
  if (recent_order_.size() > kRecentEvents) {
    recent_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
}

std::optional<EventRecord> SqliteStore::recent_event(std::int64_t id) {
  std::lock_guard<std::mutex> lock(recent_mutex_);
  auto it = recent_.find(id);
  if (it == recent_.end()) return std::nullopt;
  return it->second;
}

void SqliteStore::append_async(EventRecord event, AppendCallback done) {
  // What the transaction found, for the callback after the commit.
  struct Appended {
    AppendResult result;
    bool outbox_has_work = false;  // a run was left pending
  };
  auto state = std::make_shared<Appended>();
  WriteJob job;
  job.apply = [this, state, event = std::move(event)]() {
    AppendResult& result = state->result;
    // One text for the event's three rows (formatting allocates).
    const std::string at = format_iso8601(event.occurred_at);
    result = insert_event(event, at);
    if (result.duplicate) return false;
    upsert_button(result.event, at);
    auto [runs, pending] = insert_runs(result.event, at);
    result.runs_queued = runs;
    state->outbox_has_work = pending;
    return pending;
  };
  job.finish = [this, state, done = std::move(done)](const std::string& error) {
    // The outbox will read the event for its pending runs: keep it at hand.
    if (error.empty() && state->outbox_has_work) remember(state->result.event);
    if (error.empty())
      done(AppendOutcome{std::move(state->result), {}});
    else
      done(AppendOutcome{std::nullopt, error});
  };
  submit(std::move(job));
}

AppendResult SqliteStore::insert_event(const EventRecord& event, const std::string& occurred_at) {
  sqlite3_stmt* insert = writer_statement(
      "INSERT INTO events (event, key_id, value1, value2, value3, json_payload, occurred_at, "
      "remote_addr, idempotency_key, button_id, battery_mv) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT DO NOTHING");
  sqlite3_clear_bindings(insert);
  bind_value(insert, 1, event.event);
  bind_value(insert, 2, event.key_id);
  bind_value(insert, 3, event.value1);
  bind_value(insert, 4, event.value2);
  bind_value(insert, 5, event.value3);
  bind_value(insert, 6, event.json_payload);
  bind_value(insert, 7, occurred_at);
  bind_value(insert, 8, event.remote_addr);
  bind_value(insert, 9, event.idempotency_key);
  bind_value(insert, 10, event.button_id);
  bind_value(insert, 11, event.battery_mv);
  step_done(writer_, insert, "insert event");

  if (sqlite3_changes(writer_) == 1) {
    AppendResult r{event, false, 0};
    r.event.id = sqlite3_last_insert_rowid(writer_);
    return r;
  }
  // ON CONFLICT DO NOTHING skipped it: this (key, Idempotency-Key) is stored.
  // Read through the writer: the reader might not see this transaction yet.
  Statement find(writer_, std::string("SELECT ") + kEventColumns +
                              " FROM events WHERE key_id = ? AND idempotency_key = ?");
  bind_value(find, 1, event.key_id);
  bind_value(find, 2, event.idempotency_key);
  if (sqlite3_step(find) != SQLITE_ROW) fail(writer_, "find duplicate");
  return AppendResult{read_event(find), true, 0};
}

std::pair<int, bool> SqliteStore::insert_runs(const EventRecord& event, const std::string& now) {
  if (!options_.planner) return {0, false};
  std::vector<PlannedRun> planned = options_.planner(event);
  if (planned.empty()) return {0, false};
  // An immediate run is stored as done by its first attempt; run_immediate()
  // turns it back to pending if that attempt fails before the commit.
  sqlite3_stmt* insert = writer_statement(
      "INSERT INTO action_runs (event_id, applet, action_index, kind, next_attempt_at, "
      "created_at, updated_at, status, attempts) VALUES (?,?,?,?,?,?,?,?,?)");
  bool pending = false;
  for (PlannedRun& run : planned) {
    const bool immediate = run.immediate && immediate_runner_.run;
    pending = pending || !immediate;
    sqlite3_clear_bindings(insert);
    bind_value(insert, 1, event.id);
    bind_value(insert, 2, run.applet);
    bind_value(insert, 3, static_cast<std::int64_t>(run.action_index));
    bind_value(insert, 4, run.kind);
    bind_value(insert, 5, to_ms(event.occurred_at));
    bind_value(insert, 6, now);
    bind_value(insert, 7, now);
    bind_value(insert, 8, std::string(immediate ? "done" : "pending"));
    bind_value(insert, 9, static_cast<std::int64_t>(immediate ? 1 : 0));
    step_done(writer_, insert, "insert action run");
    if (immediate) {
      immediate_.push_back({current_job_, sqlite3_last_insert_rowid(writer_), &event, std::move(run)});
    }
  }
  return {static_cast<int>(planned.size()), pending};
}

bool SqliteStore::run_immediate() {
  if (immediate_.empty()) return false;
  auto guarded = [](const auto& call) {
    try {
      return call();
    } catch (const std::exception& e) {
      return std::string(*e.what() ? e.what() : "failed");
    }
  };
  std::vector<std::string> errors(immediate_.size());
  for (std::size_t i = 0; i < immediate_.size(); ++i) {
    errors[i] = guarded([&] { return immediate_runner_.run(*immediate_[i].event, immediate_[i].run); });
  }
  const std::string flushed =
      immediate_runner_.flush ? guarded([&] { return immediate_runner_.flush(); }) : "";
  bool failed = false;
  for (std::size_t i = 0; i < immediate_.size(); ++i) {
    if (errors[i].empty()) errors[i] = flushed;
    if (errors[i].empty()) continue;
    // Left for the outbox, which retries it with its backoff from attempt 2.
    RunAttempt attempt;
    attempt.run_id = immediate_[i].run_id;
    attempt.attempts = 1;
    attempt.status = RunStatus::kPending;
    attempt.error = errors[i];
    attempt.at = now_ms();
    attempt.next_attempt_at = attempt.at;
    apply_attempt(attempt);
    failed = true;
  }
  immediate_.clear();
  return failed;
}

void SqliteStore::upsert_button(const EventRecord& event, const std::string& at) {
  if (!event.button_id || event.button_id->empty()) return;
  sqlite3_stmt* upsert = writer_statement(
      "INSERT INTO buttons (key_id, button_id, first_seen, last_seen, last_event, last_event_id, "
      "presses, battery_mv) VALUES (?1, ?2, ?3, ?3, ?4, ?5, 1, ?6) "
      "ON CONFLICT (key_id, button_id) DO UPDATE SET last_seen = ?3, last_event = ?4, "
      "last_event_id = ?5, presses = presses + 1, battery_mv = COALESCE(?6, battery_mv)");
  sqlite3_clear_bindings(upsert);
  bind_value(upsert, 1, event.key_id);
  bind_value(upsert, 2, *event.button_id);
  bind_value(upsert, 3, at);
  bind_value(upsert, 4, event.event);
  bind_value(upsert, 5, event.id);
  bind_value(upsert, 6, event.battery_mv);
  step_done(writer_, upsert, "update buttons");
}

}  // namespace hub
