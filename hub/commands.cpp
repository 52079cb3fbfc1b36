#include "commands.h"

#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <thread>

#include "applets_config.h"
#include "serve.h"
#include "sqlite_store.h"

namespace hub {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

struct Opened {
  HubConfig config;
  std::unique_ptr<SqliteStore> store;
};

// The config (if given) and the store; prints the error and returns the
// exit code on failure.
int open_target(const CommandTarget& target, Opened& out) {
  try {
    if (!target.config_file.empty()) load_config_file(target.config_file, out.config);
    if (!target.db.empty()) out.config.db = target.db;
    if (out.config.db.empty()) throw ConfigError("no database: give --db FILE or --config FILE");
  } catch (const ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  }
  try {
    out.store = std::make_unique<SqliteStore>(SqliteOptions{out.config.db});
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
  return kExitOk;
}

bool valid_key_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// value="text" with quotes and backslashes escaped: one event, one line.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string event_line(const EventRecord& e) {
  std::string line = "#" + std::to_string(e.id) + " " + format_iso8601(e.occurred_at) + " " +
                     e.key_id + " " + e.event;
  if (e.json_payload) {
    line += " json=" + quoted(*e.json_payload);
  } else {
    line += " value1=" + quoted(e.value1) + " value2=" + quoted(e.value2) +
            " value3=" + quoted(e.value3);
  }
  if (e.battery_mv) line += " battery_mv=" + std::to_string(*e.battery_mv);
  return line + "\n";
}

}  // namespace

int keys_add(const CommandTarget& target, const std::string& name) {
  if (!valid_key_name(name)) {
    print_error("key names are 1 to 64 characters of A-Z a-z 0-9 _ . - (got '" + name + "')");
    return kExitUsage;
  }
  Opened o;
  if (int rc = open_target(target, o)) return rc;
  for (const HubKey& k : o.config.keys) {
    if (k.id == name) {
      print_error("the config already has a key named " + name + "; pick another name");
      return kExitUsage;
    }
  }
  const std::string secret = generate_key();
  try {
    o.store->add_key({name, sha256_hex(secret), now_ms(), std::nullopt});
  } catch (const std::exception& e) {
    print_error(std::string(e.what()) + " (see `buttonhook-hub keys list`)");
    return kExitRuntime;
  }
  // The key goes to stdout alone, for scripts; it is shown this once only.
  std::printf("%s\n", secret.c_str());
  std::fprintf(stderr,
               "buttonhook-hub: key '%s' added; it is shown only now, store it. A running hub "
               "accepts it within %lld ms.\n",
               name.c_str(), static_cast<long long>(o.config.keys_refresh.count()));
  return kExitOk;
}

int keys_list(const CommandTarget& target) {
  Opened o;
  if (int rc = open_target(target, o)) return rc;
  try {
    std::map<std::string, std::string> last_event;
    for (const ButtonRecord& b : o.store->buttons("")) {
      std::string at = format_iso8601(b.last_seen);
      if (last_event[b.key_id] < at) last_event[b.key_id] = at;
    }
    std::printf("%-24s %-8s %-9s %-24s %s\n", "NAME", "SOURCE", "STATUS", "CREATED",
                "LAST BUTTON SEEN");
    for (const HubKey& k : o.config.keys) {
      const std::string id = k.id.empty() ? key_fingerprint(k.secret) : k.id;
      std::printf("%-24s %-8s %-9s %-24s %s\n", id.c_str(), "config", "active", "-",
                  last_event.count(id) ? last_event[id].c_str() : "-");
    }
    for (const StoredKey& k : o.store->stored_keys()) {
      std::printf("%-24s %-8s %-9s %-24s %s\n", k.name.c_str(), "db",
                  k.revoked_at ? "revoked" : "active", format_iso8601(k.created_at).c_str(),
                  last_event.count(k.name) ? last_event[k.name].c_str() : "-");
    }
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
  return kExitOk;
}

int keys_revoke(const CommandTarget& target, const std::string& name) {
  Opened o;
  if (int rc = open_target(target, o)) return rc;
  try {
    if (!o.store->revoke_key(name, now_ms())) {
      for (const HubKey& k : o.config.keys) {
        if (k.id == name) {
          print_error("key " + name + " comes from the config file: remove it there");
          return kExitUsage;
        }
      }
      print_error("no key named " + name + " in " + o.config.db + " (see `keys list`)");
      return kExitRuntime;
    }
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
  std::fprintf(stderr, "buttonhook-hub: key '%s' revoked; a running hub refuses it within %lld ms\n",
               name.c_str(), static_cast<long long>(o.config.keys_refresh.count()));
  return kExitOk;
}

int applets_check(const std::string& file) {
  try {
    AppletsConfig config = load_applets_file(file);
    std::printf("%s: ok: %s\n", file.c_str(), summary(config).c_str());
    for (const AppletSpec& a : config.applets) {
      std::string kinds;
      for (const ActionSpec& s : a.actions) kinds += (kinds.empty() ? "" : ", ") + std::string(kind_of(s));
      std::printf("  %s:%d %s: if event %s then %s\n", file.c_str(), a.line, a.name.c_str(),
                  a.filter.event.c_str(), kinds.c_str());
    }
    return kExitOk;
  } catch (const ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  }
}

int events_tail(const CommandTarget& target, int count, bool follow,
                std::chrono::milliseconds poll) {
  Opened o;
  if (int rc = open_target(target, o)) return rc;
  std::signal(SIGINT, [](int) { g_interrupted = 1; });
  std::signal(SIGTERM, [](int) { g_interrupted = 1; });
  try {
    EventQuery last;
    last.limit = count;
    std::vector<EventRecord> events = o.store->list(last);  // newest first
    std::int64_t seen = events.empty() ? 0 : events.front().id;
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      std::fputs(event_line(*it).c_str(), stdout);
    }
    std::fflush(stdout);
    while (follow && !g_interrupted) {
      std::this_thread::sleep_for(poll);
      EventQuery next;
      next.after = seen;
      next.limit = 1000;
      for (const EventRecord& e : o.store->list(next)) {
        std::fputs(event_line(e).c_str(), stdout);
        seen = e.id;
      }
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace hub
