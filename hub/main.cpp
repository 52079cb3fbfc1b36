// buttonhook-hub: the command line. Exit codes: 0 after a clean stop,
// 1 when the database or the listening socket cannot be opened, 2 for bad
// arguments or a bad config file.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "applet_runner.h"
#include "config.h"
#include "handler.h"
#include "log_applet.h"
#include "server.h"
#include "sqlite_store.h"

namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

void print_error(const std::string& message) {
  std::fprintf(stderr, "buttonhook-hub: %s\n", message.c_str());
}

// Whole lines with one call each, so threads never interleave inside a line.
void log_line(const std::string& line) {
  std::fprintf(stderr, "%s\n", line.c_str());
}

struct ServeArgs {
  std::string config_file, listen, db;
  std::vector<std::string> keys;
  std::size_t body_limit = 0;
  long read_timeout_ms = 0, drain_timeout_ms = 0;
};

int serve(const ServeArgs& args, const CLI::App& cmd) {
  hub::HubConfig config;
  hub::ListenAddress listen;
  try {
    if (!args.config_file.empty()) hub::load_config_file(args.config_file, config);
    if (cmd.count("--listen")) config.listen = args.listen;
    if (cmd.count("--db")) config.db = args.db;
    if (cmd.count("--body-limit")) config.body_limit = args.body_limit;
    if (cmd.count("--read-timeout-ms"))
      config.read_timeout = std::chrono::milliseconds(args.read_timeout_ms);
    if (cmd.count("--drain-timeout-ms"))
      config.drain_timeout = std::chrono::milliseconds(args.drain_timeout_ms);
    for (const std::string& k : args.keys) config.keys.push_back({"", k});
    if (config.keys.empty()) throw hub::ConfigError("no keys: give --key KEY or keys in --config");
    if (config.db.empty()) throw hub::ConfigError("no database: give --db FILE or db in --config");
    hub::check_keys(config.keys);
    listen = hub::parse_listen(config.listen);
  } catch (const hub::ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  }

  try {
    hub::SqliteStore store({config.db});
    hub::KeyRing keys(config.keys);
    std::vector<hub::Applet> applets;
    applets.push_back(hub::make_log_applet(stdout));
    hub::AppletRunner runner(std::move(applets), log_line);

    hub::HandlerOptions handler_options;
    handler_options.keys = &keys;
    handler_options.body_limit = config.body_limit;
    handler_options.on_stored = [&runner](const hub::EventRecord& e) { runner.dispatch(e); };
    handler_options.log_error = [](const std::string& m) { log_line("error: " + m); };

    hub::ServerOptions server_options;
    server_options.host = listen.host;
    server_options.port = listen.port;
    server_options.body_limit = config.body_limit;
    server_options.read_timeout = config.read_timeout;
    server_options.drain_timeout = config.drain_timeout;
    server_options.handle_signals = true;
    server_options.access_log = log_line;
    server_options.error_log = log_line;
    // Triggers never block (group commit answers them from the store's
    // thread), so they skip the worker pool; /api/events reads go there.
    server_options.runs_inline = hub::is_trigger;
    hub::Server server(server_options, [&](const hub::Request& request, hub::Respond respond) {
      hub::handle_async(request, store, handler_options, std::move(respond));
    });

    // Scripts wait for this line and read the port from it.
    std::printf("listening on %s\n", server.url().c_str());
    std::fflush(stdout);
    server.run();
    // Connections are drained; now the queued applets, then the database.
    runner.stop();
    store.close();
    log_line("buttonhook-hub: stopped");
    return 0;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
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
  serve_cmd->add_option("--config", args.config_file, "TOML config file (see hub/hub.example.toml)")
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

  // CLI11 would only say "A subcommand is required"; name the culprit instead.
  if (argc > 1 && argv[1][0] != '-' && std::string(argv[1]) != "serve") {
    print_error(std::string("unknown command '") + argv[1] + "' (commands: serve; see --help)");
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help (code 0) or the error and a hint
    return code == 0 ? 0 : kExitUsage;
  }
  return serve(args, *serve_cmd);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
}
