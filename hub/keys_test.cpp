#include "keys.h"

#include <gtest/gtest.h>

namespace hub {
namespace {

TEST(KeyFingerprint, StableShortAndNotTheKey) {
  std::string f = key_fingerprint("my-secret-key");
  EXPECT_EQ(f, key_fingerprint("my-secret-key"));
  EXPECT_NE(f, key_fingerprint("my-secret-kez"));
  EXPECT_EQ(f.size(), 16u);
  EXPECT_EQ(f.rfind("key-", 0), 0u);
  EXPECT_EQ(f.find("secret"), std::string::npos);
  // SHA-1("abc") = a9993e364706816aba3e25717850c26c9cd0d89d
  EXPECT_EQ(key_fingerprint("abc"), "key-a9993e364706");
}

TEST(KeyRing, FindsExactKeysOnly) {
  KeyRing ring({{"kitchen", "k1"}, {"", "k2"}});
  ASSERT_TRUE(ring.find("k1"));
  EXPECT_EQ(ring.find("k1")->id, "kitchen");
  ASSERT_TRUE(ring.find("k2"));
  EXPECT_EQ(ring.find("k2")->id, key_fingerprint("k2"));
  EXPECT_FALSE(ring.find("k"));
  EXPECT_FALSE(ring.find("k12"));
  EXPECT_FALSE(ring.find("K1"));
  EXPECT_FALSE(ring.find(""));
  EXPECT_FALSE(KeyRing().find("k1"));
}

TEST(KeyRing, StoredKeysAreFoundByTheirHashAndRevokedOnesAreNot) {
  KeyRing ring(std::vector<HubKey>{{"config-key", "k1"}});
  const std::string secret = generate_key();
  ring.set_stored({{"garden", sha256_hex(secret), TimePoint{}, std::nullopt},
                   {"old", sha256_hex("old-secret"), TimePoint{}, TimePoint{}},
                   {"config-key", sha256_hex("imposter"), TimePoint{}, std::nullopt}});
  ASSERT_TRUE(ring.find(secret));
  EXPECT_EQ(ring.find(secret)->id, "garden");
  EXPECT_FALSE(ring.find("old-secret")) << "a revoked key is refused";
  EXPECT_FALSE(ring.find("imposter")) << "a stored key cannot take a config key's name";
  EXPECT_EQ(ring.find("k1")->id, "config-key");
  EXPECT_TRUE(ring.has_id("garden"));
  EXPECT_FALSE(ring.has_id("old"));
  ring.set_stored({});
  EXPECT_FALSE(ring.find(secret)) << "revoking replaces the set";
  EXPECT_TRUE(ring.find("k1"));
}

TEST(GenerateKey, ThirtyTwoUrlSafeCharactersAndNeverTheSame) {
  const std::string a = generate_key(), b = generate_key();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  // SHA-256("abc")
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace hub
