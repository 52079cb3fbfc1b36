#include "hub_store.h"

#include <sqlite3.h>
#include <stdlib.h>  // strtoull
#include <string.h>  // strstr

#include <stdexcept>  // std::runtime_error

namespace bh::soak {

StoredEvents read_stored_events(const std::filesystem::path& db) {
  sqlite3* conn = nullptr;
  if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string why = conn ? sqlite3_errmsg(conn) : "out of memory";
    sqlite3_close(conn);
    throw std::runtime_error("cannot open " + db.string() + ": " + why);
  }
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(conn, "SELECT idempotency_key, value3 FROM events", -1, &q, nullptr) !=
      SQLITE_OK) {
    const std::string why = sqlite3_errmsg(conn);
    sqlite3_close(conn);
    throw std::runtime_error("cannot read the events of " + db.string() + ": " + why);
  }
  StoredEvents s;
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    ++s.total;
    const auto* key = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    if (key) {
      ++s.by_key[key];
    } else {
      ++s.without_key;
    }
    const auto* v3 = reinterpret_cast<const char*>(sqlite3_column_text(q, 1));
    if (const char* d = v3 ? strstr(v3, "dropped=") : nullptr) {
      s.drops_reported += strtoull(d + 8, nullptr, 10);
    }
  }
  sqlite3_finalize(q);
  sqlite3_close(conn);
  if (rc != SQLITE_DONE) throw std::runtime_error("reading " + db.string() + " failed");
  return s;
}

}  // namespace bh::soak
