// The webhook keys the hub accepts: from the config (--key, keys = [...])
// and from the database (`buttonhook-hub keys add`). The raw key is a
// secret: only its SHA-256 is kept in memory and compared here, in constant
// time; events and logs carry the key's id instead.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "records.h"

namespace hub {

struct HubKey {
  std::string id;      // a name from the config, or key_fingerprint(secret)
  std::string secret;  // what goes in the URL
};

// "key-" + the first 12 hex digits of the key's SHA-1: stable across
// restarts, distinct in practice, and not the key.
std::string key_fingerprint(std::string_view secret);

std::string sha256_hex(std::string_view data);

// A new key: 32 characters of base64url from 24 random bytes (192 bits).
std::string generate_key();

struct KeyMatch {
  std::string id;
};

class KeyRing {
 public:
  KeyRing() = default;
  explicit KeyRing(const std::vector<HubKey>& config_keys);

  // Replaces the keys from the database (revoked ones are left out); the
  // config's keys stay. A stored key named like a config key is skipped.
  void set_stored(const std::vector<StoredKey>& keys);

  // The key whose secret equals `presented`. Compares against every key in
  // time independent of where the bytes differ.
  std::optional<KeyMatch> find(std::string_view presented) const;
  bool has_id(std::string_view id) const;  // still accepted (not revoked)
  std::size_t size() const;
  bool empty() const { return size() == 0; }

 private:
  struct Entry {
    std::string id;
    std::array<unsigned char, 32> digest;
  };
  using Entries = std::vector<Entry>;
  std::shared_ptr<const Entries> snapshot() const;

  mutable std::mutex mutex_;
  Entries config_;
  std::shared_ptr<const Entries> all_ = std::make_shared<Entries>();
};

}  // namespace hub
