// The SQLite schema and its migrations, versioned with PRAGMA user_version.
// To change the schema, append a step to kMigrations (never edit a shipped
// one): a database at version N runs steps N+1.. in order, each in its own
// transaction together with the new user_version.
#pragma once

struct sqlite3;

namespace hub {

// The version a database has after migrate().
int latest_schema_version();

// Brings the database to latest_schema_version() (or only up to `up_to`,
// for tests of a migration). Throws StoreError (with SQLite's message) on
// failure, or if the file is newer than this hub.
void migrate(sqlite3* db, int up_to = -1);

}  // namespace hub
