#include "values.h"

#include <gtest/gtest.h>

namespace hub {
namespace {

TEST(PercentDecode, DecodesEscapesAndKeepsMalformedOnes) {
  struct Case {
    const char* in;
    bool plus;
    const char* out;
  } cases[] = {
      {"a%20b", false, "a b"},
      {"a+b", true, "a b"},
      {"a+b", false, "a+b"},
      {"%41%42", false, "AB"},
      {"%e2%82%ac", false, "\xe2\x82\xac"},
      {"%", false, "%"},
      {"%4", false, "%4"},
      {"%G1", false, "%G1"},
      {"100%", true, "100%"},
      {"", false, ""},
  };
  for (const auto& c : cases) EXPECT_EQ(percent_decode(c.in, c.plus), c.out) << c.in;
}

TEST(ParseUrlencoded, SplitsDecodesAndSkipsEmptyPairs) {
  auto pairs = parse_urlencoded("a=1&&b=x+y&c&=z&d=%26");
  ASSERT_EQ(pairs.size(), 5u);
  EXPECT_EQ(pairs[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(pairs[1], (std::pair<std::string, std::string>{"b", "x y"}));
  EXPECT_EQ(pairs[2], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_EQ(pairs[3], (std::pair<std::string, std::string>{"", "z"}));
  EXPECT_EQ(pairs[4], (std::pair<std::string, std::string>{"d", "&"}));
}

TEST(MediaType, LowercasesAndDropsParameters) {
  EXPECT_EQ(media_type("Application/JSON; charset=utf-8"), "application/json");
  EXPECT_EQ(media_type("  application/x-www-form-urlencoded "),
            "application/x-www-form-urlencoded");
  EXPECT_EQ(media_type(""), "");
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("application/vnd.api+json"));
  EXPECT_FALSE(is_json_media_type("text/plain"));
  EXPECT_FALSE(is_json_media_type("+json"));
}

TEST(ValuesFromUrlencoded, FirstOccurrenceWins) {
  Values v = values_from_urlencoded("value1=a&value1=b&value3=c&other=d");
  EXPECT_EQ(v.value1, "a");
  EXPECT_EQ(v.value2, std::nullopt);
  EXPECT_EQ(v.value3, "c");
}

TEST(ValuesFromJson, TakesStringsAndWritesOtherTypesAsJson) {
  ValuesResult r =
      values_from_json(R"({"value1":"micropython1","value2":42,"value3":{"a":[true]},"x":1})");
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.values.value1, "micropython1");
  EXPECT_EQ(r.values.value2, "42");
  EXPECT_EQ(r.values.value3, R"({"a":[true]})");
}

TEST(ValuesFromJson, AButtonsBodyIsReadWithoutTheDom) {
  auto flat = flat_json_values(R"({"value1":"micropython1","value2":"bench","value3":"42"})");
  ASSERT_TRUE(flat);
  EXPECT_EQ(flat->value1, "micropython1");
  EXPECT_EQ(flat->value2, "bench");
  EXPECT_EQ(flat->value3, "42");
  flat = flat_json_values(" {\n \"button_id\" : \"hall\" ,\"battery_mv\":\"3012\", \"x\":\"\"}\r\n");
  ASSERT_TRUE(flat);
  EXPECT_EQ(flat->button_id, "hall");
  EXPECT_EQ(flat->battery_mv, 3012);
  EXPECT_EQ(flat->value1, std::nullopt);
  ASSERT_TRUE(flat_json_values("{}"));
  for (const char* other : {R"({"value1":1})", R"({"value1":null})", R"({"value1":"a\"b"})",
                            "{\"value1\":\"caf\xc3\xa9\"}", R"({"value1":"a","value1":"b"})",
                            R"({"value1":"a"} x)", R"({"value1":"a",})", R"([])", ""}) {
    EXPECT_FALSE(flat_json_values(other)) << other;
  }
}

// Whatever the body, the one-pass reader and the DOM answer alike: the same
// values, or the same error.
TEST(ValuesFromJson, TheOnePassReaderAgreesWithTheDom) {
  const std::vector<std::string> names = {"\"value1\"", "\"value2\"",     "\"value3\"",
                                          "\"button_id\"", "\"battery_mv\"", "\"other\"",
                                          "\"value\\u0031\"", "\"\""};
  const std::vector<std::string> values = {
      "\"a\"", "\"\"", "\"micropython1\"", "\"3012\"", "\"100001\"", "\"-5\"",
      "\"x\\\"y\"", "\"caf\xc3\xa9\"", "\"\xff\"", "\"\x7f\"", "\"tab\there\"",
      "12", "3012", "null", "true", "{\"a\":1}", "[1]", "\"\\u00e9\"", "\"unclosed"};
  const std::vector<std::string> spaces = {"", " ", "\n\t "};
  std::vector<std::string> bodies = {"{}", " { } ", "{", "}", "[]", "\"a\"", "{}x", "{},",
                                     "\xef\xbb\xbf{}", "{\"value1\":\"a\",}"};
  for (const std::string& n1 : names)
    for (const std::string& v1 : values) {
      const std::string& sp = spaces[(n1.size() + v1.size()) % spaces.size()];
      bodies.push_back("{" + sp + n1 + sp + ":" + sp + v1 + sp + "}");
      for (const std::string& n2 : names) {
        const std::string& v2 = values[(n1.size() * 7 + n2.size()) % values.size()];
        bodies.push_back("{" + n1 + ":" + v1 + "," + sp + n2 + ":" + v2 + "}");
        bodies.push_back("{" + n2 + ":" + v2 + "," + n1 + ":" + v1 + "," + n1 + ":" + v2 + "}");
      }
    }
  int flat = 0;
  for (const std::string& body : bodies) {
    const ValuesResult fast = values_from_json(body), dom = values_from_json_dom(body);
    EXPECT_EQ(fast.error, dom.error) << body;
    EXPECT_EQ(fast.values.value1, dom.values.value1) << body;
    EXPECT_EQ(fast.values.value2, dom.values.value2) << body;
    EXPECT_EQ(fast.values.value3, dom.values.value3) << body;
    EXPECT_EQ(fast.values.button_id, dom.values.button_id) << body;
    EXPECT_EQ(fast.values.battery_mv, dom.values.battery_mv) << body;
    if (flat_json_values(body)) ++flat;
  }
  EXPECT_GT(flat, 100) << "the corpus must exercise the one-pass reader";
  EXPECT_LT(flat, static_cast<int>(bodies.size()) / 2) << "and the DOM";
}

TEST(ValuesFromJson, NullIsAbsent) {
  ValuesResult r = values_from_json(R"({"value1":null})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r.values.value1, std::nullopt);
}

TEST(ValuesFromJson, MalformedJsonNamesTheProblem) {
  ValuesResult r = values_from_json(R"({"value1":)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error.rfind("Malformed JSON body: ", 0), 0u) << r.error;
  EXPECT_NE(r.error.find("line 1"), std::string::npos) << r.error;
}

TEST(ValuesFromJson, NumberOverflowIsMalformedNotACrash) {
  // Found by request_fuzz: nlohmann reports this as out_of_range, not parse_error.
  ValuesResult r = values_from_json(R"({"value1":1e333})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error.rfind("Malformed JSON body: ", 0), 0u) << r.error;
  EXPECT_NE(check_json_payload("[1e999]"), "");
}

TEST(ValuesFromJson, NonObjectIsRefused) {
  EXPECT_FALSE(values_from_json("[1,2]"));
  EXPECT_FALSE(values_from_json("\"value1\""));
}

TEST(ValuesFromJson, DeepNestingIsRefusedBeforeParsing) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  ValuesResult r = values_from_json(deep);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error.find("nested"), std::string::npos);
  // Brackets inside strings do not count.
  EXPECT_TRUE(values_from_json(R"({"value1":")" + std::string(100, '[') + R"("})"));
}

TEST(TriggerValues, EachBodySourceAndTheQuery) {
  struct Case {
    const char* name;
    const char* content_type;
    const char* body;
    const char* query;
    const char* v1;
    const char* v2;
    const char* v3;
  } cases[] = {
      {"json body", "application/json", R"({"value1":"a","value2":"b","value3":"c"})", "", "a", "b",
       "c"},
      {"form body", "application/x-www-form-urlencoded", "value1=a&value2=b+c", "", "a", "b c", ""},
      {"query only", "", "", "value1=q1&value3=q3", "q1", "", "q3"},
      {"json wins per field", "application/json", R"({"value1":"body"})", "value1=query&value2=q2",
       "body", "q2", ""},
      {"form wins per field", "application/x-www-form-urlencoded", "value2=body",
       "value1=q&value2=q", "q", "body", ""},
      {"json with charset", "application/json; charset=utf-8", R"({"value1":"x"})", "", "x", "",
       ""},
      {"other content type ignored", "text/plain", "value1=ignored", "value1=q", "q", "", ""},
      {"empty json body", "application/json", "", "value1=q", "q", "", ""},
  };
  for (const auto& c : cases) {
    ValuesResult r = trigger_values(c.content_type, c.body, c.query);
    ASSERT_TRUE(r) << c.name << ": " << r.error;
    EXPECT_EQ(r.values.value1.value_or(""), c.v1) << c.name;
    EXPECT_EQ(r.values.value2.value_or(""), c.v2) << c.name;
    EXPECT_EQ(r.values.value3.value_or(""), c.v3) << c.name;
  }
}

TEST(CheckJsonPayload, AnyJsonDocumentOrNothing) {
  EXPECT_EQ(check_json_payload(""), "");
  EXPECT_EQ(check_json_payload(R"({"a":[1,2,{"b":null}]})"), "");
  EXPECT_EQ(check_json_payload("[1]"), "");
  EXPECT_EQ(check_json_payload("17"), "");
  EXPECT_NE(check_json_payload("{"), "");
  EXPECT_NE(check_json_payload("{} trailing"), "");
}

}  // namespace
}  // namespace hub
