// JSON writer: RFC 8259 escaping, objects, overflow, and a round trip of
// every escape through an independent parser (nlohmann::json).
#include "json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sizes.h"

namespace bh {
namespace {

std::string s(StrRef r) {
  return std::string(r.data, r.len);
}
StrRef view(const std::string& t) {
  return StrRef(t.data(), t.size());
}

std::string json_quoted(const std::string& in) {
  Str<512> out;
  json_append_string(out, view(in));
  EXPECT_FALSE(out.overflow());
  return s(out.ref());
}

TEST(Json, StringsAreEscapedPerRfc8259) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", R"("")"},
      {"micropython1", R"("micropython1")"},
      {"say \"hi\"", R"("say \"hi\"")"},
      {"back\\slash", R"("back\\slash")"},
      {"/ stays", R"("/ stays")"},
      {"\b\f\n\r\t", R"("\b\f\n\r\t")"},
      {std::string("nul\0here", 8), R"("nul\u0000here")"},
      {"\x01\x07\x0b\x0e\x1b\x1f", R"("\u0001\u0007\u000b\u000e\u001b\u001f")"},
      {" ~", R"(" ~")"},
      {"del\x7f", "\"del\x7f\""},  // DEL needs no escape
      {"caf\xC3\xA9 \xE2\x98\x95 \xF0\x9F\x98\x80",
       "\"caf\xC3\xA9 \xE2\x98\x95 \xF0\x9F\x98\x80\""},
      {"\xE2\x80\xA8", "\"\xE2\x80\xA8\""},  // U+2028 is fine in JSON
      {"'single'", R"("'single'")"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(json_quoted(in), want) << want;
}

TEST(Json, EveryByteRoundTripsThroughAnotherParser) {
  // Each byte that is valid alone in UTF-8 (0x00..0x7F), and text with
  // every escape at once, parse back to the same string.
  for (int c = 0; c < 0x80; ++c) {
    const std::string in(1, static_cast<char>(c));
    const std::string out = json_quoted(in);
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), in) << "byte " << c;
  }
  std::string all;
  for (int c = 0; c < 0x80; ++c) all += static_cast<char>(c);
  all += "caf\xC3\xA9 \xF0\x9F\x98\x80";
  EXPECT_EQ(nlohmann::json::parse(json_quoted(all)).get<std::string>(), all);
}

TEST(Json, ObjectsOfStringsNumbersAndBools) {
  Str<256> out;
  JsonObject o(out);
  o.add("value1", "micropython1").add("value2", -2147483647 - 1).add("n", 42);
  o.add_bool("t", true).add_bool("f", false).add("k\"ey", "v\n");
  ASSERT_TRUE(o.end());
  EXPECT_EQ(
      s(out.ref()),
      R"({"value1":"micropython1","value2":-2147483648,"n":42,"t":true,"f":false,"k\"ey":"v\n"})");
  const auto j = nlohmann::json::parse(s(out.ref()));
  EXPECT_EQ(j["value1"], "micropython1");
  EXPECT_EQ(j["value2"], -2147483648LL);
  EXPECT_EQ(j["t"], true);
  EXPECT_EQ(j["k\"ey"], "v\n");
}

TEST(Json, TheTutorialsWebhookBody) {
  Str<sizes::kHttpRequestBodyMax> body;
  JsonObject o(body);
  o.add("value1", "micropython1");
  ASSERT_TRUE(o.end());
  EXPECT_EQ(s(body.ref()), R"({"value1":"micropython1"})");
}

TEST(Json, EmptyObject) {
  Str<8> out;
  JsonObject o(out);
  EXPECT_TRUE(o.end());
  EXPECT_EQ(s(out.ref()), "{}");
}

TEST(Json, OverflowIsReportedByEndAndNeverWritesPastTheBuffer) {
  // Each capacity from 0 up to one short of the whole object must fail;
  // the exact size must succeed.
  const std::string want = R"({"value1":"a\"b\u0001","n":-7,"ok":true})";
  for (size_t cap = 0; cap <= want.size(); ++cap) {
    std::vector<char> storage(cap + 1 + 8, '#');  // guard bytes after the buffer
    StrBuf out(storage.data(), cap + 1);
    JsonObject o(out);
    o.add("value1", "a\"b\x01").add("n", -7).add_bool("ok", true);
    const bool ok = o.end();
    EXPECT_EQ(ok, cap == want.size()) << cap;
    EXPECT_EQ(s(out.ref()), want.substr(0, cap)) << cap;  // a prefix, never garbage
    for (size_t g = cap + 1; g < storage.size(); ++g) ASSERT_EQ(storage[g], '#') << cap;
  }
}

TEST(Json, OverflowStaysReportedUntilCleared) {
  Str<4> out;
  json_append_string(out, "abcdef");
  EXPECT_TRUE(out.overflow());
  JsonObject o(out);
  EXPECT_FALSE(o.end());
  out.clear();
  JsonObject again(out);
  EXPECT_TRUE(again.end());
}

}  // namespace
}  // namespace bh
