// The webhook keys the hub accepts. The raw key is a secret: it is compared
// here and nowhere else; events and logs carry the key's id instead.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hub {

struct HubKey {
  std::string id;      // a name from the config, or key_fingerprint(secret)
  std::string secret;  // what goes in the URL
};

// "key-" + the first 12 hex digits of the key's SHA-1: stable across
// restarts, distinct in practice, and not the key.
std::string key_fingerprint(std::string_view secret);

class KeyRing {
 public:
  KeyRing() = default;
  explicit KeyRing(std::vector<HubKey> keys);

  // The key whose secret equals `presented`, or nullptr. Compares every key
  // in time independent of where the bytes differ.
  const HubKey* find(std::string_view presented) const;
  bool empty() const { return keys_.empty(); }
  std::size_t size() const { return keys_.size(); }

 private:
  std::vector<HubKey> keys_;
};

}  // namespace hub
