#include "crash_guard.h"

#include <signal.h>  // sigaction, sigaltstack
#include <stdlib.h>  // malloc
#include <string.h>  // strlen
#include <unistd.h>  // write, _exit

#include <initializer_list>  // the signals

namespace bh::sim::crash_guard {

namespace {

volatile sig_atomic_t g_depth = 0;
const uint64_t* g_now_us = nullptr;
bool g_color = false;

// Async-signal-safe formatting: no stdio in a signal handler.
size_t put(char* out, size_t at, const char* s) {
  while (*s) out[at++] = *s++;
  return at;
}

size_t put_uint(char* out, size_t at, uint64_t v, int min_digits) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = char('0' + v % 10);
    v /= 10;
  } while (v);
  while (n < min_digits) tmp[n++] = '0';
  while (n) out[at++] = tmp[--n];
  return at;
}

const char* describe(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGFPE: return "SIGFPE (arithmetic exception)";
    case SIGABRT: return "SIGABRT (abort)";
    default: return "signal";
  }
}

void on_crash(int sig) {
  char line[256];
  size_t n = 0;
  const uint64_t us = g_now_us ? *g_now_us : 0;
  const uint64_t ms = us / 1000;
  // "[%8s] " with seconds.millis, right-aligned.
  char t[32];
  size_t tn = put_uint(t, 0, ms / 1000, 1);
  t[tn++] = '.';
  tn = put_uint(t, tn, ms % 1000, 3);
  line[n++] = '[';
  for (size_t pad = tn; pad < 8; ++pad) line[n++] = ' ';
  for (size_t i = 0; i < tn; ++i) line[n++] = t[i];
  n = put(line, n, "] ");
  if (g_color) n = put(line, n, "\033[1;31m");
  n = put(line, n, g_depth > 0 ? "* firmware crashed: " : "* buttonhook-sim crashed: ");
  n = put(line, n, describe(sig));
  if (g_depth == 0) n = put(line, n, " (a bug in the simulator, not the firmware)");
  if (g_color) n = put(line, n, "\033[0m");
  line[n++] = '\n';
  (void)!::write(1, line, n);
  _exit(kExitCode);
}

}  // namespace

void install(const uint64_t* now_us, bool color) {
  g_now_us = now_us;
  g_color = color;
  static bool installed = false;
  if (installed) return;
  installed = true;
  // An alternate stack, so a stack overflow can still be reported.
  constexpr size_t kStack = size_t{64} * 1024;
  stack_t ss{};
  ss.ss_sp = malloc(kStack);
  ss.ss_size = kStack;
  if (ss.ss_sp) sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_crash;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) sigaction(sig, &sa, nullptr);
}

FirmwareScope::FirmwareScope() {
  g_depth = g_depth + 1;
}
FirmwareScope::~FirmwareScope() {
  g_depth = g_depth - 1;
}

bool in_firmware() {
  return g_depth > 0;
}

}  // namespace bh::sim::crash_guard
