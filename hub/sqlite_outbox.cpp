// SqliteStore: the outbox's action runs.
#include <future>

#include "sqlite_store.h"
#include "sqlite_util.h"

namespace hub {

using namespace sql;

namespace {

constexpr const char* kRunColumns =
    "r.id, r.event_id, e.event, r.applet, r.action_index, r.kind, r.status, r.attempts, "
    "r.next_attempt_at, r.last_error, r.created_at, r.updated_at";

RunRecord read_run(sqlite3_stmt* stmt) {
  RunRecord r;
  r.id = sqlite3_column_int64(stmt, 0);
  r.event_id = sqlite3_column_int64(stmt, 1);
  r.event = column_text(stmt, 2);
  r.applet = column_text(stmt, 3);
  r.action_index = sqlite3_column_int(stmt, 4);
  r.kind = column_text(stmt, 5);
  r.status = parse_run_status(column_text(stmt, 6)).value_or(RunStatus::kFailed);
  r.attempts = sqlite3_column_int(stmt, 7);
  r.next_attempt_at = from_ms(sqlite3_column_int64(stmt, 8));
  r.last_error = column_text(stmt, 9);
  r.created_at = column_time(stmt, 10);
  r.updated_at = column_time(stmt, 11);
  return r;
}

std::vector<RunRecord> read_runs(sqlite3* db, sqlite3_stmt* stmt) {
  return read_rows(db, stmt, read_run, "read action runs");
}

}  // namespace

std::vector<RunRecord> SqliteStore::due_runs(TimePoint now, int limit) {
  std::unique_lock<std::mutex> lock;
  sqlite3* db = lock_reader(lock);
  // The oldest due runs, the head of every action's queue first: a long
  // backlog of one dead action must not fill `limit` and hide the other
  // actions' due runs. Behind the heads come each action's next runs, which
  // the outbox takes as a chain. Asked after every commit that queued runs:
  // a kept statement.
  static const std::string kSql =
      std::string("SELECT ") + kRunColumns +
      " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY applet, action_index"
      " ORDER BY next_attempt_at, id) AS nth FROM action_runs"
      " WHERE status = 'pending' AND next_attempt_at <= ?) r"
      " JOIN events e ON e.id = r.event_id"
      " ORDER BY r.nth, r.next_attempt_at, r.id LIMIT ?";
  Reused stmt(reader_statement(kSql.c_str()));
  bind_value(stmt, 1, to_ms(now));
  bind_value(stmt, 2, static_cast<std::int64_t>(limit));
  return read_runs(db, stmt);
}

std::optional<TimePoint> SqliteStore::next_due() {
  std::unique_lock<std::mutex> lock;
  sqlite3* db = lock_reader(lock);
  Reused stmt(
      reader_statement("SELECT MIN(next_attempt_at) FROM action_runs WHERE status = 'pending'"));
  if (sqlite3_step(stmt) != SQLITE_ROW) fail(db, "next due run");
  if (sqlite3_column_type(stmt, 0) == SQLITE_NULL) return std::nullopt;
  return from_ms(sqlite3_column_int64(stmt, 0));
}

void SqliteStore::record_attempt_async(RunAttempt attempt, WriteCallback done) {
  WriteJob job;
  job.apply = [this, attempt = std::move(attempt)]() {
    apply_attempt(attempt);
    // A retry is a run queued again: the outbox may want to look.
    return attempt.status == RunStatus::kPending;
  };
  job.finish = std::move(done);
  submit(std::move(job));
}

void SqliteStore::apply_attempt(const RunAttempt& attempt) {
  const std::string at = format_iso8601(attempt.at);
  const std::string status(to_string(attempt.status));
  const std::optional<std::string> error =
      attempt.error.empty() ? std::nullopt : std::optional<std::string>(attempt.error);
  sqlite3_stmt* update = writer_statement(
      "UPDATE action_runs SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, "
      "updated_at = ? WHERE id = ?");
  sqlite3_clear_bindings(update);
  bind_value(update, 1, status);
  bind_value(update, 2, static_cast<std::int64_t>(attempt.attempts));
  bind_value(update, 3, to_ms(attempt.next_attempt_at));
  bind_value(update, 4, error);
  bind_value(update, 5, at);
  bind_value(update, 6, attempt.run_id);
  step_done(writer_, update, "update action run");
  if (sqlite3_changes(writer_) != 1) {
    throw StoreError("no action run #" + std::to_string(attempt.run_id));
  }
}

std::vector<RunRecord> SqliteStore::runs(const RunQuery& query) {
  std::unique_lock<std::mutex> lock;
  sqlite3* db = lock_reader(lock);
  // Conditions the planner can see: written as "?1 = '' OR e.key_id = ?1"
  // and "?2 IS NULL OR r.event_id = ?2" they hid the indexes, and every
  // query walked all runs newest first (0.57 s for a key without events,
  // 0.19 s for an old event, among a million runs). One event's runs are a
  // lookup in the (event_id, ...) index; a key's come from its events in
  // the (key_id, id) index, newest first (runs are inserted with their
  // event, so ordering by event then run is ordering by run); all runs are
  // the table read backwards.
  const bool by_key = !query.key_id.empty();
  Statement stmt(db, std::string("SELECT ") + kRunColumns +
                         (by_key ? " FROM events e JOIN action_runs r ON r.event_id = e.id"
                                   " WHERE e.key_id = ?1"
                                 : " FROM action_runs r JOIN events e ON e.id = r.event_id"
                                   " WHERE ?1 = ''") +
                         (query.event_id ? " AND r.event_id = ?2" : "") +
                         (by_key ? " ORDER BY e.id DESC, r.id DESC" : " ORDER BY r.id DESC") +
                         " LIMIT ?3");
  bind_value(stmt, 1, query.key_id);
  if (query.event_id) bind_value(stmt, 2, *query.event_id);
  bind_value(stmt, 3, static_cast<std::int64_t>(query.limit));
  return read_runs(db, stmt);
}

RunCounts SqliteStore::run_counts() {
  std::unique_lock<std::mutex> lock;
  sqlite3* db = lock_reader(lock);
  // One read transaction, so the three counts agree. Pending and failed
  // runs each have a partial index (only their rows); the total walks the
  // narrowest index. Done is what is left: a status is one of the three.
  Statement stmt(db,
                 "SELECT (SELECT COUNT(*) FROM action_runs),"
                 " (SELECT COUNT(*) FROM action_runs WHERE status = 'pending'),"
                 " (SELECT COUNT(*) FROM action_runs WHERE status = 'failed')");
  if (sqlite3_step(stmt) != SQLITE_ROW) fail(db, "count action runs");
  RunCounts counts;
  const std::int64_t total = sqlite3_column_int64(stmt, 0);
  counts.pending = sqlite3_column_int64(stmt, 1);
  counts.failed = sqlite3_column_int64(stmt, 2);
  counts.done = total - counts.pending - counts.failed;
  return counts;
}

}  // namespace hub
