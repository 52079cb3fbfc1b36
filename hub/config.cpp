#include "config.h"

#include <toml++/toml.h>

#include <charconv>
#include <filesystem>
#include <set>

namespace hub {
namespace {

std::string where(const std::string& path, const toml::node& node) {
  return path + ":" + std::to_string(node.source().begin.line);
}

std::int64_t positive_integer(const std::string& path, const toml::node& node,
                              std::string_view name) {
  auto value = node.value<std::int64_t>();
  if (!value || *value <= 0) {
    throw ConfigError(where(path, node) + ": " + std::string(name) + " must be a positive integer");
  }
  return *value;
}

std::string string_value(const std::string& path, const toml::node& node, std::string_view name) {
  auto value = node.value<std::string>();
  if (!value) throw ConfigError(where(path, node) + ": " + std::string(name) + " must be a string");
  return *value;
}

HubKey key_entry(const std::string& path, const toml::node& node) {
  if (node.is_string()) return HubKey{"", string_value(path, node, "a key")};
  const toml::table* table = node.as_table();
  if (!table) {
    throw ConfigError(where(path, node) + ": keys holds strings or tables {name = ..., key = ...}");
  }
  HubKey key;
  for (const auto& [name, value] : *table) {
    if (name == "name")
      key.id = string_value(path, value, "name");
    else if (name == "key")
      key.secret = string_value(path, value, "key");
    else
      throw ConfigError(where(path, value) + ": unknown setting keys." + std::string(name.str()));
  }
  if (key.secret.empty()) throw ConfigError(where(path, node) + ": a keys entry has no key");
  return key;
}

bool boolean_value(const std::string& path, const toml::node& node, std::string_view name) {
  auto value = node.value<bool>();
  if (!value) throw ConfigError(where(path, node) + ": " + std::string(name) + " must be true or false");
  return *value;
}

std::string relative_to(const std::string& config_path, const std::string& file) {
  std::filesystem::path p = file;
  if (p.is_relative()) p = std::filesystem::path(config_path).parent_path() / p;
  return p.lexically_normal().string();
}

void load_outbox(const std::string& path, const toml::node& node, HubConfig& config) {
  const toml::table* table = node.as_table();
  if (!table) throw ConfigError(where(path, node) + ": outbox must be a table: [outbox]");
  for (const auto& [name, value] : *table) {
    const std::string_view n = name.str();
    if (n == "workers") {
      config.outbox_workers = static_cast<std::size_t>(positive_integer(path, value, n));
    } else if (n == "retry_initial_ms") {
      config.retry_initial = std::chrono::milliseconds(positive_integer(path, value, n));
    } else if (n == "retry_max_ms") {
      config.retry_max = std::chrono::milliseconds(positive_integer(path, value, n));
    } else if (n == "max_attempts") {
      config.max_attempts = static_cast<int>(positive_integer(path, value, n));
    } else {
      throw ConfigError(where(path, value) + ": unknown setting outbox." + std::string(n) +
                        " (known: workers, retry_initial_ms, retry_max_ms, max_attempts)");
    }
  }
}

}  // namespace

void load_config_file(const std::string& path, HubConfig& config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    if (src.begin.line == 0)
      throw ConfigError("cannot read config " + path + ": " + std::string(e.description()));
    throw ConfigError(path + ":" + std::to_string(src.begin.line) + ":" +
                      std::to_string(src.begin.column) + ": " + std::string(e.description()));
  }
  for (const auto& [name, node] : root) {
    const std::string_view n = name.str();
    if (n == "listen") {
      config.listen = string_value(path, node, n);
    } else if (n == "db") {
      config.db = relative_to(path, string_value(path, node, n));
    } else if (n == "applets") {
      config.applets = relative_to(path, string_value(path, node, n));
    } else if (n == "outbox") {
      load_outbox(path, node, config);
    } else if (n == "keys_refresh_ms") {
      config.keys_refresh = std::chrono::milliseconds(positive_integer(path, node, n));
    } else if (n == "secure_cookies") {
      config.secure_cookies = boolean_value(path, node, n);
    } else if (n == "body_limit") {
      config.body_limit = static_cast<std::size_t>(positive_integer(path, node, n));
    } else if (n == "read_timeout_ms") {
      config.read_timeout = std::chrono::milliseconds(positive_integer(path, node, n));
    } else if (n == "io_threads") {
      config.io_threads = static_cast<std::size_t>(positive_integer(path, node, n));
    } else if (n == "drain_timeout_ms") {
      config.drain_timeout = std::chrono::milliseconds(positive_integer(path, node, n));
    } else if (n == "keys") {
      const toml::array* keys = node.as_array();
      if (!keys) throw ConfigError(where(path, node) + ": keys must be an array");
      for (const toml::node& entry : *keys) config.keys.push_back(key_entry(path, entry));
    } else {
      throw ConfigError(where(path, node) + ": unknown setting " + std::string(n));
    }
  }
}

void check_keys(const std::vector<HubKey>& keys) {
  std::set<std::string> secrets, names;
  for (const HubKey& k : keys) {
    if (k.secret.empty()) throw ConfigError("a key is empty");
    if (!secrets.insert(k.secret).second) {
      throw ConfigError("a key is given twice" + (k.id.empty() ? "" : " (" + k.id + ")"));
    }
    if (!k.id.empty() && !names.insert(k.id).second) {
      throw ConfigError("two keys are named " + k.id);
    }
  }
}

ListenAddress parse_listen(std::string_view text) {
  const std::string shown(text);
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    throw ConfigError("--listen " + shown + ": expected HOST:PORT, e.g. 127.0.0.1:8080");
  }
  ListenAddress out;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    throw ConfigError("--listen " + shown + ": write IPv6 addresses in brackets, e.g. [::1]:8080");
  }
  out.host = host.empty() ? "0.0.0.0" : std::string(host);
  std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    throw ConfigError("--listen " + shown + ": the port must be a number from 0 to 65535");
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

}  // namespace hub
