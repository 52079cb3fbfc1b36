// The SQLite store on a real file in a temp folder.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include "schema.h"
#include "sqlite_store.h"
#include "wal_vfs.h"
#include "temp_dir.h"

namespace hub {
namespace {

EventRecord event(const std::string& name, std::optional<std::string> idem = std::nullopt) {
  EventRecord e;
  e.event = name;
  e.key_id = "button";
  e.value1 = "v1";
  e.value2 = std::string("with\0nul", 8);
  e.occurred_at = *parse_iso8601("2026-11-25T06:30:00.123Z");
  e.remote_addr = "127.0.0.1:1";
  e.idempotency_key = std::move(idem);
  return e;
}

// SQLite's plan for `sql` (EXPLAIN QUERY PLAN's details joined), on a
// separate connection.
std::string query_plan(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &stmt, nullptr),
            SQLITE_OK);
  std::string plan;
  while (sqlite3_step(stmt) == SQLITE_ROW)
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return plan;
}

std::vector<EventRecord> all(Store& store, const std::string& key_id = "button") {
  EventQuery q;
  q.key_id = key_id;
  q.limit = 1000;
  return store.list(q);
}

// Asks SQLite itself, on a separate connection.
std::string pragma(const std::string& path, const std::string& name) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string sql = "PRAGMA " + name;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
  std::string value;
  if (sqlite3_step(stmt) == SQLITE_ROW)
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST(SqliteStore, UsesWalAndTheLatestSchema) {
  testing::TempDir dir;
  SqliteStore store({dir.file("hub.db")});
  EXPECT_EQ(pragma(dir.file("hub.db"), "journal_mode"), "wal");
  EXPECT_EQ(pragma(dir.file("hub.db"), "user_version"), std::to_string(latest_schema_version()));
}

TEST(SqliteStore, AppendAssignsIdsAndStoresEveryField) {
  testing::TempDir dir;
  SqliteStore store({dir.file("hub.db")});
  EventRecord in = event("button_pressed", "idem-1");
  in.json_payload = R"({"a":1})";
  AppendResult first = store.append(in);
  AppendResult second = store.append(event("second"));
  EXPECT_FALSE(first.duplicate);
  EXPECT_GT(first.event.id, 0);
  EXPECT_GT(second.event.id, first.event.id);

  auto events = all(store);
  ASSERT_EQ(events.size(), 2u);
  const EventRecord& e = events[1];
  EXPECT_EQ(e.id, first.event.id);
  EXPECT_EQ(e.event, "button_pressed");
  EXPECT_EQ(e.key_id, "button");
  EXPECT_EQ(e.value1, "v1");
  EXPECT_EQ(e.value2, std::string("with\0nul", 8));
  EXPECT_EQ(e.value3, "");
  EXPECT_EQ(e.json_payload, R"({"a":1})");
  EXPECT_EQ(format_iso8601(e.occurred_at), "2026-11-25T06:30:00.123Z");
  EXPECT_EQ(e.remote_addr, "127.0.0.1:1");
  EXPECT_EQ(e.idempotency_key, "idem-1");
  EXPECT_EQ(events[0].json_payload, std::nullopt);
  EXPECT_EQ(events[0].idempotency_key, std::nullopt);
}

TEST(SqliteStore, EventsSurviveReopen) {
  testing::TempDir dir;
  {
    SqliteStore store({dir.file("hub.db")});
    store.append(event("a"));
    store.append(event("b"));
  }
  SqliteStore again({dir.file("hub.db")});
  auto events = all(again);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "b");
  EXPECT_EQ(again.append(event("c")).event.id, 3) << "ids continue after a reopen";
}

TEST(SqliteStore, CloseCommitsWhatIsQueuedThenRefuses) {
  testing::TempDir dir;
  SqliteStore store({dir.file("hub.db")});
  std::atomic<int> committed{0};
  for (int i = 0; i < 20; ++i) {
    store.append_async(event("e" + std::to_string(i)), [&committed](AppendOutcome o) {
      if (o.result) ++committed;
    });
  }
  store.close();
  EXPECT_EQ(committed, 20);
  EXPECT_THROW(store.append(event("late")), StoreError);
  SqliteStore again({dir.file("hub.db")});
  EXPECT_EQ(all(again).size(), 20u);
}

TEST(SqliteStore, IdempotencyKeyStoresOnce) {
  testing::TempDir dir;
  SqliteStore store({dir.file("hub.db")});
  AppendResult a = store.append(event("first", "k"));
  AppendResult b = store.append(event("retry", "k"));
  EXPECT_FALSE(a.duplicate);
  EXPECT_TRUE(b.duplicate);
  EXPECT_EQ(b.event.id, a.event.id);
  EXPECT_EQ(b.event.event, "first") << "a duplicate returns the original";
  EXPECT_EQ(all(store).size(), 1u);

  EventRecord other_key = event("first", "k");
  other_key.key_id = "other";
  EXPECT_FALSE(store.append(other_key).duplicate);
  EXPECT_FALSE(store.append(event("no key")).duplicate);
  EXPECT_FALSE(store.append(event("no key")).duplicate);
  EXPECT_EQ(all(store).size(), 3u);
}

TEST(SqliteStore, ConcurrentRepeatsOfOneIdempotencyKeyStoreOneEvent) {
  testing::TempDir dir;
  SqliteStore store({dir.file("hub.db")});
  constexpr int kThreads = 16;
  std::vector<AppendResult> results(kThreads);
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      results[i] = store.append(event("press", "same-press"));
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  int originals = 0;
  for (const auto& r : results) {
    originals += r.duplicate ? 0 : 1;
    EXPECT_EQ(r.event.id, results[0].event.id);
  }
  EXPECT_EQ(originals, 1);
  EXPECT_EQ(all(store).size(), 1u);
}

TEST(SqliteStore, ListPagesNewestFirstPerKey) {
  testing::TempDir dir;
  SqliteStore store({dir.file("hub.db")});
  for (int i = 1; i <= 10; ++i) store.append(event("e" + std::to_string(i)));
  EventRecord other = event("other");
  other.key_id = "other";
  store.append(other);

  EventQuery q;
  q.key_id = "button";
  q.limit = 3;
  auto page = store.list(q);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].event, "e10");
  EXPECT_EQ(page[2].event, "e8");
  q.before = page[2].id;
  page = store.list(q);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].event, "e7");
  q.before = 2;
  page = store.list(q);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].event, "e1");
  EXPECT_EQ(all(store, "other").size(), 1u);
}

TEST(SqliteStore, UnopenablePathIsAnErrorNamingIt) {
  testing::TempDir dir;
  const std::string path = dir.file("no/such/dir/hub.db");
  try {
    SqliteStore store({path});
    FAIL() << "opened " << path;
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(SqliteStore, NotADatabaseIsAnErrorNamingIt) {
  testing::TempDir dir;
  const std::string path = dir.file("notes.txt");
  std::ofstream(path)
      << "this is not a database, it is a text file with enough bytes in it to matter"
      << std::string(200, 'x');
  try {
    SqliteStore store({path});
    FAIL() << "opened " << path;
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

// The writer's WAL writes are gathered into one per commit (wal_vfs.h), and
// what it committed is in the file for any other connection at once.
TEST(SqliteStore, OneWalWritePerCommitAndOtherConnectionsSeeIt) {
  testing::TempDir dir;
  SqliteStore store({dir.file("hub.db")});
  ASSERT_NE(wal_write_buffer_vfs(), nullptr);
  const WalWriteCounts before = wal_write_counts();
  const std::int64_t id = store.append(event("one")).event.id;
  const WalWriteCounts after = wal_write_counts();
  EXPECT_EQ(after.written - before.written, 1u);
  EXPECT_GE(after.buffered - before.buffered, 4u) << "a header and a page per frame";

  sqlite3* db = nullptr;  // the default VFS, as the CLI or sqlite3 would open it
  ASSERT_EQ(sqlite3_open(dir.file("hub.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT event FROM events WHERE id = ?", -1, &stmt, nullptr), SQLITE_OK);
  sqlite3_bind_int64(stmt, 1, id);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "one");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// /metrics' group commit figures: every commit counted with its writes and
// its time; writes that arrive together share a commit.
TEST(SqliteStore, CommitStatsCountCommitsTheirWritesAndTheirTime) {
  testing::TempDir dir;
  SqliteStore store({dir.file("hub.db")});
  EXPECT_EQ(store.commit_stats().commits, 0u) << "opening and migrating are not counted";
  for (int i = 0; i < 3; ++i) store.append(event("one by one"));
  CommitStats stats = store.commit_stats();
  EXPECT_EQ(stats.commits, 3u);
  EXPECT_EQ(stats.writes, 3u);
  EXPECT_GT(stats.seconds, 0.0);
  std::uint64_t bucketed = 0;
  for (std::uint64_t n : stats.buckets) bucketed += n;
  EXPECT_EQ(bucketed, 3u) << "each commit in one bucket (none took 5 s)";

  std::atomic<int> answered{0};
  for (int i = 0; i < 200; ++i) {
    store.append_async(event("together"), [&](AppendOutcome outcome) {
      EXPECT_TRUE(outcome.result) << outcome.error;
      answered.fetch_add(1);
    });
  }
  while (answered.load() < 200) std::this_thread::yield();
  const CommitStats after = store.commit_stats();
  EXPECT_EQ(after.writes - stats.writes, 200u);
  EXPECT_LT(after.commits - stats.commits, 200u) << "queued writes share commits";
  EXPECT_GE(after.seconds, stats.seconds);
}

// A transaction bigger than the page cache spills frames into the WAL before
// its commit and reads them back; bigger than the VFS's buffer, it is
// written in parts. The event comes back whole, here and after a reopen.
TEST(SqliteStore, AnEventLargerThanTheCacheAndTheWalBuffer) {
  testing::TempDir dir;
  std::string big(6 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  std::int64_t id = 0;
  {
    SqliteStore store({dir.file("hub.db")});
    EventRecord e = event("big");
    e.value3 = big;
    id = store.append(e).event.id;
    auto stored = store.event(id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->value3, big);
    store.append(event("after"));
  }
  SqliteStore reopened({dir.file("hub.db")});
  auto stored = reopened.event(id);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->value3 == big);
  EXPECT_EQ(all(reopened).size(), 2u);
}

TEST(Schema, ALookupOfAnEventsRunsUsesAnIndex) {
  testing::TempDir dir;
  SqliteStore store({dir.file("hub.db")});
  const std::string plan =
      query_plan(dir.file("hub.db"), "SELECT id FROM action_runs WHERE event_id = 7");
  EXPECT_NE(plan.find("USING"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
}

// Every event gets two queued runs (an http and an mqtt action).
SqliteOptions two_runs_per_event(const testing::TempDir& dir) {
  SqliteOptions options{dir.file("hub.db")};
  options.planner = [](const EventRecord&) {
    return std::vector<PlannedRun>{{"a", 0, "http", false}, {"a", 1, "mqtt", false}};
  };
  return options;
}

TEST(SqliteStore, RunCountsPerStatus) {
  testing::TempDir dir;
  SqliteStore store(two_runs_per_event(dir));
  std::vector<std::int64_t> runs;
  for (int i = 0; i < 3; ++i) store.append(event("e" + std::to_string(i)));
  for (const RunRecord& r : store.due_runs(now_ms() + std::chrono::hours(1), 100)) runs.push_back(r.id);
  ASSERT_EQ(runs.size(), 6u);
  auto attempt = [&](std::int64_t id, RunStatus status) {
    RunAttempt a;
    a.run_id = id;
    a.status = status;
    a.attempts = 1;
    a.at = now_ms();
    a.next_attempt_at = a.at;
    store.record_attempt(a);
  };
  attempt(runs[0], RunStatus::kDone);
  attempt(runs[1], RunStatus::kDone);
  attempt(runs[2], RunStatus::kFailed);
  attempt(runs[3], RunStatus::kPending);  // retried later: still pending
  RunCounts counts = store.run_counts();
  EXPECT_EQ(counts.done, 2);
  EXPECT_EQ(counts.failed, 1);
  EXPECT_EQ(counts.pending, 3);
}

TEST(SqliteStore, RunsOfOneEventOrOneKey) {
  testing::TempDir dir;
  SqliteStore store(two_runs_per_event(dir));
  EventRecord other = event("other");
  other.key_id = "other-key";
  const std::int64_t first = store.append(event("first")).event.id;
  const std::int64_t second = store.append(other).event.id;
  store.append(event("third"));
  auto runs = [&](std::string key, std::optional<std::int64_t> event_id) {
    RunQuery q;
    q.key_id = std::move(key);
    q.event_id = event_id;
    q.limit = 100;
    std::vector<std::string> out;
    for (const RunRecord& r : store.runs(q)) out.push_back(r.event + "/" + std::to_string(r.action_index));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(runs("", first), (V{"first/1", "first/0"}));
  EXPECT_EQ(runs("button", first), (V{"first/1", "first/0"}));
  EXPECT_EQ(runs("button", second), V{}) << "another key's event";
  EXPECT_EQ(runs("other-key", second), (V{"other/1", "other/0"}));
  EXPECT_EQ(runs("button", std::nullopt), (V{"third/1", "third/0", "first/1", "first/0"}));
  EXPECT_EQ(runs("", std::nullopt).size(), 6u);
}

// Appends queued together are committed in one batch, their rows written
// together (multi-row INSERTs, one upsert per button); a duplicate in a
// batch sends it through the job-by-job path. Either way every event has
// its own id in the order queued, its own runs, and every press counts.
TEST(SqliteStore, EventsQueuedTogetherKeepTheirIdsRunsAndPresses) {
  testing::TempDir dir;
  SqliteStore store(two_runs_per_event(dir));
  constexpr int kRound = 40;
  const TimePoint t0 = *parse_iso8601("2026-12-05T10:00:00.000Z");
  std::vector<EventRecord> sent;
  std::vector<AppendResult> results;
  std::int64_t previous = 0;
  std::map<std::string, ButtonRecord> expected;  // by button
  // Three rounds, each queued while another connection holds the write
  // lock, so the writer finds them queued together: new buttons, the same
  // buttons again, then a round with a duplicate.
  for (int round = 0; round < 3; ++round) {
    sqlite3* holder = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("hub.db").c_str(), &holder), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    std::vector<std::future<AppendOutcome>> outcomes;
    const int first = round * kRound;
    for (int i = first; i < first + kRound; ++i) {
      EventRecord e = event("press");
      e.value1 = "n" + std::to_string(i);
      e.button_id = i % 3 == 0 ? "hall" : "door";
      if (i % 4 == 1) e.battery_mv = 3000 + i;
      e.occurred_at = t0 + std::chrono::milliseconds(i);
      if (i == 100 || i == 101) e.idempotency_key = "same";  // 101 repeats 100
      sent.push_back(e);
      auto done = std::make_shared<std::promise<AppendOutcome>>();
      outcomes.push_back(done->get_future());
      store.append_async(e, [done](AppendOutcome o) { done->set_value(std::move(o)); });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(sqlite3_exec(holder, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(holder);
    for (auto& f : outcomes) {
      AppendOutcome o = f.get();
      ASSERT_TRUE(o.result) << o.error;
      results.push_back(*o.result);
    }

    for (int i = first; i < first + kRound; ++i) {
      const AppendResult& r = results[i];
      EXPECT_EQ(r.duplicate, i == 101) << i;
      if (r.duplicate) {
        EXPECT_EQ(r.event.id, results[100].event.id);
        continue;
      }
      EXPECT_GT(r.event.id, previous) << "ids follow the order queued, at " << i;
      previous = r.event.id;
      std::optional<EventRecord> stored = store.event(r.event.id);
      ASSERT_TRUE(stored) << i;
      EXPECT_EQ(stored->value1, sent[i].value1) << "event " << r.event.id << " is the one queued " << i;
      RunQuery q;
      q.event_id = r.event.id;
      q.limit = 10;
      std::vector<RunRecord> runs = store.runs(q);
      ASSERT_EQ(runs.size(), 2u) << i;
      for (const RunRecord& run : runs) EXPECT_EQ(run.event_id, r.event.id);
      ButtonRecord& b = expected[*sent[i].button_id];
      if (b.presses == 0) b.first_seen = sent[i].occurred_at;
      b.last_seen = sent[i].occurred_at;
      b.last_event_id = r.event.id;
      if (sent[i].battery_mv) b.battery_mv = sent[i].battery_mv;
      ++b.presses;
    }
    std::vector<ButtonRecord> buttons = store.buttons("button");
    ASSERT_EQ(buttons.size(), 2u);
    for (const ButtonRecord& b : buttons) {
      const ButtonRecord& want = expected[b.button_id];
      EXPECT_EQ(b.presses, want.presses) << b.button_id << " after round " << round;
      EXPECT_EQ(b.first_seen, want.first_seen) << b.button_id << " after round " << round;
      EXPECT_EQ(b.last_seen, want.last_seen) << b.button_id << " after round " << round;
      EXPECT_EQ(b.last_event_id, want.last_event_id) << b.button_id << " after round " << round;
      EXPECT_EQ(b.last_event, "press");
      EXPECT_EQ(b.battery_mv, want.battery_mv) << b.button_id << " after round " << round;
    }
  }
  EXPECT_LE(store.commit_stats().commits, 6) << "queued together, committed together";
}

TEST(Schema, RunCountsReadIndexesNotEveryRun) {
  testing::TempDir dir;
  SqliteStore store({dir.file("hub.db")});
  for (const char* where : {"status = 'pending'", "status = 'failed'"}) {
    const std::string plan =
        query_plan(dir.file("hub.db"), std::string("SELECT COUNT(*) FROM action_runs WHERE ") + where);
    // "SCAN action_runs USING COVERING INDEX action_runs_due": the partial index's rows only.
    EXPECT_NE(plan.find("INDEX action_runs_"), std::string::npos) << where << ": " << plan;
  }
}

// The opcodes of a statement, one per line (EXPLAIN).
std::string opcodes(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN " + sql).c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string out;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    out += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    out += '\n';
  }
  sqlite3_finalize(stmt);
  return out;
}

// The first column of the first row, as text ("" when there is none).
std::string scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  return out;
}

// A CHECK written as `status IN (three constants)` made SQLite build a
// temporary index (OpenEphemeral) for every run it wrote.
TEST(Schema, WritingARunBuildsNoTemporaryIndex) {
  testing::TempDir dir;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("hub.db").c_str(), &db), SQLITE_OK);
  migrate(db);
  for (const char* sql :
       {"INSERT INTO action_runs (event_id, applet, action_index, kind, next_attempt_at, "
        "created_at, updated_at, status, attempts) VALUES (1, 'a', 0, 'log', 0, 't', 't', 'done', 1)",
        "UPDATE action_runs SET status = 'failed', attempts = 2 WHERE id = 1"}) {
    const std::string code = opcodes(db, sql);
    EXPECT_NE(code.find("Insert"), std::string::npos) << sql << "\n" << code;
    EXPECT_EQ(code.find("OpenEphemeral"), std::string::npos) << sql << "\n" << code;
  }
  sqlite3_close(db);
}

// Migration 5 rebuilds action_runs: the runs keep their ids and columns,
// the AUTOINCREMENT sequence goes on where it was (past deleted runs), the
// constraints and indexes are all there.
TEST(Schema, TheRunsRebuildKeepsRunsSequenceAndConstraints) {
  testing::TempDir dir;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("hub.db").c_str(), &db), SQLITE_OK);
  migrate(db, 4);
  ASSERT_EQ(scalar(db, "PRAGMA user_version"), "4");
  auto exec = [&](const std::string& sql) {
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db);
  };
  exec("INSERT INTO events (event, key_id, occurred_at) VALUES ('e', 'k', 't')");
  const char* kRun =
      "INSERT INTO action_runs (event_id, applet, action_index, kind, next_attempt_at, "
      "created_at, updated_at, status, attempts, last_error) VALUES ";
  exec(std::string(kRun) + "(1, 'a', 0, 'log', 5, 'c', 'u', 'done', 1, NULL)");
  exec(std::string(kRun) + "(1, 'a', 1, 'http', 7, 'c', 'u', 'pending', 2, 'timeout')");
  exec(std::string(kRun) + "(1, 'b', 0, 'mqtt', 9, 'c', 'u', 'failed', 8, 'refused')");
  exec("INSERT INTO action_runs (event_id, applet, action_index, kind, next_attempt_at, "
       "created_at, updated_at) VALUES (1, 'c', 0, 'log', 1, 'c', 'u')");
  exec("DELETE FROM action_runs WHERE id = 4");  // the sequence stays at 4
  const std::string before = scalar(
      db, "SELECT group_concat(id || event_id || applet || action_index || kind || status || "
          "attempts || next_attempt_at || coalesce(last_error, '-') || created_at || updated_at, "
          "'|') FROM action_runs");

  migrate(db);
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), std::to_string(latest_schema_version()));
  EXPECT_EQ(scalar(db, "SELECT group_concat(id || event_id || applet || action_index || kind || "
                       "status || attempts || next_attempt_at || coalesce(last_error, '-') || "
                       "created_at || updated_at, '|') FROM action_runs"),
            before);
  EXPECT_EQ(scalar(db, "SELECT seq FROM sqlite_sequence WHERE name = 'action_runs'"), "4");
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_sequence WHERE name LIKE 'action_runs%'"), "1");
  exec(std::string(kRun) + "(1, 'd', 0, 'log', 1, 'c', 'u', 'pending', 0, NULL)");
  EXPECT_EQ(scalar(db, "SELECT max(id) FROM action_runs"), "5") << "no id is reused";
  EXPECT_NE(sqlite3_exec(db, (std::string(kRun) + "(1, 'e', 0, 'log', 1, 'c', 'u', 'lost', 0, NULL)").c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << "the status CHECK holds";
  EXPECT_NE(sqlite3_exec(db, (std::string(kRun) + "(1, 'a', 0, 'log', 1, 'c', 'u', 'done', 0, NULL)").c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << "(event_id, applet, action_index) is unique";
  EXPECT_EQ(scalar(db, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE "
                       "type = 'index' AND tbl_name = 'action_runs' ORDER BY name)"),
            "action_runs_due,action_runs_failed,sqlite_autoindex_action_runs_1");
  EXPECT_EQ(scalar(db, "PRAGMA integrity_check"), "ok");
  sqlite3_close(db);
}

TEST(Schema, MigrateIsIdempotentAndRefusesNewerFiles) {
  testing::TempDir dir;
  const std::string path = dir.file("hub.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  migrate(db);
  migrate(db);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_THROW(migrate(db), StoreError);
  sqlite3_close(db);
  EXPECT_THROW(SqliteStore({path}), StoreError);
}

}  // namespace
}  // namespace hub
