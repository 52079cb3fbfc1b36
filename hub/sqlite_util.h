// Small helpers over the SQLite C API shared by the store's files: prepared
// statements that finalize themselves, binding, reading columns, errors.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store.h"

namespace hub::sql {

class Statement {
 public:
  Statement(sqlite3* db, const std::string& text);
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  operator sqlite3_stmt*() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// A kept statement in use: reset (ending its read snapshot) and its
// bindings cleared when the scope ends, however it ends.
class Reused {
 public:
  explicit Reused(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Reused() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Reused(const Reused&) = delete;
  Reused& operator=(const Reused&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  operator sqlite3_stmt*() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

// The strings must outlive the statement's step (SQLITE_STATIC: no copy),
// so a temporary does not compile: it is gone before the step reads it.
void bind_value(sqlite3_stmt* stmt, int index, const std::string& text);
void bind_value(sqlite3_stmt* stmt, int index, const std::optional<std::string>& text);
void bind_value(sqlite3_stmt* stmt, int index, std::string&& text) = delete;
void bind_value(sqlite3_stmt* stmt, int index, std::optional<std::string>&& text) = delete;
// A string literal (static storage).
void bind_value(sqlite3_stmt* stmt, int index, const char* literal);
void bind_value(sqlite3_stmt* stmt, int index, std::int64_t number);
void bind_value(sqlite3_stmt* stmt, int index, const std::optional<int>& number);

std::string column_text(sqlite3_stmt* stmt, int col);
std::optional<std::string> column_optional(sqlite3_stmt* stmt, int col);
std::optional<int> column_optional_int(sqlite3_stmt* stmt, int col);
TimePoint column_time(sqlite3_stmt* stmt, int col);  // an ISO 8601 text column

// The events table's columns in the order read_event() expects.
extern const char* const kEventColumns;
EventRecord read_event(sqlite3_stmt* stmt);

void exec(sqlite3* db, const char* text);
// gather_wal_writes: through wal_vfs.h's VFS (one write per commit to the
// WAL); only for a connection that stays at synchronous=FULL.
sqlite3* open_connection(const std::string& path, int busy_timeout_ms,
                         bool gather_wal_writes = false);
[[noreturn]] void fail(sqlite3* db, const std::string& what);

// Every row of a query, each read by `read_row(stmt)`; throws StoreError
// naming `what` if stepping fails.
template <typename ReadRow>
auto read_rows(sqlite3* db, sqlite3_stmt* stmt, ReadRow read_row, const char* what) {
  std::vector<decltype(read_row(stmt))> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) rows.push_back(read_row(stmt));
  if (rc != SQLITE_DONE) fail(db, what);
  return rows;
}

// Steps a statement that returns no rows; throws StoreError naming `what`.
void step_done(sqlite3* db, sqlite3_stmt* stmt, const char* what);

std::int64_t to_ms(TimePoint t);
TimePoint from_ms(std::int64_t ms);

}  // namespace hub::sql
