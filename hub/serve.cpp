#include "serve.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "actions.h"
#include "applets_config.h"
#include "curl_transfer.h"
#include "handler.h"
#include "immediate_runs.h"
#include "metrics.h"
#include "mqtt_client.h"
#include "outbox.h"
#include "server.h"
#include "sqlite_store.h"
#include "template.h"

namespace hub {
namespace {

// Picks up keys added or revoked with the CLI while the hub runs.
class KeyRefresher {
 public:
  KeyRefresher(Store& store, KeyRing& keys, std::chrono::milliseconds every)
      : store_(store), keys_(keys), every_(every), thread_([this] { loop(); }) {}
  ~KeyRefresher() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!cv_.wait_for(lock, every_, [this] { return stop_; })) {
      try {
        keys_.set_stored(store_.stored_keys());
      } catch (const std::exception& e) {
        log_line(std::string("error: cannot read keys: ") + e.what());
      }
    }
  }

  Store& store_;
  KeyRing& keys_;
  std::chrono::milliseconds every_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Access-log lines, gathered and written to stderr in one write at most
// every kFlushEvery: one write(2) per request cost the I/O thread more than
// parsing the request. Other lines (errors) flush what is gathered first,
// so stderr keeps the order things happened in.
class AccessLog {
 public:
  static constexpr std::chrono::milliseconds kFlushEvery{20};
  static constexpr std::size_t kFlushAt = 64 * 1024;

  static AccessLog& instance() {
    static AccessLog log;
    return log;
  }

  ~AccessLog() { stop(); }

  void add(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ += line;
    pending_ += '\n';
    if (stop_ || pending_.size() >= kFlushAt) {
      write_locked();
    } else if (!flusher_.joinable()) {
      flusher_ = std::thread([this] { loop(); });
    }
  }

  // Writes what is gathered, then `line` (when not null), in that order.
  void flush_then(const std::string* line) {
    std::lock_guard<std::mutex> lock(mutex_);
    write_locked();
    if (line) std::fprintf(stderr, "%s\n", line->c_str());
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    if (flusher_.joinable()) flusher_.join();
    flush_then(nullptr);
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      cv_.wait_for(lock, kFlushEvery, [this] { return stop_; });
      write_locked();
    }
  }

  void write_locked() {
    if (pending_.empty()) return;
    std::fwrite(pending_.data(), 1, pending_.size(), stderr);
    pending_.clear();
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::string pending_;
  bool stop_ = false;
  std::thread flusher_;
};

// One event loop per CPU but one, at most 4: the writer thread, busy with
// every commit, keeps a CPU to itself. On 2 CPUs one loop instead of two
// took 8-12 % less CPU per trigger at the same or better req/s
// (docs/benchmarks.md).
std::size_t default_io_threads() {
  const unsigned cpus = std::thread::hardware_concurrency();  // 0: unknown
  return cpus > 1 ? std::min<std::size_t>(cpus - 1, 4) : 1;
}

void access_line(const std::string& line) {
  AccessLog::instance().add(line);
}

}  // namespace

void log_line(const std::string& line) {
  AccessLog::instance().flush_then(&line);
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "buttonhook-hub: %s\n", message.c_str());
}

int serve(HubConfig config) {
  ListenAddress listen;
  AppletsConfig applets;
  try {
    if (config.db.empty()) throw ConfigError("no database: give --db FILE or db in --config");
    check_keys(config.keys);
    listen = parse_listen(config.listen);
    applets = config.applets.empty() ? default_applets() : load_applets_file(config.applets);
  } catch (const ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  }

  try {
    init_transfers();
    SqliteOptions store_options{config.db};
    store_options.planner = [&applets](const EventRecord& e) { return plan_runs(applets, e); };
    SqliteStore store(store_options);
    KeyRing keys(config.keys);
    keys.set_stored(store.stored_keys());
    if (keys.empty()) {
      print_error("no keys: give --key KEY, keys in --config, or make one with "
                  "`buttonhook-hub keys add NAME --db " + config.db + "`");
      return kExitUsage;
    }
    KeyRefresher refresher(store, keys, config.keys_refresh);

    std::atomic<bool> abort{false};
    std::unique_ptr<MqttClient> mqtt;
    if (applets.mqtt) mqtt = std::make_unique<MqttClient>(*applets.mqtt, log_line);
    ActionServices services;
    services.log_out = stdout;
    services.abort = &abort;
    services.mqtt = mqtt.get();
    services.known_buttons = [&store] {
      std::vector<std::string> ids;
      for (const ButtonRecord& b : store.buttons("")) ids.push_back(b.button_id);
      return ids;
    };
    ActionTable actions = build_actions(applets, services);
    // Home Assistant's action hooks itself to the broker connection's
    // callbacks: on any way out, the connection stops before the actions go.
    struct StopBrokerFirst {
      MqttClient* client;
      ~StopBrokerFirst() {
        if (client) client->stop();
      }
    } stop_broker_first{mqtt.get()};

    Metrics metrics;
    OutboxOptions outbox_options;
    outbox_options.workers = config.outbox_workers;
    outbox_options.retry.initial = config.retry_initial;
    outbox_options.retry.max = config.retry_max;
    outbox_options.retry.max_attempts = config.max_attempts;
    outbox_options.log = log_line;
    outbox_options.metrics = &metrics;
    outbox_options.abort = &abort;
    Outbox outbox(store, actions, outbox_options);
    store.set_on_runs_queued([&outbox] { outbox.notify(); });
    // The log action runs inside the event's transaction (see PlannedRun).
    store.set_immediate_runner(immediate_runner(actions, metrics, log_line));
    if (mqtt) mqtt->start();
    outbox.start();  // runs left pending by the last run start now

    Sessions sessions;
    HandlerOptions handler_options;
    handler_options.keys = &keys;
    handler_options.body_limit = config.body_limit;
    handler_options.log_error = [](const std::string& m) { log_line("error: " + m); };
    handler_options.metrics = &metrics;
    handler_options.sessions = &sessions;
    handler_options.secure_cookies = config.secure_cookies;

    ServerOptions server_options;
    server_options.host = listen.host;
    server_options.port = listen.port;
    server_options.body_limit = config.body_limit;
    server_options.read_timeout = config.read_timeout;
    server_options.drain_timeout = config.drain_timeout;
    server_options.handle_signals = true;
    server_options.access_log = access_line;
    server_options.error_log = log_line;
    // Triggers never block (group commit answers them from the store's
    // thread), so they skip the worker pool; reads go there.
    server_options.runs_inline = is_trigger;
    server_options.io_threads = config.io_threads ? config.io_threads : default_io_threads();
    Server server(server_options, [&](const Request& request, Respond respond) {
      handle_async(request, store, handler_options, std::move(respond));
    });

    log_line("buttonhook-hub: " + (config.applets.empty() ? std::string("built-in log applet")
                                                          : config.applets + ": " + summary(applets)) +
             "; dashboard at " + server.url() + "/");
    // Scripts wait for this line and read the port from it.
    std::printf("listening on %s\n", server.url().c_str());
    std::fflush(stdout);
    server.run();
    // Connections are drained; runs due now get their chance, then the
    // broker connection and the database close.
    outbox.stop(config.drain_timeout);
    if (mqtt) mqtt->stop();
    store.close();
    AccessLog::instance().stop();
    log_line("buttonhook-hub: stopped");
    return kExitOk;
  } catch (const ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
}

}  // namespace hub
