// A crash inside the firmware (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT)
// must not look like a simulator bug or vanish in a core dump: the handler
// prints "[   t.ttt] * firmware crashed: SIGSEGV (segmentation fault)" on
// stdout and exits with status 70 (EX_SOFTWARE). A crash outside the
// firmware says "* buttonhook-sim crashed: ..." instead, same status. The
// handler runs on its own stack, so a stack overflow is caught too.
#pragma once

#include <stdint.h>  // uint64_t

namespace bh::sim::crash_guard {

constexpr int kExitCode = 70;

// Installs the handlers; now_us is read (async-signal-safely) for the time
// prefix. color: print the line in red.
void install(const uint64_t* now_us, bool color);

// Marks the time spent running firmware code (App::run, App::loop).
class FirmwareScope {
 public:
  FirmwareScope();
  ~FirmwareScope();
  FirmwareScope(const FirmwareScope&) = delete;
  FirmwareScope& operator=(const FirmwareScope&) = delete;
};

bool in_firmware();

}  // namespace bh::sim::crash_guard
