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

}  // namespace
}  // namespace hub
