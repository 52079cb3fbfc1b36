// buttonhook-hub: the command line. Exit codes: 0 after a clean stop,
// 1 when the database or the listening socket cannot be opened, 2 for bad
// arguments or a bad config or applets file.
#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <string>
#include <vector>

#include "commands.h"
#include "config.h"
#include "serve.h"

namespace {

using hub::kExitUsage;

struct ServeArgs {
  std::string config_file, listen, db, applets;
  std::vector<std::string> keys;
  std::size_t body_limit = 0;
  long read_timeout_ms = 0, drain_timeout_ms = 0;
};

int run_serve(const ServeArgs& args, const CLI::App& cmd) {
  hub::HubConfig config;
  try {
    if (!args.config_file.empty()) hub::load_config_file(args.config_file, config);
  } catch (const hub::ConfigError& e) {
    hub::print_error(e.what());
    return kExitUsage;
  }
  if (cmd.count("--listen")) config.listen = args.listen;
  if (cmd.count("--db")) config.db = args.db;
  if (cmd.count("--applets")) config.applets = args.applets;
  if (cmd.count("--body-limit")) config.body_limit = args.body_limit;
  if (cmd.count("--read-timeout-ms"))
    config.read_timeout = std::chrono::milliseconds(args.read_timeout_ms);
  if (cmd.count("--drain-timeout-ms"))
    config.drain_timeout = std::chrono::milliseconds(args.drain_timeout_ms);
  for (const std::string& k : args.keys) config.keys.push_back({"", k});
  return hub::serve(std::move(config));
}

void add_target_options(CLI::App* cmd, hub::CommandTarget& target) {
  cmd->add_option("--db", target.db, "SQLite database file of the hub");
  cmd->add_option("--config", target.config_file, "the hub's TOML config (gives db and keys)")
      ->check(CLI::ExistingFile);
}

int run(int argc, char** argv) {
  // A closed stdout (the reader of the log applet went away) must not kill
  // the hub: the write fails and is reported instead.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"buttonhook-hub: a self-hosted IFTTT Maker Webhooks receiver"};
  app.require_subcommand(1);

  ServeArgs args;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Receive webhooks, store them, run applets");
  serve_cmd->add_option("--listen", args.listen,
                        "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks one)");
  serve_cmd->add_option("--db", args.db, "SQLite database file (created if missing)");
  serve_cmd->add_option("--key", args.keys, "a webhook key to accept (repeatable)");
  serve_cmd->add_option("--config", args.config_file, "TOML config file (see hub/deploy/hub.example.toml)")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--applets", args.applets,
                        "applets file (see hub/deploy/applets.example.toml); default: print the "
                        "tutorial's email for every event")
      ->check(CLI::ExistingFile);
  serve_cmd
      ->add_option("--body-limit", args.body_limit, "largest request body in bytes (default 65536)")
      ->check(CLI::PositiveNumber);
  serve_cmd
      ->add_option("--read-timeout-ms", args.read_timeout_ms,
                   "time a client has to send a request (default 15000)")
      ->check(CLI::PositiveNumber);
  serve_cmd
      ->add_option("--drain-timeout-ms", args.drain_timeout_ms,
                   "how long SIGTERM waits for requests in flight (default 5000)")
      ->check(CLI::PositiveNumber);

  hub::CommandTarget target;
  std::string key_name;
  CLI::App* keys_cmd = app.add_subcommand("keys", "Make, list and revoke webhook keys");
  keys_cmd->require_subcommand(1);
  CLI::App* keys_add = keys_cmd->add_subcommand("add", "Make a key; prints it once on stdout");
  keys_add->add_option("name", key_name, "a name for the key (events carry it)")->required();
  add_target_options(keys_add, target);
  CLI::App* keys_list = keys_cmd->add_subcommand("list", "List keys (never their secrets)");
  add_target_options(keys_list, target);
  CLI::App* keys_revoke = keys_cmd->add_subcommand("revoke", "Stop accepting a key");
  keys_revoke->add_option("name", key_name, "the key's name (see keys list)")->required();
  add_target_options(keys_revoke, target);

  std::string applets_file;
  CLI::App* applets_cmd = app.add_subcommand("applets", "Work with applets files");
  applets_cmd->require_subcommand(1);
  CLI::App* applets_check = applets_cmd->add_subcommand("check", "Check an applets file");
  applets_check->add_option("file", applets_file, "the applets file")->required();

  int tail_count = 10;
  bool follow = false;
  CLI::App* events_cmd = app.add_subcommand("events", "Read the stored events");
  events_cmd->require_subcommand(1);
  CLI::App* events_tail = events_cmd->add_subcommand("tail", "Print the last events");
  events_tail->add_option("-n,--lines", tail_count, "how many (default 10)")
      ->check(CLI::PositiveNumber);
  events_tail->add_flag("-f,--follow", follow, "keep printing new events until Ctrl-C");
  add_target_options(events_tail, target);

  // CLI11 would only say "A subcommand is required"; name the culprit instead.
  static const std::vector<std::string> kCommands = {"serve", "keys", "applets", "events"};
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(kCommands.begin(), kCommands.end(), argv[1]) == kCommands.end()) {
    hub::print_error(std::string("unknown command '") + argv[1] +
                     "' (commands: serve, keys, applets, events; see --help)");
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help (code 0) or the error and a hint
    return code == 0 ? 0 : kExitUsage;
  }
  if (serve_cmd->parsed()) return run_serve(args, *serve_cmd);
  if (keys_add->parsed()) return hub::keys_add(target, key_name);
  if (keys_list->parsed()) return hub::keys_list(target);
  if (keys_revoke->parsed()) return hub::keys_revoke(target, key_name);
  if (applets_check->parsed()) return hub::applets_check(applets_file);
  if (events_tail->parsed()) {
    return hub::events_tail(target, tail_count, follow, std::chrono::milliseconds(500));
  }
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    hub::print_error(e.what());
    return hub::kExitRuntime;
  }
}
