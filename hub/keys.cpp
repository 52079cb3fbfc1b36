#include "keys.h"

#include <openssl/evp.h>
#include <sys/random.h>

#include <boost/uuid/detail/sha1.hpp>  // header-only SHA-1 for the stable fingerprint
#include <cstdio>
#include <stdexcept>

namespace hub {
namespace {

std::array<unsigned char, 32> sha256(std::string_view data) {
  // Fetched once: with EVP_sha256() OpenSSL 3 looks the implementation up
  // in its provider tables (under a lock) on every digest, every request.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  // One context per thread, reset for each digest: EVP_Digest makes and
  // frees one every time (every request's key is hashed).
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context context;
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  if (!kSha256 || !context.ctx || EVP_DigestInit_ex2(context.ctx, kSha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.ctx, digest.data(), &size) != 1 || size != digest.size()) {
    throw std::runtime_error("SHA-256 failed (OpenSSL)");
  }
  return digest;
}

bool constant_time_equal(const std::array<unsigned char, 32>& a,
                         const std::array<unsigned char, 32>& b) {
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::optional<std::array<unsigned char, 32>> from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::array<unsigned char, 32> out{};
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned v = 0;
    for (char c : hex.substr(2 * i, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else
        return std::nullopt;
    }
    out[i] = static_cast<unsigned char>(v);
  }
  return out;
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

std::string sha256_hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : sha256(data)) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string generate_key() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char bytes[24];
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
    throw std::runtime_error("cannot read random bytes (getrandom)");
  }
  std::string out;
  for (std::size_t i = 0; i < sizeof bytes; i += 3) {
    unsigned n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  return out;
}

KeyRing::KeyRing(const std::vector<HubKey>& config_keys) {
  for (const HubKey& k : config_keys) {
    config_.push_back({k.id.empty() ? key_fingerprint(k.secret) : k.id, sha256(k.secret)});
  }
  all_ = std::make_shared<Entries>(config_);
}

void KeyRing::set_stored(const std::vector<StoredKey>& keys) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto all = std::make_shared<Entries>(config_);
  for (const StoredKey& k : keys) {
    if (k.revoked_at) continue;
    bool clash = false;
    for (const Entry& c : config_) clash = clash || c.id == k.name;
    auto digest = from_hex(k.secret_sha256);
    if (clash || !digest) continue;
    all->push_back({k.name, *digest});
  }
  all_ = std::move(all);
}

std::shared_ptr<const KeyRing::Entries> KeyRing::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return all_;
}

std::optional<KeyMatch> KeyRing::find(std::string_view presented) const {
  if (presented.empty()) return std::nullopt;
  const auto digest = sha256(presented);
  const auto entries = snapshot();
  const Entry* found = nullptr;
  for (const Entry& e : *entries) {
    // No early exit: the loop takes as long for the first key as for the last.
    if (constant_time_equal(e.digest, digest) && !found) found = &e;
  }
  if (!found) return std::nullopt;
  return KeyMatch{found->id};
}

bool KeyRing::has_id(std::string_view id) const {
  for (const Entry& e : *snapshot()) {
    if (e.id == id) return true;
  }
  return false;
}

std::size_t KeyRing::size() const {
  return snapshot()->size();
}

}  // namespace hub
