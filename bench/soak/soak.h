// The soak: a fleet of virtual boards pressing at random under random
// faults against a real hub process, and the books closed against the hub's
// table (ledger.h). One seed decides the presses, the faults, and every
// board's timing (fleet.h); `./bh soak` runs it (main.cpp), and a short
// version runs in the test suite.
//
// Faults, all in virtual time (sim/README.md "Faults"):
//   on the HTTP path, for every board: hub-5xx (500/502/503), hub-slow,
//   reset-mid-request, reset-after-forward windows;
//   the hub process: SIGKILL, then restarted on its port and database after
//   a while (the kill lands between requests: boards run one at a time);
//   each board's own network: ap-down, wrong-password, dns-failure windows;
//   power cycles (off and on again, RTC memory lost) on a few boards —
//   their queued presses are counted as lost to power-off, by design.
// After the presses comes a quiet period without faults in which the
// boards' timed retries finish.
#pragma once

#include <stddef.h>  // size_t
#include <stdint.h>  // uint64_t

#include <filesystem>  // paths
#include <functional>  // callbacks
#include <map>         // fault counts
#include <ostream>     // log
#include <string>      // names

#include "board.h"
#include "ledger.h"

namespace bh::soak {

struct Options {
  size_t boards = 100;
  size_t presses_per_board = 10;
  uint64_t seed = 1;
  double span_s = 4 * 3600;   // presses fall in [0, span_s) of virtual time
  double drain_s = 6 * 3600;  // then this long without faults
  bool faults = true;         // false: presses only
  bool power_cycles = true;   // include power cycles among the faults
  // The button's second contact wired (PRESS_SENSE_PIN): without it a press
  // shortly before a retry timer is taken for the timer (firmware/core).
  bool sense_pin = true;
  std::filesystem::path hub_binary;  // buttonhook-hub
  std::filesystem::path dir;         // work directory: hub files, boards' files
  std::string config_extra;          // appended to every board's config.py
  // Firmware on the boards (default: bh::App) and how to read its queue
  // (default: the core's PressLog, core_probe.h).
  sim::FirmwareFactory firmware;
  QueueProbe probe;
  // Every board line, prefixed with the board's BUTTON_ID (nullptr: none).
  std::ostream* log = nullptr;
  // Called as presses happen: (presses made, presses in all, virtual us).
  std::function<void(size_t, size_t, uint64_t)> progress;
};

struct Result {
  Figures figures;
  std::map<std::string, size_t> faults;  // fault windows / events by name
  int hub_kills = 0;
  uint64_t virtual_end_us = 0;
  double real_s = 0;
};

// Runs the soak. Throws std::runtime_error when it cannot (no hub binary,
// the hub does not start, the database cannot be read).
Result run(const Options& options);

// The figures, one a line ("presses made: 1000", ...); the contract of
// `./bh soak`'s output (sim/README.md "Soak").
void print(std::ostream& out, const Options& options, const Result& result);

// Exit status for a result: 0 when nothing was lost or duplicated, else 1.
int exit_status(const Result& result);

}  // namespace bh::soak
