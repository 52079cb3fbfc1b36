// SqliteStore: the connections, the writer thread, and appending events
// (with their action runs and the buttons table) in one transaction.
#include "sqlite_store.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "schema.h"
#include "sqlite_util.h"

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
    // FULL: the WAL is fsynced at every commit, so a 200 survives power loss.
    exec(writer_, "PRAGMA synchronous=FULL");
    migrate(writer_);
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
  for (;;) {
    std::deque<WriteJob> batch;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything is committed
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(batch);
  }
}

void SqliteStore::commit_batch(std::deque<WriteJob>& batch) {
  std::vector<std::string> errors(batch.size());
  bool runs_queued = false;
  try {
    // Jobs rarely fail, so first the whole batch without savepoints (two
    // statements fewer per job); if a job does fail, that try is rolled
    // back and the batch runs again with a savepoint around each job, so
    // the failing one fails alone.
    std::optional<bool> queued = apply_batch(batch, errors, /*savepoints=*/false);
    if (!queued) queued = apply_batch(batch, errors, /*savepoints=*/true);
    runs_queued = *queued;
  } catch (const std::exception& e) {
    for (std::string& error : errors) error = e.what();
    runs_queued = false;
  }
  // The wake-up goes first: once a job's callback ran, its owner may be gone.
  if (runs_queued) {
    std::function<void()> notify;
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      notify = on_runs_queued_;
    }
    if (notify) notify();
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i].finish(errors[i]);
    } catch (...) {
      // A callback's failure is its own; the rest of the batch still hears back.
    }
  }
}

std::optional<bool> SqliteStore::apply_batch(std::deque<WriteJob>& batch,
                                             std::vector<std::string>& errors, bool savepoints) {
  // The transaction and savepoint statements are prepared once, like the
  // inserts: sqlite3_exec would parse each of them for every batch or job.
  auto run = [this](const char* text) { step_done(writer_, writer_statement(text), text); };
  bool runs_queued = false;
  immediate_.clear();
  staging_ = !savepoints;
  clear_staged();
  run("BEGIN IMMEDIATE");
  try {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      errors[i].clear();
      current_job_ = i;
      if (!savepoints) {
        bool queued = false;
        try {
          queued = batch[i].apply();
        } catch (const std::exception&) {
          sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
          return std::nullopt;
        }
        runs_queued = runs_queued || queued;
        continue;
      }
      run("SAVEPOINT job");
      clear_staged();  // job by job: the staged lists hold this job's rows only
      try {
        if (batch[i].apply()) runs_queued = true;
        run("RELEASE job");
      } catch (const std::exception& e) {
        errors[i] = e.what();
        if (errors[i].empty()) errors[i] = "write failed";
        run("ROLLBACK TO job");
        run("RELEASE job");
        // Its immediate runs were rolled back with it: they must not run.
        immediate_.erase(std::remove_if(immediate_.begin(), immediate_.end(),
                                        [i](const Immediate& m) { return m.job == i; }),
                         immediate_.end());
      }
    }
    if (staging_) {
      try {
        write_staged();
      } catch (const std::exception&) {
        // A staged row broke a constraint, or an event was a duplicate:
        // again job by job, with savepoints.
        sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
        return std::nullopt;
      }
    }
    if (run_immediate()) runs_queued = true;
    const auto started = std::chrono::steady_clock::now();
    run("COMMIT");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::lock_guard<std::mutex> lock(stats_mutex_);
    ++stats_.commits;
    stats_.writes += batch.size();
    stats_.seconds += seconds;
    if (const std::size_t i = latency_bucket(seconds); i < stats_.buckets.size()) ++stats_.buckets[i];
  } catch (...) {
    sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return runs_queued;
}

CommitStats SqliteStore::commit_stats() {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  return stats_;
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
  // The event lives in its result from here on: no copy per try.
  state->result.event = std::move(event);
  WriteJob job;
  job.apply = [this, state]() {
    AppendResult& result = state->result;
    result.event.id = 0;  // a second try starts afresh
    result.duplicate = false;
    state->outbox_has_work = false;
    // One text for the event's three rows (formatting allocates).
    const std::string at = format_iso8601(result.event.occurred_at);
    insert_event(at, result);
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

void SqliteStore::insert_event(const std::string& occurred_at, AppendResult& result) {
  staged_events_.push_back({&result.event, occurred_at});
  if (staging_ || write_events(0, 1)) return;
  const EventRecord& event = result.event;
  // ON CONFLICT DO NOTHING skipped it: this (key, Idempotency-Key) is stored.
  // Read through the writer: the reader might not see this transaction yet.
  Statement find(writer_, std::string("SELECT ") + kEventColumns +
                              " FROM events WHERE key_id = ? AND idempotency_key = ?");
  bind_value(find, 1, event.key_id);
  bind_value(find, 2, event.idempotency_key);
  if (sqlite3_step(find) != SQLITE_ROW) fail(writer_, "find duplicate");
  result = AppendResult{read_event(find), true, 0};
}

std::pair<int, bool> SqliteStore::insert_runs(const EventRecord& event, const std::string& now) {
  if (!options_.planner) return {0, false};
  std::vector<PlannedRun> planned = options_.planner(event);
  if (planned.empty()) return {0, false};
  // An immediate run is stored as done by its first attempt; run_immediate()
  // turns it back to pending if that attempt fails before the commit.
  bool pending = false;
  for (PlannedRun& run : planned) {
    const bool immediate = run.immediate && immediate_runner_.run;
    pending = pending || !immediate;
    staged_runs_.push_back({&event, now, std::move(run), immediate, current_job_});
  }
  if (!staging_) write_runs(0, staged_runs_.size());
  return {static_cast<int>(planned.size()), pending};
}

template <class BindRow>
std::optional<std::int64_t> SqliteStore::insert_rows(const char* head, int columns,
                                                     std::size_t count, const char* tail,
                                                     const char* what, BindRow bind_row) {
  // Kept like the other statements, keyed by the text's address.
  std::string& text = multi_row_texts_[{head, count}];
  if (text.empty()) {
    std::string row = "(?";
    for (int i = 1; i < columns; ++i) row += ",?";
    row += ')';
    text = head;
    for (std::size_t i = 0; i < count; ++i) (text += i ? "," : "") += row;
    text += tail;
  }
  sqlite3_stmt* insert = writer_statement(text.c_str());
  sqlite3_clear_bindings(insert);
  for (std::size_t i = 0; i < count; ++i) bind_row(insert, i, static_cast<int>(i) * columns + 1);
  step_done(writer_, insert, what);
  if (sqlite3_changes(writer_) != static_cast<int>(count)) return std::nullopt;
  return sqlite3_last_insert_rowid(writer_) - static_cast<std::int64_t>(count) + 1;
}

bool SqliteStore::write_events(std::size_t first, std::size_t count) {
  static const char kHead[] =
      "INSERT INTO events (event, key_id, value1, value2, value3, json_payload, occurred_at, "
      "remote_addr, idempotency_key, button_id, battery_mv) VALUES ";
  const std::optional<std::int64_t> id = insert_rows(
      kHead, 11, count, " ON CONFLICT DO NOTHING", "insert event",
      [&](sqlite3_stmt* insert, std::size_t i, int at) {
        const EventRecord& event = *staged_events_[first + i].event;
        bind_value(insert, at, event.event);
        bind_value(insert, at + 1, event.key_id);
        bind_value(insert, at + 2, event.value1);
        bind_value(insert, at + 3, event.value2);
        bind_value(insert, at + 4, event.value3);
        bind_value(insert, at + 5, event.json_payload);
        bind_value(insert, at + 6, staged_events_[first + i].at);
        bind_value(insert, at + 7, event.remote_addr);
        bind_value(insert, at + 8, event.idempotency_key);
        bind_value(insert, at + 9, event.button_id);
        bind_value(insert, at + 10, event.battery_mv);
      });
  if (!id) return false;
  for (std::size_t i = 0; i < count; ++i) {
    staged_events_[first + i].event->id = *id + static_cast<std::int64_t>(i);
  }
  return true;
}

void SqliteStore::write_runs(std::size_t first, std::size_t count) {
  static const char kHead[] =
      "INSERT INTO action_runs (event_id, applet, action_index, kind, next_attempt_at, "
      "created_at, updated_at, status, attempts) VALUES ";
  const std::optional<std::int64_t> id = insert_rows(
      kHead, 9, count, "", "insert action run", [&](sqlite3_stmt* insert, std::size_t i, int at) {
        const StagedRun& r = staged_runs_[first + i];
        bind_value(insert, at, r.event->id);
        bind_value(insert, at + 1, r.run.applet);
        bind_value(insert, at + 2, static_cast<std::int64_t>(r.run.action_index));
        bind_value(insert, at + 3, r.run.kind);
        bind_value(insert, at + 4, to_ms(r.event->occurred_at));
        bind_value(insert, at + 5, r.at);
        bind_value(insert, at + 6, r.at);
        bind_value(insert, at + 7, r.immediate ? "done" : "pending");
        bind_value(insert, at + 8, static_cast<std::int64_t>(r.immediate ? 1 : 0));
      });
  if (!id) throw StoreError("insert action run: a row was not inserted");
  for (std::size_t i = 0; i < count; ++i) {
    StagedRun& r = staged_runs_[first + i];
    const std::int64_t run_id = *id + static_cast<std::int64_t>(i);
    if (r.immediate) immediate_.push_back({r.job, run_id, r.event, std::move(r.run)});
  }
}

void SqliteStore::write_staged() {
  // Up to 32 rows per statement (352 parameters at most): few texts to
  // prepare, and most of the per-statement cost gone. Events first: the
  // runs and buttons take their ids.
  auto in_chunks = [](std::size_t rows, const auto& write) {
    constexpr std::size_t kRowsPerInsert = 32;
    for (std::size_t first = 0; first < rows; first += kRowsPerInsert) {
      write(first, std::min(kRowsPerInsert, rows - first));
    }
  };
  in_chunks(staged_events_.size(), [this](std::size_t first, std::size_t count) {
    // A duplicate (its Idempotency-Key stored): its job answers with the
    // original, which only the job-by-job path finds.
    if (!write_events(first, count)) throw StoreError("a duplicate event in the batch");
  });
  in_chunks(staged_runs_.size(),
            [this](std::size_t first, std::size_t count) { write_runs(first, count); });
  for (const StagedButton& button : staged_buttons_) write_button(button);
  clear_staged();
}

void SqliteStore::clear_staged() {
  staged_events_.clear();
  staged_runs_.clear();
  staged_buttons_.clear();
  staged_button_index_.clear();
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
  std::string id = event.key_id;
  id += '\0';
  id += *event.button_id;
  auto [it, added] = staged_button_index_.try_emplace(std::move(id), staged_buttons_.size());
  if (added) staged_buttons_.push_back({&event, event.key_id, *event.button_id, at, at, {}, 0});
  StagedButton& b = staged_buttons_[it->second];
  b.last = &event;
  b.last_at = at;
  if (event.battery_mv) b.battery_mv = event.battery_mv;
  ++b.presses;
  if (!staging_) write_button(b);
}

void SqliteStore::write_button(const StagedButton& b) {
  sqlite3_stmt* upsert = writer_statement(
      "INSERT INTO buttons (key_id, button_id, first_seen, last_seen, last_event, last_event_id, "
      "presses, battery_mv) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (key_id, button_id) DO UPDATE SET last_seen = ?4, last_event = ?5, "
      "last_event_id = ?6, presses = presses + ?7, battery_mv = COALESCE(?8, battery_mv)");
  sqlite3_clear_bindings(upsert);
  bind_value(upsert, 1, b.key_id);
  bind_value(upsert, 2, b.button_id);
  bind_value(upsert, 3, b.first_at);
  bind_value(upsert, 4, b.last_at);
  bind_value(upsert, 5, b.last->event);
  bind_value(upsert, 6, b.last->id);
  bind_value(upsert, 7, b.presses);
  bind_value(upsert, 8, b.battery_mv);
  step_done(writer_, upsert, "update buttons");
}

}  // namespace hub
