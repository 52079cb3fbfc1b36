// The hub's immediate runner: what the metrics count when a batch's output
// is written, and when it is not.
#include "immediate_runs.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hub {
namespace {

// Buffers each run; flush() fails while `fail_flush` is set.
class BufferingAction : public Action {
 public:
  std::string_view kind() const override { return "log"; }
  void run(const EventRecord&, const Ingredients&) override { ++written; }
  void run_buffered(const EventRecord& event, const Ingredients&) override {
    if (event.value1 == "bad") throw ActionError("cannot render");
    ++buffered;
  }
  void flush() override {
    if (fail_flush) throw std::runtime_error("stdout is closed");
    written += buffered;
    buffered = 0;
  }
  int buffered = 0, written = 0;
  bool fail_flush = false;
};

std::string attempts(const Metrics& metrics, const std::string& outcome) {
  const std::string text = metrics.render(RunCounts{});
  const std::string key = "buttonhook_action_attempts_total{outcome=\"" + outcome + "\"} ";
  const auto at = text.find(key);
  return at == std::string::npos ? "missing" : text.substr(at + key.size(), text.find('\n', at) - at - key.size());
}

TEST(ImmediateRunner, RunsCountAsDoneOnlyOnceTheirOutputIsFlushed) {
  ActionTable actions;
  auto owned = std::make_unique<BufferingAction>();
  BufferingAction* action = owned.get();
  actions.add("tutorial", 0, std::move(owned));
  Metrics metrics;
  std::vector<std::string> logged;
  ImmediateRunner runner =
      immediate_runner(actions, metrics, [&](const std::string& line) { logged.push_back(line); });
  const PlannedRun run{"tutorial", 0, "log", true};
  EventRecord ok, bad;
  ok.id = 1;
  bad.id = 2;
  bad.value1 = "bad";

  // A batch whose flush fails: its two buffered runs go back to pending
  // (retries), and so does the run that failed by itself.
  action->fail_flush = true;
  EXPECT_EQ(runner.run(ok, run), "");
  EXPECT_EQ(runner.run(ok, run), "");
  EXPECT_EQ(runner.run(bad, run), "cannot render");
  EXPECT_EQ(runner.flush(), "stdout is closed");
  EXPECT_EQ(attempts(metrics, "done"), "0");
  EXPECT_EQ(attempts(metrics, "retry"), "3");
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[1], "outbox: a batch of 2 log actions failed: stdout is closed; will retry");

  // The next batch is written: only its runs count as done.
  action->fail_flush = false;
  EXPECT_EQ(runner.run(ok, run), "");
  EXPECT_EQ(runner.flush(), "");
  EXPECT_EQ(attempts(metrics, "done"), "1");
  EXPECT_EQ(attempts(metrics, "retry"), "3");
}

}  // namespace
}  // namespace hub
