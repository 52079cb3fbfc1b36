// Fixed-capacity text: views, appends, truncation that never writes past the
// end and is flagged until clear().
#include "text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bh {
namespace {

std::string s(StrRef r) {
  return std::string(r.data, r.len);
}

TEST(StrRef, FromNullAndFromLiteral) {
  StrRef null(static_cast<const char*>(nullptr));
  EXPECT_TRUE(null.empty());
  EXPECT_NE(null.data, nullptr);
  StrRef lit("abc");
  EXPECT_EQ(lit.len, 3u);
  StrRef def;
  EXPECT_TRUE(def.empty());
}

TEST(StrRef, Comparisons) {
  EXPECT_TRUE(StrRef("Content-Length").equals_nocase("content-LENGTH"));
  EXPECT_FALSE(StrRef("Content-Length").equals_nocase("Content-Lengt"));
  EXPECT_FALSE(StrRef("a[").equals_nocase("A{"));  // only letters fold
  EXPECT_TRUE(StrRef("abc").equals("abc"));
  EXPECT_FALSE(StrRef("abc").equals("abd"));
  EXPECT_TRUE(StrRef("http://x").starts_with("http://"));
  EXPECT_FALSE(StrRef("http").starts_with("http://"));
  EXPECT_TRUE(StrRef("").starts_with(""));
}

TEST(StrRef, SubClampsToTheText) {
  StrRef t("hello");
  EXPECT_EQ(s(t.sub(1, 3)), "ell");
  EXPECT_EQ(s(t.sub(2)), "llo");
  EXPECT_EQ(s(t.sub(4, 100)), "o");
  EXPECT_EQ(s(t.sub(5)), "");
  EXPECT_EQ(s(t.sub(99, 2)), "");
}

TEST(StrRef, FindAndTrim) {
  StrRef t("a,b,c");
  EXPECT_EQ(t.find(','), 1u);
  EXPECT_EQ(t.find(',', 2), 3u);
  EXPECT_EQ(t.find('x'), t.len);
  EXPECT_EQ(t.find(',', 99), t.len);
  EXPECT_EQ(s(StrRef(" \t x y \t ").trimmed()), "x y");
  EXPECT_EQ(s(StrRef(" \t ").trimmed()), "");
  EXPECT_EQ(s(StrRef("\nx\n").trimmed()), "\nx\n");  // only spaces and tabs
}

TEST(StrBuf, AppendsAndTruncatesWithAFlag) {
  Str<5> b;
  EXPECT_EQ(b.capacity(), 5u);
  EXPECT_TRUE(b.empty());
  b.append("ab").append('c');
  EXPECT_EQ(s(b.ref()), "abc");
  EXPECT_FALSE(b.overflow());
  b.append("defg");
  EXPECT_EQ(s(b.ref()), "abcde");
  EXPECT_STREQ(b.c_str(), "abcde");
  EXPECT_TRUE(b.overflow());
  b.append("");  // still flagged
  EXPECT_TRUE(b.overflow());
  b.clear();
  EXPECT_FALSE(b.overflow());
  EXPECT_STREQ(b.c_str(), "");
  b.assign("xy");
  EXPECT_EQ(s(b.ref()), "xy");
}

TEST(StrBuf, Integers) {
  Str<32> b;
  b.append_int(0).append(' ').append_int(-1).append(' ').append_int(-2147483647 - 1);
  b.append(' ').append_uint(4294967295u);
  EXPECT_EQ(s(b.ref()), "0 -1 -2147483648 4294967295");
  Str<3> small;
  small.append_int(-1234);
  EXPECT_EQ(s(small.ref()), "-12");
  EXPECT_TRUE(small.overflow());
}

TEST(StrBuf, Printf) {
  Str<16> b;
  b.appendf("%s=%d", "x", 42);
  EXPECT_EQ(s(b.ref()), "x=42");
  b.appendf("%s", "0123456789abcdef");
  EXPECT_EQ(b.size(), 16u);
  EXPECT_EQ(s(b.ref()), "x=420123456789ab");
  EXPECT_TRUE(b.overflow());
}

TEST(StrBuf, NothingIsWrittenPastTheStorage) {
  for (size_t cap = 0; cap < 6; ++cap) {
    std::vector<char> storage(cap + 8, '#');
    StrBuf b(storage.data(), cap);
    b.append("abcdefgh").append('z').append_int(-123).appendf("%s", "xyz");
    b.set_size(100);
    EXPECT_TRUE(b.overflow()) << cap;
    EXPECT_EQ(b.size(), cap ? cap - 1 : 0) << cap;
    for (size_t g = cap; g < storage.size(); ++g) ASSERT_EQ(storage[g], '#') << cap;
  }
}

TEST(StrBuf, SetSizeAfterWritingData) {
  Str<8> b;
  memcpy(b.data(), "hello", 5);
  b.set_size(5);
  EXPECT_STREQ(b.c_str(), "hello");
  b.set_size(99);
  EXPECT_EQ(b.size(), 8u);
  b.set_size(2);
  EXPECT_STREQ(b.c_str(), "he");
}

TEST(Str, CopiesOwnTheirStorage) {
  Str<8> a("abc");
  Str<8> b(a);
  Str<8> c;
  c = a;
  a.assign("zzz");
  EXPECT_EQ(s(b.ref()), "abc");
  EXPECT_EQ(s(c.ref()), "abc");
  EXPECT_NE(b.c_str(), a.c_str());
  Str<8>& same = c;
  c = same;  // self-assignment keeps the text
  EXPECT_EQ(s(c.ref()), "abc");
}

TEST(Str, EmbeddedNulBytesCount) {
  Str<8> b;
  b.append(StrRef("a\0b", 3));
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(s(b.ref()), std::string("a\0b", 3));
}

}  // namespace
}  // namespace bh
