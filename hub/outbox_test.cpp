// The outbox over a real SQLite file with scripted actions: retries with
// backoff until done or given up, permanent failures, runs surviving a new
// store and outbox (a restart), one dead action not holding up the others,
// and the backoff arithmetic.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "applets_config.h"
#include "outbox.h"
#include "peers.h"
#include "sqlite_store.h"
#include "temp_dir.h"

namespace hub {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

// Fails its first `failures` attempts (permanently if asked), records every call.
class ScriptedAction : public Action {
 public:
  explicit ScriptedAction(int failures, bool permanent = false,
                          std::chrono::milliseconds takes = 0ms)
      : failures_(failures), permanent_(permanent), takes_(takes) {}
  std::string_view kind() const override { return "scripted"; }
  void run(const EventRecord& event, const Ingredients&) override {
    std::this_thread::sleep_for(takes_);
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back({event.id, std::chrono::steady_clock::now()});
    if (static_cast<int>(calls_.size()) <= failures_) {
      throw ActionError("target down (attempt " + std::to_string(calls_.size()) + ")", permanent_);
    }
  }
  std::size_t calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_.size();
  }
  std::vector<std::chrono::steady_clock::time_point> times() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::chrono::steady_clock::time_point> out;
    for (auto& c : calls_) out.push_back(c.second);
    return out;
  }

 private:
  int failures_;
  bool permanent_;
  std::chrono::milliseconds takes_;
  std::mutex mutex_;
  std::vector<std::pair<std::int64_t, std::chrono::steady_clock::time_point>> calls_;
};

// Applets "a" and "b", one action each, on every event.
RunPlanner two_applets() {
  return [](const EventRecord&) {
    return std::vector<PlannedRun>{{"a", 0, "scripted"}, {"b", 0, "scripted"}};
  };
}

// Applets "a" and "b" of two_applets() with these actions; the test keeps
// pointers to them for counting calls.
struct TwoActions {
  TwoActions(ScriptedAction* first, ScriptedAction* second) : a(first), b(second) {
    table.add("a", 0, std::unique_ptr<Action>(first));
    table.add("b", 0, std::unique_ptr<Action>(second));
  }
  ActionTable table;
  ScriptedAction* a;
  ScriptedAction* b;
};

SqliteOptions store_options(const testing::TempDir& dir, RunPlanner planner) {
  SqliteOptions o{dir.file("hub.db")};
  o.planner = std::move(planner);
  return o;
}

OutboxOptions fast(int max_attempts = 5) {
  OutboxOptions o;
  o.retry.initial = 40ms;
  o.retry.max = 200ms;
  o.retry.max_attempts = max_attempts;
  o.retry.jitter = 0;
  o.poll = 50ms;
  return o;
}

EventRecord event(const std::string& name) {
  EventRecord e;
  e.event = name;
  e.key_id = "k";
  e.occurred_at = now_ms();
  return e;
}

RunRecord only_run(SqliteStore& store, const std::string& applet) {
  RunQuery q;
  q.limit = 100;
  for (const RunRecord& r : store.runs(q)) {
    if (r.applet == applet) return r;
  }
  return {};
}

TEST(RetryDelay, DoublesFromTheInitialDelayUpToTheCapWithJitterAround) {
  RetryPolicy p;
  p.initial = 1000ms;
  p.max = 10000ms;
  EXPECT_EQ(retry_delay(p, 1, 0.5), 1000ms);
  EXPECT_EQ(retry_delay(p, 2, 0.5), 2000ms);
  EXPECT_EQ(retry_delay(p, 4, 0.5), 8000ms);
  EXPECT_EQ(retry_delay(p, 5, 0.5), 10000ms);
  EXPECT_EQ(retry_delay(p, 500, 0.5), 10000ms);
  EXPECT_EQ(retry_delay(p, 1, 0.0), 800ms);   // -20%
  EXPECT_EQ(retry_delay(p, 1, 1.0), 1200ms);  // +20%
}

TEST(Outbox, RetriesWithGrowingWaitsUntilTheActionSucceeds) {
  testing::TempDir dir;
  SqliteStore store(store_options(dir, two_applets()));
  TwoActions actions(new ScriptedAction(3), new ScriptedAction(0));
  ScriptedAction* a = actions.a;
  ScriptedAction* b = actions.b;
  Outbox outbox(store, actions.table, fast());
  store.set_on_runs_queued([&] { outbox.notify(); });
  outbox.start();
  store.append(event("pressed"));
  ASSERT_TRUE(eventually([&] { return only_run(store, "a").status == RunStatus::kDone; }, 5s));
  EXPECT_EQ(a->calls(), 4u);
  EXPECT_EQ(b->calls(), 1u);
  RunRecord run = only_run(store, "a");
  EXPECT_EQ(run.attempts, 4);
  EXPECT_EQ(run.last_error, "") << "cleared on success";
  // Waits of 40, 80, 160 ms (no jitter): each at least its backoff, less
  // the millisecond the stored due times are rounded to.
  auto t = a->times();
  EXPECT_GE(t[1] - t[0], 39ms);
  EXPECT_GE(t[2] - t[1], 79ms);
  EXPECT_GE(t[3] - t[2], 159ms);
  outbox.stop(1s);
  EXPECT_EQ(a->calls(), 4u) << "a done run is never run again";
}

TEST(Outbox, GivesUpAfterMaxAttemptsAndAtOnceOnAPermanentError) {
  testing::TempDir dir;
  SqliteStore store(store_options(dir, two_applets()));
  TwoActions actions(new ScriptedAction(100), new ScriptedAction(100, /*permanent=*/true));
  ScriptedAction* a = actions.a;
  std::vector<std::string> log;
  std::mutex log_mutex;
  OutboxOptions options = fast(3);
  options.log = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mutex);
    log.push_back(line);
  };
  Metrics metrics;
  options.metrics = &metrics;
  Outbox outbox(store, actions.table, options);
  store.set_on_runs_queued([&] { outbox.notify(); });
  outbox.start();
  store.append(event("pressed"));
  ASSERT_TRUE(eventually([&] {
    return only_run(store, "a").status == RunStatus::kFailed &&
           only_run(store, "b").status == RunStatus::kFailed;
  }, 5s));
  outbox.stop(1s);
  RunRecord gave_up = only_run(store, "a");
  EXPECT_EQ(gave_up.attempts, 3);
  EXPECT_EQ(gave_up.last_error, "gave up after 3 attempts: target down (attempt 3)");
  EXPECT_EQ(a->calls(), 3u);
  RunRecord permanent = only_run(store, "b");
  EXPECT_EQ(permanent.attempts, 1);
  EXPECT_EQ(permanent.last_error, "target down (attempt 1)");
  std::lock_guard<std::mutex> lock(log_mutex);
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.back().find("giving up"), std::string::npos) << log.back();
  const std::string text = metrics.render(store.run_counts());
  EXPECT_NE(text.find("buttonhook_action_attempts_total{outcome=\"failed\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("buttonhook_action_attempts_total{outcome=\"retry\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("buttonhook_action_runs{status=\"failed\"} 2\n"), std::string::npos) << text;
}

TEST(Outbox, PendingRunsSurviveANewStoreAndOutbox) {
  testing::TempDir dir;
  {
    SqliteStore store(store_options(dir, two_applets()));
    store.append(event("one"));
    store.append(event("two"));
    // No outbox ran: four runs wait in the file.
    EXPECT_EQ(store.run_counts().pending, 4);
  }
  SqliteStore store(store_options(dir, two_applets()));
  TwoActions actions(new ScriptedAction(0), new ScriptedAction(0));
  ScriptedAction* a = actions.a;
  ScriptedAction* b = actions.b;
  Outbox outbox(store, actions.table, fast());
  outbox.start();
  ASSERT_TRUE(eventually([&] { return store.run_counts().done == 4; }, 5s));
  outbox.stop(1s);
  EXPECT_EQ(a->calls(), 2u);
  EXPECT_EQ(b->calls(), 2u);
}

TEST(Outbox, ARunWhoseActionIsGoneFromTheFileFailsSayingWhy) {
  testing::TempDir dir;
  SqliteStore store(store_options(dir, two_applets()));
  store.append(event("pressed"));
  ActionTable none;  // the applets file changed: neither a nor b exist
  Outbox outbox(store, none, fast());
  outbox.start();
  ASSERT_TRUE(eventually([&] { return store.run_counts().failed == 2; }, 5s));
  outbox.stop(1s);
  EXPECT_NE(only_run(store, "a").last_error.find("the applets file changed"), std::string::npos)
      << only_run(store, "a").last_error;
}

TEST(Outbox, ASlowActionHoldsOneWorkerAndNeverTheOthers) {
  testing::TempDir dir;
  SqliteStore store(store_options(dir, two_applets()));
  TwoActions actions(new ScriptedAction(0, false, 300ms), new ScriptedAction(0));
  ScriptedAction* slow = actions.a;
  ScriptedAction* quick = actions.b;
  Outbox outbox(store, actions.table, fast());
  store.set_on_runs_queued([&] { outbox.notify(); });
  outbox.start();
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) store.append(event("e" + std::to_string(i)));
  ASSERT_TRUE(eventually([&] { return quick->calls() == 3; }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 300ms)
      << "the quick action waited for the slow one";
  // The slow action's runs go one at a time.
  ASSERT_TRUE(eventually([&] { return slow->calls() == 3; }, 5s));
  auto t = slow->times();
  EXPECT_GE(t[2] - t[1], 250ms);
  outbox.stop(1s);
}

TEST(Outbox, ABacklogOfOneActionNeverHidesAnotherActionsDueRun) {
  testing::TempDir dir;
  // Events "a" get a run of applet a, the event "b" one of applet b.
  SqliteStore store(store_options(dir, [](const EventRecord& e) {
    return std::vector<PlannedRun>{{e.event, 0, "scripted"}};
  }));
  // More older runs of a than the outbox reads at once (256), then one of b.
  std::promise<void> stored;
  for (int i = 0; i <= 300; ++i) {
    store.append_async(event(i < 300 ? "a" : "b"), [&stored, i](AppendOutcome) {
      if (i == 300) stored.set_value();
    });
  }
  stored.get_future().wait();
  TwoActions actions(new ScriptedAction(0, false, 20ms), new ScriptedAction(0));
  Outbox outbox(store, actions.table, fast());
  const auto started = std::chrono::steady_clock::now();
  outbox.start();
  ASSERT_TRUE(eventually([&] { return actions.b->calls() == 1; }, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s)
      << "b waited behind a's backlog (" << actions.a->calls() << " of a's runs went first)";
  outbox.stop(0ms);
}

// A store whose second read of the due runs begins before the first run's
// outcome is committed and ends after it, returning what it saw at the start:
// the first run, still pending. SQLite's reader gives the same answer when
// its read transaction starts just before the writer commits.
class StaleSecondRead : public Store {
 public:
  explicit StaleSecondRead(SqliteStore& inner) : inner_(inner) {}
  void append_async(EventRecord e, AppendCallback done) override {
    inner_.append_async(std::move(e), std::move(done));
  }
  std::vector<EventRecord> list(const EventQuery& q) override { return inner_.list(q); }
  std::optional<EventRecord> event(std::int64_t id) override { return inner_.event(id); }
  std::vector<ButtonRecord> buttons(const std::string& k) override { return inner_.buttons(k); }
  std::vector<RunRecord> due_runs(TimePoint now, int limit) override {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!first_) {
      lock.unlock();
      std::vector<RunRecord> due = inner_.due_runs(now, limit);
      lock.lock();
      if (!due.empty()) first_ = due;
      return due;
    }
    if (served_stale_) {
      lock.unlock();
      return inner_.due_runs(now, limit);
    }
    served_stale_ = true;
    second_read_began_ = true;
    cv_.notify_all();
    cv_.wait_for(lock, 5s, [&] { return recorded_; });
    return *first_;
  }
  std::optional<TimePoint> next_due() override { return inner_.next_due(); }
  void record_attempt_async(RunAttempt attempt, WriteCallback done) override {
    inner_.record_attempt_async(std::move(attempt), [this, done](const std::string& error) {
      done(error);
      std::lock_guard<std::mutex> lock(mutex_);
      recorded_ = true;
      cv_.notify_all();
    });
  }
  std::vector<RunRecord> runs(const RunQuery& q) override { return inner_.runs(q); }
  RunCounts run_counts() override { return inner_.run_counts(); }
  std::vector<StoredKey> stored_keys() override { return inner_.stored_keys(); }
  void add_key(const StoredKey& key) override { inner_.add_key(key); }
  bool revoke_key(const std::string& n, TimePoint w) override { return inner_.revoke_key(n, w); }

  // Blocks until the second read has begun (the action holds its run until then).
  void wait_for_second_read() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, 5s, [&] { return second_read_began_; });
  }

 private:
  SqliteStore& inner_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<std::vector<RunRecord>> first_;
  bool served_stale_ = false, second_read_began_ = false, recorded_ = false;
};

// Runs until the store's second read has begun, then succeeds.
class WaitsForTheSecondRead : public ScriptedAction {
 public:
  explicit WaitsForTheSecondRead(StaleSecondRead& store) : ScriptedAction(0), store_(store) {}
  void run(const EventRecord& e, const Ingredients& i) override {
    store_.wait_for_second_read();
    ScriptedAction::run(e, i);
  }

 private:
  StaleSecondRead& store_;
};

TEST(Outbox, ARunRecordedDuringAStaleReadIsNotRunAgain) {
  testing::TempDir dir;
  // Only applet "a" gets runs; "b" keeps the scheduler reading (it reads
  // only while some action is idle).
  SqliteStore sqlite(store_options(dir, [](const EventRecord&) {
    return std::vector<PlannedRun>{{"a", 0, "scripted"}};
  }));
  StaleSecondRead store(sqlite);
  TwoActions actions(new WaitsForTheSecondRead(store), new ScriptedAction(0));
  Outbox outbox(store, actions.table, fast());
  sqlite.set_on_runs_queued([&] { outbox.notify(); });
  outbox.start();
  store.append(event("pressed"));
  ASSERT_TRUE(eventually([&] { return only_run(sqlite, "a").status == RunStatus::kDone; }, 5s));
  // Give a wrongly repeated run time to happen.
  std::this_thread::sleep_for(300ms);
  outbox.stop(1s);
  EXPECT_EQ(actions.a->calls(), 1u) << "the stale read's pending run was run again";
  EXPECT_EQ(only_run(sqlite, "a").attempts, 1);
}

TEST(Outbox, StopRunsWhatIsDueThenStops) {
  testing::TempDir dir;
  SqliteStore store(store_options(dir, two_applets()));
  TwoActions actions(new ScriptedAction(0, false, 20ms), new ScriptedAction(0, false, 20ms));
  OutboxOptions options = fast();
  options.poll = 10s;  // only stop() makes it look
  Outbox outbox(store, actions.table, options);
  outbox.start();
  for (int i = 0; i < 5; ++i) store.append(event("e"));
  outbox.stop(5s);
  EXPECT_EQ(store.run_counts().done, 10);
}

}  // namespace
}  // namespace hub
