#include "sqlite_util.h"

#include <mutex>  // std::call_once

#include "wal_vfs.h"

namespace hub::sql {

Statement::Statement(sqlite3* db, const std::string& text) {
  if (sqlite3_prepare_v2(db, text.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
    throw StoreError(sqlite3_errmsg(db));
  }
}

void bind_value(sqlite3_stmt* stmt, int index, const std::string& text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void bind_value(sqlite3_stmt* stmt, int index, const char* literal) {
  sqlite3_bind_text(stmt, index, literal, -1, SQLITE_STATIC);
}

void bind_value(sqlite3_stmt* stmt, int index, const std::optional<std::string>& text) {
  if (text)
    bind_value(stmt, index, *text);
  else
    sqlite3_bind_null(stmt, index);
}

void bind_value(sqlite3_stmt* stmt, int index, std::int64_t number) {
  sqlite3_bind_int64(stmt, index, number);
}

void bind_value(sqlite3_stmt* stmt, int index, const std::optional<int>& number) {
  if (number)
    sqlite3_bind_int(stmt, index, *number);
  else
    sqlite3_bind_null(stmt, index);
}

std::string column_text(sqlite3_stmt* stmt, int col) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, col)))
              : std::string();
}

std::optional<std::string> column_optional(sqlite3_stmt* stmt, int col) {
  if (sqlite3_column_type(stmt, col) == SQLITE_NULL) return std::nullopt;
  return column_text(stmt, col);
}

std::optional<int> column_optional_int(sqlite3_stmt* stmt, int col) {
  if (sqlite3_column_type(stmt, col) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int(stmt, col);
}

TimePoint column_time(sqlite3_stmt* stmt, int col) {
  return parse_iso8601(column_text(stmt, col)).value_or(TimePoint{});
}

const char* const kEventColumns =
    "id, event, key_id, value1, value2, value3, json_payload, occurred_at, remote_addr, "
    "idempotency_key, button_id, battery_mv";

EventRecord read_event(sqlite3_stmt* stmt) {
  EventRecord e;
  e.id = sqlite3_column_int64(stmt, 0);
  e.event = column_text(stmt, 1);
  e.key_id = column_text(stmt, 2);
  e.value1 = column_text(stmt, 3);
  e.value2 = column_text(stmt, 4);
  e.value3 = column_text(stmt, 5);
  e.json_payload = column_optional(stmt, 6);
  e.occurred_at = column_time(stmt, 7);
  e.remote_addr = column_text(stmt, 8);
  e.idempotency_key = column_optional(stmt, 9);
  e.button_id = column_optional(stmt, 10);
  e.battery_mv = column_optional_int(stmt, 11);
  return e;
}

void exec(sqlite3* db, const char* text) {
  if (sqlite3_exec(db, text, nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw StoreError(sqlite3_errmsg(db));
  }
}

sqlite3* open_connection(const std::string& path, int busy_timeout_ms, bool gather_wal_writes) {
  // Memory statistics take a process-wide mutex in every sqlite3_malloc
  // and free, which the writer and reader threads then fight over; the hub
  // never reads them. Only possible before SQLite initializes (else a
  // harmless SQLITE_MISUSE).
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  const char* vfs = gather_wal_writes ? wal_write_buffer_vfs() : nullptr;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw StoreError(message);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return db;
}

void fail(sqlite3* db, const std::string& what) {
  throw StoreError(what + ": " + sqlite3_errmsg(db));
}

void step_done(sqlite3* db, sqlite3_stmt* stmt, const char* what) {
  if (sqlite3_step(stmt) != SQLITE_DONE) {
    std::string message = std::string(what) + ": " + sqlite3_errmsg(db);
    sqlite3_reset(stmt);
    throw StoreError(message);
  }
  sqlite3_reset(stmt);
}

std::int64_t to_ms(TimePoint t) {
  return t.time_since_epoch().count();
}

TimePoint from_ms(std::int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}

}  // namespace hub::sql
