// The store's ImmediateRunner for the hub's actions: each run's output
// buffered on the writer thread, one flush per batch, and the metrics'
// attempt counts told what the flush decided (a run whose output could not
// be written is left pending for the outbox, so it counts as a retry, not
// as done).
#pragma once

#include <functional>
#include <string>

#include "actions.h"
#include "metrics.h"
#include "sqlite_store.h"

namespace hub {

// `log` gets one line per failure ("outbox: ... failed: ...; will retry").
ImmediateRunner immediate_runner(const ActionTable& actions, Metrics& metrics,
                                 std::function<void(const std::string&)> log);

}  // namespace hub
