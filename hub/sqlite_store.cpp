#include "sqlite_store.h"

#include <sqlite3.h>

#include <cstdint>
#include <limits>

#include "schema.h"

namespace hub {
namespace {

constexpr const char* kColumns =
    "id, event, key_id, value1, value2, value3, json_payload, occurred_at, remote_addr, "
    "idempotency_key";

std::string column_text(sqlite3_stmt* stmt, int col) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, col)))
              : std::string();
}

std::optional<std::string> column_optional(sqlite3_stmt* stmt, int col) {
  if (sqlite3_column_type(stmt, col) == SQLITE_NULL) return std::nullopt;
  return column_text(stmt, col);
}

// Column order as in kColumns.
EventRecord read_row(sqlite3_stmt* stmt) {
  EventRecord e;
  e.id = sqlite3_column_int64(stmt, 0);
  e.event = column_text(stmt, 1);
  e.key_id = column_text(stmt, 2);
  e.value1 = column_text(stmt, 3);
  e.value2 = column_text(stmt, 4);
  e.value3 = column_text(stmt, 5);
  e.json_payload = column_optional(stmt, 6);
  e.occurred_at = parse_iso8601(column_text(stmt, 7)).value_or(TimePoint{});
  e.remote_addr = column_text(stmt, 8);
  e.idempotency_key = column_optional(stmt, 9);
  return e;
}

// The strings outlive the statement's step, so SQLite need not copy them.
void bind(sqlite3_stmt* stmt, int index, const std::string& text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}
void bind(sqlite3_stmt* stmt, int index, const std::optional<std::string>& text) {
  if (text)
    bind(stmt, index, *text);
  else
    sqlite3_bind_null(stmt, index);
}

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
      throw StoreError(sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw StoreError(sqlite3_errmsg(db));
  }
}

sqlite3* open_connection(const std::string& path, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw StoreError(message);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return db;
}

sqlite3_stmt* prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    throw StoreError(sqlite3_errmsg(db));
  }
  return stmt;
}

}  // namespace

SqliteStore::SqliteStore(SqliteOptions options) : options_(std::move(options)) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  try {
    writer_ = open_connection(options_.path, options_.busy_timeout_ms);
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
    insert_ = prepare(writer_,
                      "INSERT INTO events (event, key_id, value1, value2, value3, json_payload, "
                      "occurred_at, remote_addr, idempotency_key) VALUES (?,?,?,?,?,?,?,?,?) "
                      "ON CONFLICT DO NOTHING");
    find_duplicate_ = prepare(writer_, std::string("SELECT ") + kColumns +
                                           " FROM events WHERE key_id = ? AND idempotency_key = ?");
    reader_ = open_connection(options_.path, options_.busy_timeout_ms);
  } catch (const StoreError& e) {
    sqlite3_finalize(insert_);
    sqlite3_finalize(find_duplicate_);
    sqlite3_close(reader_);
    sqlite3_close(writer_);
    throw StoreError("cannot open database '" + options_.path + "': " + e.what());
  }
  writer_thread_ = std::thread([this] { writer_loop(); });
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
  sqlite3_finalize(insert_);
  sqlite3_finalize(find_duplicate_);
  insert_ = find_duplicate_ = nullptr;
  // The writer closes last: the last connection checkpoints and removes the WAL.
  sqlite3_close(reader_);
  sqlite3_close(writer_);
  reader_ = writer_ = nullptr;
}

void SqliteStore::append_async(EventRecord event, AppendCallback done) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (!closing_) {
      queue_.push_back({std::move(event), std::move(done)});
      queue_cv_.notify_one();
      return;
    }
  }
  done(AppendOutcome{std::nullopt, "the store is closed"});
}

void SqliteStore::writer_loop() {
  for (;;) {
    std::deque<Pending> batch;
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

void SqliteStore::commit_batch(std::deque<Pending>& batch) {
  std::vector<AppendOutcome> outcomes(batch.size());
  try {
    exec(writer_, "BEGIN IMMEDIATE");
    try {
      for (std::size_t i = 0; i < batch.size(); ++i)
        outcomes[i].result = insert_one(batch[i].event);
      exec(writer_, "COMMIT");
    } catch (...) {
      sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  } catch (const std::exception& e) {
    for (AppendOutcome& o : outcomes) o = AppendOutcome{std::nullopt, e.what()};
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i].done(std::move(outcomes[i]));
    } catch (...) {
      // A callback's failure is its own; the rest of the batch still hears back.
    }
  }
}

AppendResult SqliteStore::insert_one(const EventRecord& event) {
  const std::string occurred_at = format_iso8601(event.occurred_at);
  sqlite3_reset(insert_);
  sqlite3_clear_bindings(insert_);
  bind(insert_, 1, event.event);
  bind(insert_, 2, event.key_id);
  bind(insert_, 3, event.value1);
  bind(insert_, 4, event.value2);
  bind(insert_, 5, event.value3);
  bind(insert_, 6, event.json_payload);
  bind(insert_, 7, occurred_at);
  bind(insert_, 8, event.remote_addr);
  bind(insert_, 9, event.idempotency_key);
  if (sqlite3_step(insert_) != SQLITE_DONE) fail(writer_, "insert");
  sqlite3_reset(insert_);

  if (sqlite3_changes(writer_) == 1) {
    AppendResult r{event, false};
    r.event.id = sqlite3_last_insert_rowid(writer_);
    return r;
  }
  // ON CONFLICT DO NOTHING skipped it: this (key, Idempotency-Key) is stored.
  sqlite3_reset(find_duplicate_);
  bind(find_duplicate_, 1, event.key_id);
  bind(find_duplicate_, 2, event.idempotency_key);
  if (sqlite3_step(find_duplicate_) != SQLITE_ROW) fail(writer_, "find duplicate");
  AppendResult r{read_row(find_duplicate_), true};
  sqlite3_reset(find_duplicate_);
  return r;
}

std::vector<EventRecord> SqliteStore::list(const EventQuery& query) {
  std::lock_guard<std::mutex> lock(reader_mutex_);
  if (!reader_) throw StoreError("the store is closed");
  Statement stmt(reader_, std::string("SELECT ") + kColumns +
                              " FROM events WHERE key_id = ? AND id < ? ORDER BY id DESC LIMIT ?");
  bind(stmt.get(), 1, query.key_id);
  sqlite3_bind_int64(stmt.get(), 2,
                     query.before.value_or(std::numeric_limits<std::int64_t>::max()));
  sqlite3_bind_int(stmt.get(), 3, query.limit);
  std::vector<EventRecord> events;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) events.push_back(read_row(stmt.get()));
  if (rc != SQLITE_DONE) fail(reader_, "list events");
  return events;
}

void SqliteStore::fail(sqlite3* db, const std::string& what) const {
  throw StoreError(what + ": " + sqlite3_errmsg(db));
}

}  // namespace hub
