// The hub's settings: defaults, a TOML file (--config), then the command line.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "keys.h"

namespace hub {

struct HubConfig {
  std::string listen = "127.0.0.1:8080";
  std::string db;
  std::vector<HubKey> keys;
  std::size_t body_limit = 64 * 1024;
  std::chrono::milliseconds read_timeout{15000};
  std::chrono::milliseconds drain_timeout{5000};
  std::size_t io_threads = 0;  // threads serving connections; 0: one per CPU, at most 4
  std::string applets;  // the applets file; empty: the built-in log applet
  // [outbox]
  std::size_t outbox_workers = 4;
  std::chrono::milliseconds retry_initial{1000};
  std::chrono::milliseconds retry_max{10 * 60 * 1000};
  int max_attempts = 12;
  // How often keys made with `keys add` (and revocations) are picked up.
  std::chrono::milliseconds keys_refresh{1000};
  bool secure_cookies = false;  // set behind an HTTPS proxy
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a TOML file over `config` (see deploy/hub.example.toml). Keys are added;
// other settings replace the current ones. A relative db path is taken
// relative to the file's folder. Unknown settings are errors: a typo must not
// silently leave a default in place. Throws ConfigError naming file and line.
void load_config_file(const std::string& path, HubConfig& config);

// Refuses empty secrets, repeated secrets and repeated names.
void check_keys(const std::vector<HubKey>& keys);

struct ListenAddress {
  std::string host;  // "127.0.0.1", "::1" (without brackets), "0.0.0.0"
  std::uint16_t port = 0;
};

// "127.0.0.1:8080", "[::1]:8080", ":8080" (all interfaces). Throws ConfigError.
ListenAddress parse_listen(std::string_view text);

}  // namespace hub
