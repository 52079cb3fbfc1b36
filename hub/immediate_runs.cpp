#include "immediate_runs.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "template.h"

namespace hub {

ImmediateRunner immediate_runner(const ActionTable& actions, Metrics& metrics,
                                 std::function<void(const std::string&)> log) {
  // The writer thread's own: which actions have output waiting for the
  // flush, and how many runs succeeded so far in this batch.
  struct Batch {
    std::vector<Action*> touched;
    int buffered = 0;
  };
  auto batch = std::make_shared<Batch>();
  auto failed = [&metrics, log](const std::string& what, const std::string& error, int runs) {
    if (log) log("outbox: " + what + " failed: " + error + "; will retry");
    for (int i = 0; i < runs; ++i) metrics.attempt_finished(RunStatus::kPending);
    return error.empty() ? std::string("failed") : error;
  };
  ImmediateRunner r;
  r.run = [&actions, batch, failed](const EventRecord& event, const PlannedRun& run) {
    try {
      Action* action = actions.find(run.applet, run.action_index);
      if (!action) throw ActionError("applet '" + run.applet + "' has no such action");
      action->run_buffered(event, ingredients_of(event, action->ingredients_used()));
      if (std::find(batch->touched.begin(), batch->touched.end(), action) == batch->touched.end()) {
        batch->touched.push_back(action);
      }
    } catch (const std::exception& e) {
      // Named only when it failed: formatting it for every run cost more
      // than the log line itself.
      return failed(run.applet + " " + run.kind + " for event #" + std::to_string(event.id), e.what(), 1);
    }
    ++batch->buffered;  // done once its output is flushed
    return std::string();
  };
  r.flush = [&metrics, batch, failed] {
    std::string error;
    for (Action* action : batch->touched) {
      try {
        action->flush();
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    const int runs = batch->buffered;
    batch->touched.clear();
    batch->buffered = 0;
    // A failed flush fails every run of the batch that had succeeded: the
    // store leaves each pending, and each is a retry.
    if (!error.empty()) return failed("a batch of " + std::to_string(runs) + " log actions", error, runs);
    for (int i = 0; i < runs; ++i) metrics.attempt_finished(RunStatus::kDone);
    return error;
  };
  return r;
}

}  // namespace hub
