#include "schema.h"

#include <sqlite3.h>

#include <algorithm>
#include <string>

#include "store.h"

namespace hub {
namespace {

// Step i brings user_version from i to i + 1.
constexpr const char* kMigrations[] = {
    // 1: events. AUTOINCREMENT so ids are never reused: `before` paging and
    // a future outbox can rely on them. The idempotency index is partial:
    // requests without the header never collide.
    R"sql(
      CREATE TABLE events (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        event           TEXT NOT NULL,
        key_id          TEXT NOT NULL,
        value1          TEXT NOT NULL DEFAULT '',
        value2          TEXT NOT NULL DEFAULT '',
        value3          TEXT NOT NULL DEFAULT '',
        json_payload    TEXT,
        occurred_at     TEXT NOT NULL,
        remote_addr     TEXT NOT NULL DEFAULT '',
        idempotency_key TEXT
      );
      CREATE UNIQUE INDEX events_idempotency ON events (key_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
      CREATE INDEX events_by_key ON events (key_id, id);
    )sql",
    // 2: the durable outbox, the buttons seen, keys made by `keys add`.
    // An event and its action runs are inserted in one transaction, so an
    // acknowledged event always has its runs. next_attempt_at is in
    // milliseconds since 1970 (UTC): the outbox compares it with a clock.
    // The buttons table is kept in the event's transaction too; it is
    // filled from the events already stored (value1 was the button there).
    R"sql(
      ALTER TABLE events ADD COLUMN button_id TEXT;
      ALTER TABLE events ADD COLUMN battery_mv INTEGER;
      UPDATE events SET button_id = value1 WHERE json_payload IS NULL AND value1 != '';

      CREATE TABLE action_runs (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id        INTEGER NOT NULL REFERENCES events (id),
        applet          TEXT NOT NULL,
        action_index    INTEGER NOT NULL,
        kind            TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'done', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        UNIQUE (event_id, applet, action_index)
      );
      CREATE INDEX action_runs_due ON action_runs (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX action_runs_by_event ON action_runs (event_id);

      CREATE TABLE buttons (
        key_id        TEXT NOT NULL,
        button_id     TEXT NOT NULL,
        first_seen    TEXT NOT NULL,
        last_seen     TEXT NOT NULL,
        last_event    TEXT NOT NULL,
        last_event_id INTEGER NOT NULL,
        presses       INTEGER NOT NULL DEFAULT 0,
        battery_mv    INTEGER,
        PRIMARY KEY (key_id, button_id)
      );
      INSERT INTO buttons (key_id, button_id, first_seen, last_seen, last_event, last_event_id,
                           presses)
        SELECT key_id, button_id, MIN(occurred_at), MAX(occurred_at), '', MAX(id), COUNT(*)
        FROM events WHERE button_id IS NOT NULL GROUP BY key_id, button_id;
      UPDATE buttons SET last_event = (SELECT event FROM events WHERE id = last_event_id);

      CREATE TABLE api_keys (
        name          TEXT PRIMARY KEY,
        secret_sha256 TEXT NOT NULL UNIQUE,
        created_at    TEXT NOT NULL,
        revoked_at    TEXT
      );
    )sql",
    // 3: the UNIQUE (event_id, applet, action_index) index already serves
    // lookups by event: one index less to update for every run.
    R"sql(
      DROP INDEX IF EXISTS action_runs_by_event;
    )sql",
    // 4: failed runs get a partial index like pending ones, so the run
    // counts (/metrics, the dashboard) are COUNT(*)s over two small indexes
    // and one over the narrowest index, not a GROUP BY over every run
    // (0.37 s per scrape with a million runs). Runs rarely fail: the index
    // costs an insert nothing unless the run is failed.
    R"sql(
      CREATE INDEX action_runs_failed ON action_runs (id) WHERE status = 'failed';
    )sql",
    // 5: the runs' status CHECK as comparisons. SQLite evaluates an IN list
    // of three or more constants through a temporary index that it builds
    // for every row it checks: for each run inserted or updated, a
    // temporary b-tree opened, zeroed and filled (callgrind: 40 % of the
    // writer's instructions per event). A CHECK changes only with its
    // table rebuilt; ids, the AUTOINCREMENT sequence and the indexes stay.
    R"sql(
      CREATE TABLE action_runs_new (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id        INTEGER NOT NULL REFERENCES events (id),
        applet          TEXT NOT NULL,
        action_index    INTEGER NOT NULL,
        kind            TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status = 'pending' OR status = 'done' OR status = 'failed'),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        UNIQUE (event_id, applet, action_index)
      );
      INSERT INTO action_runs_new (id, event_id, applet, action_index, kind, status, attempts,
                                   next_attempt_at, last_error, created_at, updated_at)
        SELECT id, event_id, applet, action_index, kind, status, attempts, next_attempt_at,
               last_error, created_at, updated_at
        FROM action_runs ORDER BY id;
      DELETE FROM sqlite_sequence WHERE name = 'action_runs_new';
      INSERT INTO sqlite_sequence (name, seq)
        SELECT 'action_runs_new', seq FROM sqlite_sequence WHERE name = 'action_runs';
      DROP TABLE action_runs;
      ALTER TABLE action_runs_new RENAME TO action_runs;
      CREATE INDEX action_runs_due ON action_runs (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX action_runs_failed ON action_runs (id) WHERE status = 'failed';
    )sql",
};

constexpr int kLatest = static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    throw StoreError(message);
  }
}

int user_version(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK) {
    throw StoreError(sqlite3_errmsg(db));
  }
  int version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  if (version < 0) throw StoreError(sqlite3_errmsg(db));
  return version;
}

}  // namespace

int latest_schema_version() {
  return kLatest;
}

void migrate(sqlite3* db, int up_to) {
  const int target = up_to < 0 ? kLatest : std::min(up_to, kLatest);
  for (;;) {
    // The version is read inside the write transaction: a second hub opening
    // the same file at the same moment waits here instead of migrating twice.
    exec(db, "BEGIN IMMEDIATE");
    try {
      int version = user_version(db);
      if (version > kLatest) {
        throw StoreError("database schema version " + std::to_string(version) +
                         " is newer than this hub understands (" + std::to_string(kLatest) + ")");
      }
      if (version >= target) {
        exec(db, "COMMIT");
        return;
      }
      exec(db, kMigrations[version]);
      exec(db, "PRAGMA user_version = " + std::to_string(version + 1));
      exec(db, "COMMIT");
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
}

}  // namespace hub
