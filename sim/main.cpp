// buttonhook-sim: the virtual board on the command line. See README.md for
// the contract (options, events, output format, exit status).
#include <signal.h>  // sigaction
#include <stdio.h>   // printf
#include <stdlib.h>  // getenv, mkdtemp
#include <time.h>    // nanosleep
#include <unistd.h>  // isatty

#include <CLI/CLI.hpp>
#include <chrono>      // real time for `wait`
#include <filesystem>  // files dir
#include <fstream>     // timeline file
#include <iostream>    // stdin
#include <optional>    // config
#include <sstream>     // words of a line
#include <string>      // text
#include <vector>      // lists

#include "board.h"
#include "config.h"
#include "crash_guard.h"
#include "errors.h"
#include "models.h"
#include "printer.h"
#include "script.h"
#include "sizes.h"
#include "world.h"

namespace fs = std::filesystem;

namespace {

constexpr int kExitUsage = 2;

volatile sig_atomic_t g_stop_signal = 0;

void on_stop(int sig) {
  g_stop_signal = sig;
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read of stdin ends at once
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

// Reads and checks config.py; SimError with the file's name and the line.
bh::Config load_config_file(const fs::path& path, const std::string& text) {
  if (text.size() > bh::sizes::kConfigFileMax) {
    throw bh::sim::SimError(path.string() + ": larger than the board reads (" +
                            std::to_string(bh::sizes::kConfigFileMax) + " bytes); shorten it");
  }
  bh::Config cfg;
  bh::ConfigError err;
  if (!bh::parse_config(bh::StrRef(text.data(), text.size()), &cfg, &err)) {
    std::string msg = err.message.c_str();
    // The core says "config.py:3:15: ..."; name the real file instead.
    if (msg.rfind("config.py", 0) == 0) msg = path.string() + msg.substr(9);
    if (err.line != 0 && msg.find(":" + std::to_string(err.line)) == std::string::npos) {
      msg += " (line " + std::to_string(err.line) + ")";
    }
    throw bh::sim::SimError("bad config: " + msg + "; fix config.py and run again");
  }
  return cfg;
}

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

void run_event(const bh::sim::Event& e, bh::sim::Board& board) {
  using K = bh::sim::Event::Kind;
  switch (e.kind) {
    case K::PowerOn: board.power_on(); break;
    case K::PowerOnHeld: board.power_on(/*button_held=*/true); break;
    case K::Press: board.press(); break;
    case K::JumperOn: board.jumper(true); break;
    case K::JumperOff: board.jumper(false); break;
    case K::PowerOff: board.power_off(); break;
    case K::Advance: board.advance_us(e.us); break;
    case K::Fault: {
      bh::host::Fault f = e.fault;
      const uint64_t now_ms = board.env().clock.now_ms();
      f.window = bh::host::TimeWindow{now_ms, e.us ? now_ms + (e.us + 999) / 1000 : UINT64_MAX};
      board.add_fault(f);
      break;
    }
    case K::FaultClear: board.clear_faults(); break;
    case K::Wait: {
      // Virtual time follows real time until a signal comes.
      const auto real_start = std::chrono::steady_clock::now();
      uint64_t virtual_start = board.env().clock.now_us();
      while (!g_stop_signal) {
        timespec ts{0, 10L * 1000 * 1000};
        nanosleep(&ts, nullptr);
        const auto real_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::steady_clock::now() - real_start)
                                 .count();
        uint64_t target = virtual_start + uint64_t(real_us);
        const uint64_t now = board.env().clock.now_us();
        if (now > target) {
          // Modelled time ran ahead (a Wi-Fi connect takes seconds of virtual
          // time in no real time): go on from here at the pace of real time,
          // so an awake board keeps serving its clients.
          virtual_start += now - target;
          target = now;
        }
        if (target > now) board.advance_us(target - now);
      }
      break;
    }
  }
}

void interactive(bh::sim::Board& board) {
  const bool tty = isatty(0);
  if (tty) {
    fprintf(stderr, "buttonhook-sim: type events, one per line ('help' lists them, 'quit' ends)\n");
  }
  std::string line;
  while (!g_stop_signal) {
    if (tty) {
      fputs("> ", stderr);
      fflush(stderr);
    }
    if (!std::getline(std::cin, line)) break;
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.empty() || words[0][0] == '#') continue;
    if (words[0] == "help" || words[0] == "?") {
      fputs(bh::sim::events_help(), stdout);
      fputs("  help               this text\n  quit               end the run\n", stdout);
      fflush(stdout);
      continue;
    }
    if (words[0] == "quit" || words[0] == "exit") break;
    std::vector<bh::sim::Event> events;
    std::string err;
    if (!bh::sim::parse_events(words, &events, &err)) {
      fprintf(stderr, "buttonhook-sim: %s\n", err.c_str());
      continue;
    }
    for (const auto& e : events) {
      if (g_stop_signal) break;
      run_event(e, board);
    }
  }
}

int run(int argc, char** argv) {
  CLI::App cli{
      "buttonhook-sim: the Buttonhook firmware on a virtual ESP8266 board in a simulated world.\n"
      "Runs the events given (or reads them from stdin) and prints serial output and board events.",
      "buttonhook-sim"};
  std::string config_path, world_path, files_dir, timeline_path, timing_path, power_path;
  std::vector<std::string> dns, words;
  uint64_t seed = 1;
  bool gpio16_rst = false, no_color = false, print_timeline = false;
  int console_port = -1, portal_port = -1;
  cli.add_option("--config", config_path,
                 "config.py for the board (copied into --files as /config.py)");
  cli.add_option("--world", world_path,
                 "world file (TOML): access points, DNS, faults; default: one AP for the config");
  cli.add_option("--files", files_dir,
                 "directory that is the board's filesystem (default: a temporary one)");
  cli.add_option("--timeline", timeline_path,
                 "save the run's timeline (states, current, LEDs, events) as JSON");
  cli.add_flag("--print-timeline", print_timeline, "print the timeline table at the end");
  cli.add_option("--seed", seed,
                 "seed for the timing model's draws (default 1: runs repeat exactly)");
  cli.add_flag("--gpio16-rst", gpio16_rst, "GPIO16 is wired to RST: deepsleep(ms) wakes by timer");
  cli.add_option("--dns", dns, "NAME=IP[:PORT] added to the world's DNS (repeatable)")
      ->allow_extra_args(false);
  cli.add_flag("--no-color", no_color, "no ANSI colours even on a terminal");
  cli.add_option("--console-port", console_port,
                 "serve the board's console (WebREPL, port 8266) on 127.0.0.1:PORT")
      ->check(CLI::Range(1, 65535));
  cli.add_option("--portal-port", portal_port,
                 "serve the board's setup portal (port 80 on its access point) on 127.0.0.1:PORT")
      ->check(CLI::Range(1, 65535));
  cli.add_option("--timing", timing_path,
                 "timing model (default: the built-in sim/data/timing.toml)");
  cli.add_option("--power", power_path, "power model (default: the built-in sim/data/power.toml)");
  cli.add_option("events", words,
                 "power-on press jumper-on jumper-off power-off 'advance <s>' wait");
  cli.footer(bh::sim::events_help());
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  std::vector<bh::sim::Event> script;
  std::string err;
  if (!bh::sim::parse_events(words, &script, &err)) throw bh::sim::SimError(err + "; see --help");
  for (size_t i = 0; i + 1 < script.size(); ++i) {
    if (script[i].kind == bh::sim::Event::Kind::Wait) {
      throw bh::sim::SimError("'wait' must be the last event (it runs until SIGTERM/SIGINT)");
    }
  }

  // The board's filesystem.
  TempDir temp;
  fs::path files;
  if (!files_dir.empty()) {
    files = files_dir;
    std::error_code ec;
    fs::create_directories(files, ec);
    if (!fs::is_directory(files))
      throw bh::sim::SimError("--files " + files_dir + ": not a directory I can create");
  } else {
    std::string tmpl = (fs::temp_directory_path() / "buttonhook-sim.XXXXXX").string();
    if (!mkdtemp(tmpl.data()))
      throw bh::sim::SimError("cannot create a temporary directory for the board's files");
    files = temp.path = tmpl;
  }

  // config.py: --config's file is copied in; otherwise the one in --files.
  std::optional<bh::Config> config;
  const fs::path board_config = files / "config.py";
  if (!config_path.empty()) {
    const std::string text = bh::sim::read_text_file(config_path);
    config = load_config_file(config_path, text);
    std::error_code ec;
    if (!fs::exists(board_config) || !fs::equivalent(config_path, board_config, ec)) {
      std::ofstream(board_config, std::ios::binary | std::ios::trunc) << text;
    }
  } else if (fs::exists(board_config)) {
    config = load_config_file(board_config, bh::sim::read_text_file(board_config.string()));
  } else if (world_path.empty()) {
    throw bh::sim::SimError("no config.py: give --config FILE, or --files DIR holding a config.py");
  }

  bh::host::World world =
      world_path.empty() ? bh::sim::default_world(config ? &*config : nullptr)
                         : bh::sim::load_world(bh::sim::read_text_file(world_path), world_path);
  for (const auto& d : dns) bh::sim::add_dns(world, d);
  if (gpio16_rst) world.gpio16_rst = true;

  const bh::host::RadioTiming timing =
      timing_path.empty() ? bh::sim::default_timing()
                          : bh::sim::load_timing(bh::sim::read_text_file(timing_path), timing_path);
  const bh::sim::PowerModel power =
      power_path.empty() ? bh::sim::default_power()
                         : bh::sim::load_power(bh::sim::read_text_file(power_path), power_path);

  // Fail before the run, not after it, if the timeline cannot be written.
  if (!timeline_path.empty() && !std::ofstream(timeline_path)) {
    throw bh::sim::SimError("--timeline " + timeline_path + ": cannot write there");
  }

  const bool color = isatty(1) && !no_color && getenv("NO_COLOR") == nullptr;
  bh::host::Env env(seed);
  env.world = world;
  env.timing = timing;
  bh::sim::Printer printer(stdout, color);
  bh::sim::Board board(env, files, power, printer);
  if (config) {
    board.set_jumper_pin(config->debug_pin);
    board.set_led_pins({2, 16, config->led_pin, config->led2_pin});
  }
  bh::sim::crash_guard::install(env.clock.now_us_address(), color);
  install_stop_handlers();

  // The board's servers reach this PC only where a port is given: a test
  // never collides with a real service on 80 or 8266.
  env.listen_mapped_only = true;
  const std::pair<int, const char*> servers[] = {{console_port, "8266 (console)"},
                                                 {portal_port, "80 (setup portal)"}};
  for (const auto& [port, what] : servers) {
    if (port < 0) continue;
    env.listen_ports[static_cast<uint16_t>(atoi(what))] = static_cast<uint16_t>(port);
    printer.note(env.clock.now_us(),
                 "* board port " + std::string(what) + " is 127.0.0.1:" + std::to_string(port));
  }

  if (words.empty()) {
    interactive(board);
  } else {
    for (const auto& e : script) {
      if (g_stop_signal) break;
      run_event(e, board);
    }
  }
  board.finish();
  if (g_stop_signal)
    printer.note(env.clock.now_us(), std::string("* stopped (") + signal_name(g_stop_signal) + ")");

  if (!timeline_path.empty()) {
    std::ofstream out(timeline_path, std::ios::trunc);
    out << board.timeline().to_json().dump(1) << "\n";
    if (!out) throw bh::sim::SimError("--timeline " + timeline_path + ": write failed");
  }
  if (print_timeline) {
    std::ostringstream table;
    board.timeline().print(table);
    fputs(table.str().c_str(), stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const bh::sim::SimError& e) {
    fflush(stdout);
    fprintf(stderr, "buttonhook-sim: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    // Not the user's mistake: a bug or the machine (disk full, ...).
    fflush(stdout);
    fprintf(stderr, "buttonhook-sim: internal error: %s\n", e.what());
    return bh::sim::crash_guard::kExitCode;
  }
}
