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
  ASSERT_NE(ring.find("k1"), nullptr);
  EXPECT_EQ(ring.find("k1")->id, "kitchen");
  ASSERT_NE(ring.find("k2"), nullptr);
  EXPECT_EQ(ring.find("k2")->id, key_fingerprint("k2"));
  EXPECT_EQ(ring.find("k"), nullptr);
  EXPECT_EQ(ring.find("k12"), nullptr);
  EXPECT_EQ(ring.find("K1"), nullptr);
  EXPECT_EQ(ring.find(""), nullptr);
  EXPECT_EQ(KeyRing().find("k1"), nullptr);
}

}  // namespace
}  // namespace hub
