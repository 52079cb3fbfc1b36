#include "keys.h"

#include <boost/uuid/detail/sha1.hpp>  // header-only SHA-1; no OpenSSL needed for an id
#include <cstdio>

namespace hub {
namespace {

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

std::string key_fingerprint(std::string_view secret) {
  boost::uuids::detail::sha1 sha;
  sha.process_bytes(secret.data(), secret.size());
  boost::uuids::detail::sha1::digest_type digest;
  sha.get_digest(digest);
  char hex[32];
  std::snprintf(hex, sizeof hex, "%08x%04x", digest[0], digest[1] >> 16);
  return std::string("key-") + hex;
}

KeyRing::KeyRing(std::vector<HubKey> keys) : keys_(std::move(keys)) {
  for (HubKey& k : keys_) {
    if (k.id.empty()) k.id = key_fingerprint(k.secret);
  }
}

const HubKey* KeyRing::find(std::string_view presented) const {
  const HubKey* found = nullptr;
  for (const HubKey& k : keys_) {
    // No early exit: the loop takes as long for the first key as for the last.
    if (constant_time_equal(k.secret, presented) && !found) found = &k;
  }
  return presented.empty() ? nullptr : found;
}

}  // namespace hub
