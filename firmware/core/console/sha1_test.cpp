// SHA-1 against FIPS 180 vectors, and Base64 against RFC 4648's.
#include "sha1.h"

#include <gtest/gtest.h>

#include <string>

#include "base64.h"

namespace bh {
namespace {

std::string hex(const std::string& data, size_t chunk = 1000000) {
  Sha1 sha;
  for (size_t i = 0; i < data.size(); i += chunk)
    sha.update(data.data() + i, std::min(chunk, data.size() - i));
  uint8_t d[Sha1::kDigestSize];
  sha.finish(d);
  std::string out;
  char b[3];
  for (uint8_t x : d) {
    snprintf(b, sizeof b, "%02x", x);
    out += b;
  }
  return out;
}

TEST(Sha1Test, Fips180Vectors) {
  EXPECT_EQ(hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1Test, PiecesMakeTheSameDigest) {
  const std::string text(200, 'x');
  for (size_t chunk : {1, 3, 55, 56, 63, 64, 65}) EXPECT_EQ(hex(text, chunk), hex(text)) << chunk;
}

std::string b64(const std::string& s) {
  Str<64> out;
  base64_append(out, reinterpret_cast<const uint8_t*>(s.data()), s.size());
  return out.c_str();
}

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(b64(""), "");
  EXPECT_EQ(b64("f"), "Zg==");
  EXPECT_EQ(b64("fo"), "Zm8=");
  EXPECT_EQ(b64("foo"), "Zm9v");
  EXPECT_EQ(b64("foob"), "Zm9vYg==");
  EXPECT_EQ(b64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(b64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(b64("\xff\xfe\xfd"), "//79");
}

}  // namespace
}  // namespace bh
