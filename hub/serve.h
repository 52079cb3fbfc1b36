// `buttonhook-hub serve`: wires the config, store, keys, actions, outbox and
// server together, runs until SIGTERM/SIGINT, and shuts down in order.
#pragma once

#include "config.h"

namespace hub {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;

// `config` is complete (file and command line merged) but not yet checked.
int serve(HubConfig config);

// Whole lines on stderr with one call each, so threads never interleave.
void log_line(const std::string& line);
void print_error(const std::string& message);  // "buttonhook-hub: ..."

}  // namespace hub
