// SqliteStore: events, buttons and keys as the API, the dashboard and the
// CLI read them; adding and revoking keys.
#include <future>
#include <limits>

#include "sqlite_store.h"
#include "sqlite_util.h"

namespace hub {

using namespace sql;

std::vector<EventRecord> SqliteStore::list(const EventQuery& query) {
  std::unique_lock<std::mutex> lock;
  sqlite3* db = lock_reader(lock);
  // `after` reads forward (the CLI's tail), everything else newest first.
  const bool forward = query.after.has_value();
  // A key's events are a range of the (key_id, id) index. Written as
  // "?1 = '' OR key_id = ?1" the condition hid that index from the planner,
  // which walked every event instead (0.12 s for a key without events among
  // a million).
  const char* key = query.key_id.empty() ? "?1 = ''" : "key_id = ?1";
  Statement stmt(db, std::string("SELECT ") + kEventColumns + " FROM events WHERE " + key +
                         " AND id < ?2 AND id > ?3" +
                         (forward ? " ORDER BY id ASC" : " ORDER BY id DESC") + " LIMIT ?4");
  bind_value(stmt, 1, query.key_id);
  bind_value(stmt, 2, query.before.value_or(std::numeric_limits<std::int64_t>::max()));
  bind_value(stmt, 3, query.after.value_or(0));
  bind_value(stmt, 4, static_cast<std::int64_t>(query.limit));
  return read_rows(db, stmt, read_event, "list events");
}

std::optional<EventRecord> SqliteStore::event(std::int64_t id) {
  // The outbox asks for every event it runs actions for, just after it
  // was committed: from memory, without a read transaction.
  if (auto recent = recent_event(id)) return recent;
  std::unique_lock<std::mutex> lock;
  sqlite3* db = lock_reader(lock);
  // The outbox reads each run's event: a kept statement.
  static const std::string kSql = std::string("SELECT ") + kEventColumns + " FROM events WHERE id = ?";
  Reused stmt(reader_statement(kSql.c_str()));
  bind_value(stmt, 1, id);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) return read_event(stmt);
  if (rc != SQLITE_DONE) fail(db, "read event");
  return std::nullopt;
}

std::vector<ButtonRecord> SqliteStore::buttons(const std::string& key_id) {
  std::unique_lock<std::mutex> lock;
  sqlite3* db = lock_reader(lock);
  Statement stmt(db,
                 "SELECT key_id, button_id, first_seen, last_seen, last_event, last_event_id, "
                 "presses, battery_mv FROM buttons WHERE (?1 = '' OR key_id = ?1) "
                 "ORDER BY last_seen DESC, button_id LIMIT 500");
  bind_value(stmt, 1, key_id);
  return read_rows(db, stmt, [](sqlite3_stmt* stmt) {
    ButtonRecord b;
    b.key_id = column_text(stmt, 0);
    b.button_id = column_text(stmt, 1);
    b.first_seen = column_time(stmt, 2);
    b.last_seen = column_time(stmt, 3);
    b.last_event = column_text(stmt, 4);
    b.last_event_id = sqlite3_column_int64(stmt, 5);
    b.presses = sqlite3_column_int64(stmt, 6);
    b.battery_mv = column_optional_int(stmt, 7);
    return b;
  }, "list buttons");
}

std::vector<StoredKey> SqliteStore::stored_keys() {
  std::unique_lock<std::mutex> lock;
  sqlite3* db = lock_reader(lock);
  Statement stmt(db,
                 "SELECT name, secret_sha256, created_at, revoked_at FROM api_keys ORDER BY name");
  return read_rows(db, stmt, [](sqlite3_stmt* stmt) {
    StoredKey k;
    k.name = column_text(stmt, 0);
    k.secret_sha256 = column_text(stmt, 1);
    k.created_at = column_time(stmt, 2);
    if (auto revoked = column_optional(stmt, 3)) k.revoked_at = parse_iso8601(*revoked);
    return k;
  }, "list keys");
}

namespace {

// Runs a write job on the writer thread and waits for its commit.
template <typename Submit>
void wait_for(Submit submit) {
  std::promise<std::string> promise;
  std::future<std::string> future = promise.get_future();
  submit([&promise](const std::string& error) { promise.set_value(error); });
  std::string error = future.get();
  if (!error.empty()) throw StoreError(error);
}

}  // namespace

void SqliteStore::add_key(const StoredKey& key) {
  wait_for([&](WriteCallback finish) {
    WriteJob job;
    job.apply = [this, key]() {
      const std::string created = format_iso8601(key.created_at);
      Statement insert(writer_,
                       "INSERT INTO api_keys (name, secret_sha256, created_at) VALUES (?,?,?)");
      bind_value(insert, 1, key.name);
      bind_value(insert, 2, key.secret_sha256);
      bind_value(insert, 3, created);
      if (sqlite3_step(insert) != SQLITE_DONE) {
        if (sqlite3_extended_errcode(writer_) == SQLITE_CONSTRAINT_PRIMARYKEY) {
          throw StoreError("a key named '" + key.name + "' exists already");
        }
        fail(writer_, "add key");
      }
      return false;
    };
    job.finish = std::move(finish);
    submit(std::move(job));
  });
}

bool SqliteStore::revoke_key(const std::string& name, TimePoint when) {
  bool found = false;
  wait_for([&](WriteCallback finish) {
    WriteJob job;
    job.apply = [this, name, when, &found]() {
      const std::string at = format_iso8601(when);
      Statement update(writer_,
                       "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE name = ?");
      bind_value(update, 1, at);
      bind_value(update, 2, name);
      step_done(writer_, update, "revoke key");
      found = sqlite3_changes(writer_) == 1;
      return false;
    };
    job.finish = std::move(finish);
    submit(std::move(job));
  });
  return found;
}

}  // namespace hub
