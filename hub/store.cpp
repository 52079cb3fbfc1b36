#include "store.h"

#include <future>

namespace hub {

std::string_view to_string(RunStatus s) {
  switch (s) {
    case RunStatus::kPending: return "pending";
    case RunStatus::kDone: return "done";
    case RunStatus::kFailed: return "failed";
  }
  return "pending";
}

std::optional<RunStatus> parse_run_status(std::string_view s) {
  if (s == "pending") return RunStatus::kPending;
  if (s == "done") return RunStatus::kDone;
  if (s == "failed") return RunStatus::kFailed;
  return std::nullopt;
}

AppendResult Store::append(EventRecord event) {
  std::promise<AppendOutcome> promise;
  std::future<AppendOutcome> future = promise.get_future();
  append_async(std::move(event),
               [&promise](AppendOutcome outcome) { promise.set_value(std::move(outcome)); });
  AppendOutcome outcome = future.get();
  if (!outcome.result) throw StoreError(outcome.error);
  return std::move(*outcome.result);
}

void Store::record_attempt(RunAttempt attempt) {
  std::promise<std::string> promise;
  std::future<std::string> future = promise.get_future();
  record_attempt_async(std::move(attempt),
                       [&promise](const std::string& error) { promise.set_value(error); });
  std::string error = future.get();
  if (!error.empty()) throw StoreError(error);
}

}  // namespace hub
