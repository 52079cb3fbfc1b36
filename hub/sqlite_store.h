// The SQLite store: WAL journal, synchronous=FULL, so an append's callback
// runs only after the event is on disk. One writer thread owns the write
// connection and drains a queue, committing what is queued in one
// transaction (group commit, at most max_batch events); the I/O thread never
// waits for an fsync. Reads use a second connection (WAL lets them run
// beside the writer).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hub {

struct SqliteOptions {
  std::string path;
  std::size_t max_batch = 64;
  int busy_timeout_ms = 5000;  // another process (a backup, sqlite3 CLI) holding the lock
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

  // Commits everything queued, stops the writer and closes the file (which
  // checkpoints the WAL). Appends after this fail. Idempotent.
  void close();

  const std::string& path() const { return options_.path; }

 private:
  struct Pending {
    EventRecord event;
    AppendCallback done;
  };

  void writer_loop();
  void commit_batch(std::deque<Pending>& batch);
  AppendResult insert_one(const EventRecord& event);
  [[noreturn]] void fail(sqlite3* db, const std::string& what) const;

  SqliteOptions options_;
  sqlite3* writer_ = nullptr;
  sqlite3* reader_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* find_duplicate_ = nullptr;
  std::mutex reader_mutex_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool closing_ = false;
  std::thread writer_thread_;
};

}  // namespace hub
