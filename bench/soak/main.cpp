// buttonhook-soak: a fleet of virtual boards under random faults against a
// real hub; prints the figures and exits 1 if a press was lost or an event
// duplicated. `./bh soak` runs it; see sim/README.md ("Soak").
#include <stdio.h>   // fprintf
#include <stdlib.h>  // mkdtemp
#include <unistd.h>  // isatty, readlink

#include <CLI/CLI.hpp>
#include <filesystem>  // paths
#include <fstream>     // --log
#include <iostream>    // figures
#include <string>      // text

#include "soak.h"

namespace fs = std::filesystem;

namespace {

fs::path own_directory() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return fs::current_path();
  return fs::path(std::string(buf, size_t(n))).parent_path();
}

std::string clock_text(uint64_t us) {
  const uint64_t s = us / 1'000'000;
  char buf[32];
  snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu", (unsigned long long)(s / 3600),
           (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
  return buf;
}

int run(int argc, char** argv) {
  CLI::App cli{
      "buttonhook-soak: at least 100 virtual boards press at random under random faults against a "
      "real hub;\nprints what became of every press; exits 1 if a press was lost or an event "
      "duplicated.",
      "buttonhook-soak"};
  bh::soak::Options o;
  std::string dir, log_path, hub;
  bool keep = false, no_faults = false, no_power = false, quiet = false, no_sense = false;
  cli.add_option("--boards", o.boards, "boards in the fleet (default 100)")
      ->check(CLI::Range(1, 10000));
  cli.add_option("--presses", o.presses_per_board, "presses per board (default 10)")
      ->check(CLI::Range(1, 100000));
  cli.add_option("--seed", o.seed, "one seed decides presses, faults and timing (default 1)");
  cli.add_option("--span", o.span_s, "seconds of virtual time the presses fall in (default 14400)")
      ->check(CLI::Range(10.0, 1e8));
  cli.add_option("--drain", o.drain_s,
                 "seconds of virtual time without faults afterwards, for retries (default 21600)")
      ->check(CLI::Range(0.0, 1e8));
  cli.add_flag("--no-faults", no_faults, "presses only, no faults");
  cli.add_flag("--no-power-cycles", no_power, "no power cycles among the faults");
  cli.add_flag("--no-sense-pin", no_sense,
               "the button's second contact not wired (no PRESS_SENSE_PIN)");
  cli.add_option("--hub", hub, "the buttonhook-hub binary (default: next to this one)");
  cli.add_option("--dir", dir, "work directory (default: a temporary one, removed after a pass)");
  cli.add_flag("--keep", keep, "keep the work directory (hub.db, hub logs, boards' files)");
  cli.add_option("--log", log_path, "write every board's lines to this file");
  cli.add_option("--config-extra", o.config_extra, "lines appended to every board's config.py");
  cli.add_flag("--quiet", quiet, "no progress on stderr");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  o.faults = !no_faults;
  o.power_cycles = !no_power;
  o.sense_pin = !no_sense;
  if (!o.config_extra.empty() && o.config_extra.back() != '\n') o.config_extra += "\n";
  o.hub_binary = hub.empty() ? own_directory() / "buttonhook-hub" : fs::path(hub);
  bool temporary = false;
  if (dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "buttonhook-soak.XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      fprintf(stderr, "buttonhook-soak: cannot create a temporary directory\n");
      return 2;
    }
    dir = tmpl;
    temporary = !keep;
  }
  o.dir = dir;
  std::ofstream log;
  if (!log_path.empty()) {
    log.open(log_path, std::ios::trunc);
    if (!log) {
      fprintf(stderr, "buttonhook-soak: --log %s: cannot write there\n", log_path.c_str());
      return 2;
    }
    o.log = &log;
  }
  const bool tty = isatty(2);
  size_t next_line = 0;
  if (!quiet) {
    o.progress = [&](size_t done, size_t all, uint64_t t_us) {
      if (tty) {
        if (done % 10 == 0 || done == all) {
          fprintf(stderr, "\rsoak: %zu/%zu presses, virtual time %s ", done, all,
                  clock_text(t_us).c_str());
          if (done == all) fputs("\n", stderr);
        }
      } else if (done >= next_line) {
        fprintf(stderr, "soak: %zu/%zu presses, virtual time %s\n", done, all,
                clock_text(t_us).c_str());
        next_line = done + std::max<size_t>(1, all / 10);
      }
    };
  }
  if (!quiet) {
    fprintf(stderr, "soak: %zu boards x %zu presses, seed %llu, in %s\n", o.boards,
            o.presses_per_board, (unsigned long long)o.seed, dir.c_str());
  }
  const bh::soak::Result r = bh::soak::run(o);
  bh::soak::print(std::cout, o, r);
  std::cout.flush();
  const int status = bh::soak::exit_status(r);
  if (temporary && status == 0) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  } else if (!quiet) {
    fprintf(stderr, "soak: the work directory stays: %s\n", dir.c_str());
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    fprintf(stderr, "buttonhook-soak: %s\n", e.what());
    return 2;
  }
}
