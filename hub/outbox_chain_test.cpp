// The outbox's chains and the writer's batches, on a real SQLite file: an
// action's due runs are attempted in order by one worker; a failure stops
// the chain and the rest wait for the next pass; a job that fails in a
// batch fails alone.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "outbox.h"
#include "sqlite_store.h"
#include "temp_dir.h"

namespace hub {
namespace {

using namespace std::chrono_literals;

EventRecord event(int n) {
  EventRecord e;
  e.event = "pressed";
  e.key_id = "button";
  e.value1 = std::to_string(n);
  e.occurred_at = now_ms();
  e.remote_addr = "127.0.0.1:1";
  return e;
}

// Records the value1 of each event it runs; fails the attempts it is told to.
class RecordingAction : public Action {
 public:
  std::string_view kind() const override { return "log"; }
  void run(const EventRecord& e, const Ingredients&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.push_back(e.value1);
    if (fail_next_ > 0) {
      --fail_next_;
      throw ActionError("down for now");
    }
  }
  std::vector<std::string> seen() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }
  void fail_next(int n) {
    std::lock_guard<std::mutex> lock(mutex_);
    fail_next_ = n;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> seen_;
  int fail_next_ = 0;
};

SqliteOptions one_run_per_event(const std::string& path) {
  SqliteOptions o{path};
  o.planner = [](const EventRecord&) { return std::vector<PlannedRun>{{"log", 0, "log"}}; };
  return o;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(OutboxChain, ABacklogOfOneActionRunsInOrderAndAllGetDone) {
  testing::TempDir dir;
  SqliteStore store(one_run_per_event(dir.file("hub.db")));
  for (int i = 0; i < 300; ++i) store.append(event(i));  // more than one pass reads (256)

  auto action = std::make_unique<RecordingAction>();
  RecordingAction* recording = action.get();
  ActionTable actions;
  actions.add("log", 0, std::move(action));
  OutboxOptions options;
  options.poll = 20ms;
  Outbox outbox(store, actions, options);
  store.set_on_runs_queued([&outbox] { outbox.notify(); });
  outbox.start();
  ASSERT_TRUE(wait_until([&] { return store.run_counts().done == 300; }));
  outbox.stop(1s);

  std::vector<std::string> seen = recording->seen();
  ASSERT_EQ(seen.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], std::to_string(i));
}

TEST(OutboxChain, AFailureStopsTheChainAndTheRestRunLater) {
  testing::TempDir dir;
  SqliteStore store(one_run_per_event(dir.file("hub.db")));
  for (int i = 0; i < 5; ++i) store.append(event(i));

  auto action = std::make_unique<RecordingAction>();
  RecordingAction* recording = action.get();
  recording->fail_next(1);
  ActionTable actions;
  actions.add("log", 0, std::move(action));
  OutboxOptions options;
  options.poll = 20ms;
  options.retry.initial = 50ms;
  options.retry.max = 50ms;
  Outbox outbox(store, actions, options);
  outbox.start();
  ASSERT_TRUE(wait_until([&] { return store.run_counts().done == 5; }));
  outbox.stop(1s);

  // The first attempt failed; nothing else of its chain was tried then.
  std::vector<std::string> seen = recording->seen();
  ASSERT_GE(seen.size(), 6u);
  EXPECT_EQ(seen[0], "0");
  EXPECT_EQ(seen[1], "1");  // the next pass, before event 0's retry is due
  EXPECT_EQ(store.run_counts().pending, 0);
  EXPECT_EQ(store.run_counts().failed, 0);
}

TEST(WriterBatch, AJobThatFailsFailsAloneAndTheRestCommit) {
  testing::TempDir dir;
  SqliteStore store(one_run_per_event(dir.file("hub.db")));
  // Queued back to back, so most land in one batch with the failing job.
  std::vector<std::future<AppendOutcome>> appends;
  std::promise<std::string> bad;
  for (int i = 0; i < 20; ++i) {
    if (i == 10) {
      RunAttempt missing;
      missing.run_id = 999999;  // no such run: the update changes nothing and throws
      missing.status = RunStatus::kDone;
      store.record_attempt_async(missing, [&bad](const std::string& e) { bad.set_value(e); });
    }
    auto done = std::make_shared<std::promise<AppendOutcome>>();
    appends.push_back(done->get_future());
    store.append_async(event(i), [done](AppendOutcome o) { done->set_value(std::move(o)); });
  }
  EXPECT_NE(bad.get_future().get().find("no action run #999999"), std::string::npos);
  for (auto& f : appends) {
    AppendOutcome o = f.get();
    ASSERT_TRUE(o.result) << o.error;
    EXPECT_EQ(o.result->runs_queued, 1);
  }
  EventQuery q;
  q.limit = 100;
  EXPECT_EQ(store.list(q).size(), 20u);
  EXPECT_EQ(store.run_counts().pending, 20);
}

// Immediate runs (the log action's): run by the store inside the event's
// transaction, recorded by what the runner says.
struct ImmediateLog {
  std::mutex mutex;
  std::vector<std::string> ran;  // value1 of each event run
  int flushes = 0;
  std::string fail_value;        // run() fails for this value1
  std::string flush_error;

  ImmediateRunner runner() {
    ImmediateRunner r;
    r.run = [this](const EventRecord& e, const PlannedRun&) {
      std::lock_guard<std::mutex> lock(mutex);
      EXPECT_GT(e.id, 0) << "runs see the stored event";
      ran.push_back(e.value1);
      return e.value1 == fail_value ? std::string("stdout is closed") : std::string();
    };
    r.flush = [this] {
      std::lock_guard<std::mutex> lock(mutex);
      ++flushes;
      return flush_error;
    };
    return r;
  }
};

SqliteOptions immediate_log(const std::string& path) {
  SqliteOptions o{path};
  o.planner = [](const EventRecord& e) {
    std::vector<PlannedRun> runs{{"log", 0, "log", true}};
    // The same run twice breaks UNIQUE (event_id, applet, action_index):
    // this event's job fails after its first run was planned.
    if (e.value1 == "twice") runs.push_back({"log", 0, "log", true});
    // And a run for the outbox: one batch's rows mix both statuses.
    if (e.value1.rfind("and-mail", 0) == 0) runs.push_back({"mail", 0, "email", false});
    return runs;
  };
  return o;
}

// A store with the immediate log runner; `log` says what to fail.
class ImmediateRunsTest : public ::testing::Test {
 protected:
  ImmediateRunsTest() : store(immediate_log(dir.file("hub.db"))) {}
  void start() { store.set_immediate_runner(log.runner()); }
  testing::TempDir dir;
  SqliteStore store;
  ImmediateLog log;
};

std::vector<std::future<AppendOutcome>> append_all(SqliteStore& store,
                                                   const std::vector<std::string>& values) {
  std::vector<std::future<AppendOutcome>> out;
  for (const std::string& v : values) {
    EventRecord e = event(0);
    e.value1 = v;
    auto done = std::make_shared<std::promise<AppendOutcome>>();
    out.push_back(done->get_future());
    store.append_async(e, [done](AppendOutcome o) { done->set_value(std::move(o)); });
  }
  return out;
}

TEST_F(ImmediateRunsTest, AreStoredDoneByTheEventsOwnTransaction) {
  start();
  bool woken = false;
  store.set_on_runs_queued([&] { woken = true; });
  for (auto& f : append_all(store, {"a", "b", "c", "d"})) {
    AppendOutcome o = f.get();
    ASSERT_TRUE(o.result) << o.error;
    EXPECT_EQ(o.result->runs_queued, 1);
  }
  EXPECT_EQ(log.ran, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_GE(log.flushes, 1);
  EXPECT_LE(log.flushes, 4) << "one flush per batch, not per run";
  RunCounts counts = store.run_counts();
  EXPECT_EQ(counts.done, 4);
  EXPECT_EQ(counts.pending, 0);
  EXPECT_FALSE(woken) << "nothing was left for the outbox";
  RunQuery q;
  q.limit = 10;
  for (const RunRecord& r : store.runs(q)) EXPECT_EQ(r.attempts, 1);
}

TEST_F(ImmediateRunsTest, OneBatchStoresDoneAndPendingRunsAsPlanned) {
  start();
  std::vector<std::string> values;
  for (int i = 0; i < 20; ++i) values.push_back(i % 2 ? "and-mail-" + std::to_string(i) : std::to_string(i));
  for (auto& f : append_all(store, values)) ASSERT_TRUE(f.get().result);
  RunQuery q;
  q.limit = 100;
  int done = 0, pending = 0;
  for (const RunRecord& r : store.runs(q)) {
    EXPECT_EQ(r.status, r.kind == "log" ? RunStatus::kDone : RunStatus::kPending) << r.id << " " << r.kind;
    (r.status == RunStatus::kDone ? done : pending)++;
  }
  EXPECT_EQ(done, 20);
  EXPECT_EQ(pending, 10);
}

TEST_F(ImmediateRunsTest, AFailedRunIsLeftPendingAndTheOutboxFinishesIt) {
  log.fail_value = "b";
  start();
  for (auto& f : append_all(store, {"a", "b", "c"})) ASSERT_TRUE(f.get().result);
  RunQuery q;
  q.limit = 10;
  std::vector<RunRecord> runs = store.runs(q);  // newest first
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[1].status, RunStatus::kPending);
  EXPECT_EQ(runs[1].attempts, 1);
  EXPECT_EQ(runs[1].last_error, "stdout is closed");
  EXPECT_EQ(runs[0].status, RunStatus::kDone);
  EXPECT_EQ(runs[2].status, RunStatus::kDone);

  auto* action = new RecordingAction;
  ActionTable table;
  table.add("log", 0, std::unique_ptr<Action>(action));
  OutboxOptions options;
  options.poll = 20ms;
  Outbox outbox(store, table, options);
  outbox.start();
  for (int i = 0; i < 200 && store.run_counts().pending > 0; ++i) std::this_thread::sleep_for(10ms);
  outbox.stop(1s);
  EXPECT_EQ(action->seen(), std::vector<std::string>{"b"}) << "only the failed run, once";
  runs = store.runs(q);
  EXPECT_EQ(runs[1].status, RunStatus::kDone);
  EXPECT_EQ(runs[1].attempts, 2);
}

TEST_F(ImmediateRunsTest, AFailedFlushLeavesTheBatchsRunsPending) {
  log.flush_error = "disk full";
  start();
  for (auto& f : append_all(store, {"a", "b"})) ASSERT_TRUE(f.get().result);
  EXPECT_EQ(store.run_counts().pending, 2);
  EXPECT_EQ(store.run_counts().done, 0);
}

TEST_F(ImmediateRunsTest, AJobUndoneInItsBatchRunsNothingAndTheOthersRunOnce) {
  start();
  // Back to back: most share the batch of the failing job, which is applied
  // twice (the second time with savepoints).
  std::vector<std::string> values;
  for (int i = 0; i < 30; ++i) values.push_back(i == 15 ? "twice" : std::to_string(i));
  auto appends = append_all(store, values);
  for (std::size_t i = 0; i < appends.size(); ++i) {
    AppendOutcome o = appends[i].get();
    EXPECT_EQ(o.result.has_value(), values[i] != "twice") << values[i] << ": " << o.error;
  }
  std::vector<std::string> expected = values;
  expected.erase(expected.begin() + 15);
  EXPECT_EQ(log.ran, expected);
  EXPECT_EQ(store.run_counts().done, 29);
}

}  // namespace
}  // namespace hub
