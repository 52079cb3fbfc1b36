// The SQLite store: WAL journal, synchronous=FULL, so a write's callback runs
// only after it is on disk. One writer thread owns the write connection and
// drains a queue of write jobs (events with their action runs, outbox
// updates, keys), committing what is queued in one transaction (group
// commit, at most max_batch jobs). The batch's rows are written together:
// events and action runs in multi-row INSERTs, one upsert per button
// however often it was pressed. A job that fails, or an event that is a
// duplicate, sends the batch again job by job, with a savepoint per job,
// so a failing job is undone alone. The I/O thread never waits for an
// fsync. Reads use a second connection (WAL lets them run beside the
// writer).
//
// Files: sqlite_store.cpp (connections, writer, events), sqlite_outbox.cpp
// (action runs), sqlite_reads.cpp (queries for the API, dashboard, CLI).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hub {

struct SqliteOptions {
  std::string path;
  // Jobs per transaction. Every connection's pending trigger fits, with
  // room for the outbox's attempt records (a chain queues up to 256 at
  // once): a cap below that splits one fsync's worth of work into several.
  std::size_t max_batch = 1024;
  int busy_timeout_ms = 5000;  // another process (a backup, sqlite3 CLI, the CLI) holding the lock
  RunPlanner planner{};        // which runs a new event gets; empty: none
};

// Runs the immediate runs (PlannedRun::immediate) of a batch of events, on
// the writer thread before COMMIT: `run` for each ("" when it succeeded,
// else the error), then `flush` once ("" or the error, which fails every
// run of the batch that had succeeded).
struct ImmediateRunner {
  std::function<std::string(const EventRecord&, const PlannedRun&)> run;
  std::function<std::string()> flush;
};

// The presses of one button in a batch: written as one upsert.
struct StagedButton {
  const EventRecord* last;  // the newest press's event (its id, name)
  std::string key_id, button_id;
  std::string first_at, last_at;
  std::optional<int> battery_mv;  // the newest press's that had one
  std::int64_t presses = 0;
};

class SqliteStore : public Store {
 public:
  // Opens (creating if needed) and migrates the file. Throws StoreError
  // naming the path when it cannot.
  explicit SqliteStore(SqliteOptions options);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  void append_async(EventRecord event, AppendCallback done) override;
  std::vector<EventRecord> list(const EventQuery& query) override;
  std::optional<EventRecord> event(std::int64_t id) override;
  std::vector<ButtonRecord> buttons(const std::string& key_id) override;

  std::vector<RunRecord> due_runs(TimePoint now, int limit) override;
  std::optional<TimePoint> next_due() override;
  void record_attempt_async(RunAttempt attempt, WriteCallback done) override;
  std::vector<RunRecord> runs(const RunQuery& query) override;
  RunCounts run_counts() override;
  CommitStats commit_stats() override;

  std::vector<StoredKey> stored_keys() override;
  void add_key(const StoredKey& key) override;
  bool revoke_key(const std::string& name, TimePoint when) override;

  // Called on the writer thread after a commit that queued action runs
  // (the outbox's wake-up). Set it before the first append.
  void set_on_runs_queued(std::function<void()> callback);
  // Runs the planned runs marked immediate; without one they are queued
  // like any other. Set it before the first append.
  void set_immediate_runner(ImmediateRunner runner);

  // Commits everything queued, stops the writer and closes the file (which
  // checkpoints the WAL). Writes after this fail. Idempotent.
  void close();

  const std::string& path() const { return options_.path; }

 private:
  struct WriteJob {
    // On the writer thread inside the batch's transaction; throws to undo
    // only this job. Returns whether it queued action runs.
    std::function<bool()> apply;
    std::function<void(const std::string& error)> finish;  // after the commit
  };

  void submit(WriteJob job);
  void writer_loop();
  void commit_batch(std::deque<WriteJob>& batch);
  // One transaction over the batch: whether it queued action runs once it
  // committed; throws when the transaction itself failed (nothing stored).
  // With savepoints a failing job fails alone (its error is set); without,
  // the first failing job rolls everything back and the answer is nullopt.
  std::optional<bool> apply_batch(std::deque<WriteJob>& batch, std::vector<std::string>& errors,
                                  bool savepoints);
  // Inserts result.event; `at` is its occurred_at as stored
  // (format_iso8601). While the batch is staged, the event gets its id in
  // write_staged(); a duplicate's result becomes the stored original.
  void insert_event(const std::string& at, AppendResult& result);
  // The event's planned runs; how many, and whether any is left pending.
  // While the batch is staged, the rows wait for write_staged().
  std::pair<int, bool> insert_runs(const EventRecord& event, const std::string& at);
  // The staged rows of the batch: events, then runs, in multi-row INSERTs,
  // and one upsert per button however many presses it had in the batch.
  // Before run_immediate(): the immediate runs get their ids here.
  void write_staged();
  void clear_staged();
  // Whether every row was inserted (then each event has its id).
  bool write_events(std::size_t first, std::size_t count);
  void write_runs(std::size_t first, std::size_t count);
  // Inserts `count` rows with one statement: `head`, `count` groups of
  // `columns` parameters, `tail` (prepared once per row count);
  // bind_row(statement, row, its first parameter's index) binds each. The
  // rows of one INSERT get consecutive ids (one writer; AUTOINCREMENT takes
  // the largest id so far plus one): the first row's id, or nullopt when a
  // row was skipped (ON CONFLICT DO NOTHING).
  template <class BindRow>
  std::optional<std::int64_t> insert_rows(const char* head, int columns, std::size_t count,
                                          const char* tail, const char* what, BindRow bind_row);
  void write_button(const StagedButton& button);
  // Runs the batch's immediate runs (jobs not rolled back), then records
  // the failures as pending: just before COMMIT. Whether any failed.
  bool run_immediate();
  void upsert_button(const EventRecord& event, const std::string& at);
  void apply_attempt(const RunAttempt& attempt);
  // Events just committed with action runs, for the outbox's event() calls
  // (events never change once stored). At most kRecentEvents, oldest out.
  void remember(const EventRecord& event);
  std::optional<EventRecord> recent_event(std::int64_t id);
  static constexpr std::size_t kRecentEvents = 4096;
  // A prepared statement on the writer connection, kept for reuse.
  sqlite3_stmt* writer_statement(const char* text);
  // The reader connection, locked by `lock`; throws StoreError once closed.
  sqlite3* lock_reader(std::unique_lock<std::mutex>& lock);
  // A prepared statement on the reader connection, kept for reuse; call
  // with the reader locked and reset it when done (sql::Reused does both
  // the reset and clearing the bindings), or its read snapshot stays open.
  sqlite3_stmt* reader_statement(const char* text);

  SqliteOptions options_;
  sqlite3* writer_ = nullptr;
  sqlite3* reader_ = nullptr;
  std::map<const char*, sqlite3_stmt*> writer_statements_;
  std::map<const char*, sqlite3_stmt*> reader_statements_;
  std::mutex reader_mutex_;
  std::mutex recent_mutex_;
  std::unordered_map<std::int64_t, EventRecord> recent_;
  std::deque<std::int64_t> recent_order_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<WriteJob> queue_;
  bool closing_ = false;
  std::function<void()> on_runs_queued_;
  ImmediateRunner immediate_runner_;
  // The batch being applied: its immediate runs, waiting for run_immediate().
  struct Immediate {
    std::size_t job;
    std::int64_t run_id;
    const EventRecord* event;  // the job's, alive until the batch is finished
    PlannedRun run;
  };
  std::vector<Immediate> immediate_;
  std::size_t current_job_ = 0;
  // The first try of a batch stages its events, runs and button updates
  // and writes them together before COMMIT (a statement per row costs more
  // than the row); the retry with savepoints writes them job by job, the
  // staged lists then holding one job's rows at a time.
  bool staging_ = false;
  struct StagedRun {
    const EventRecord* event;  // the job's, alive until the batch is finished
    std::string at;
    PlannedRun run;
    bool immediate;
    std::size_t job;
  };
  struct StagedEvent {
    EventRecord* event;  // the job's result, which gets the id
    std::string at;
  };
  std::vector<StagedEvent> staged_events_;
  std::vector<StagedRun> staged_runs_;
  std::vector<StagedButton> staged_buttons_;
  std::unordered_map<std::string, std::size_t> staged_button_index_;  // key_id NUL button_id
  std::map<std::pair<const char*, std::size_t>, std::string> multi_row_texts_;
  // Counted by the writer after each COMMIT, read by commit_stats().
  std::mutex stats_mutex_;
  CommitStats stats_;
  std::thread writer_thread_;
};

}  // namespace hub
