#include "store.h"

#include <future>

namespace hub {

AppendResult Store::append(EventRecord event) {
  std::promise<AppendOutcome> promise;
  std::future<AppendOutcome> future = promise.get_future();
  append_async(std::move(event),
               [&promise](AppendOutcome outcome) { promise.set_value(std::move(outcome)); });
  AppendOutcome outcome = future.get();
  if (!outcome.result) throw StoreError(outcome.error);
  return std::move(*outcome.result);
}

}  // namespace hub
