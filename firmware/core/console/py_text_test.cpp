// Reading and editing the board's small Python assignment files.
#include "py_text.h"

#include <gtest/gtest.h>

#include <string>

namespace bh {
namespace {

std::string s(StrRef r) {
  return std::string(r.data, r.len);
}

TEST(PyTextTest, FindsTheValueOfAName) {
  const char* text = "PASSWORD = 'no'\nPASS = 'abc' # the console\r\nX=1";
  bool found = false;
  EXPECT_EQ(s(py_value(text, "PASS", &found)), "'abc' # the console");
  EXPECT_TRUE(found);
  EXPECT_EQ(s(py_value(text, "X")), "1");
  EXPECT_EQ(s(py_value(text, "Y", &found)), "");
  EXPECT_FALSE(found);
}

TEST(PyTextTest, UnquotesPythonStrings) {
  Str<32> out;
  EXPECT_TRUE(py_unquote("'it\\'s'", out));
  EXPECT_EQ(std::string(out.c_str()), "it's");
  EXPECT_TRUE(py_unquote("\"a\\\\b\\x41\\n\" # c", out));
  EXPECT_EQ(std::string(out.c_str()), "a\\bA\n");
  EXPECT_FALSE(py_unquote("'open", out));
  EXPECT_FALSE(py_unquote("42", out));
  EXPECT_FALSE(py_unquote("'a' b", out));
  Str<3> small;
  EXPECT_FALSE(py_unquote("'toolong'", small));
}

TEST(PyTextTest, QuotesSoThatItReadsBack) {
  const std::string tricky = "a'b\\c\n\x01\xc3\xa9";
  Str<64> q;
  py_quote(q, StrRef(tricky.data(), tricky.size()));
  EXPECT_EQ(std::string(q.c_str()), "'a\\'b\\\\c\\x0a\\x01\xc3\xa9'");
  Str<64> back;
  EXPECT_TRUE(py_unquote(q.ref(), back));
  EXPECT_EQ(std::string(back.c_str(), back.size()), tricky);
}

TEST(PyTextTest, SetReplacesTheLineOrAppendsOne) {
  Str<128> text("A = 1\nB = 'x' # old\nC = 3");
  EXPECT_TRUE(py_set(text, "B", "'yy'"));
  EXPECT_EQ(std::string(text.c_str()), "A = 1\nB = 'yy'\nC = 3");
  EXPECT_TRUE(py_set(text, "C", "4"));
  EXPECT_EQ(std::string(text.c_str()), "A = 1\nB = 'yy'\nC = 4\n");
  EXPECT_TRUE(py_set(text, "D", "5"));
  EXPECT_EQ(std::string(text.c_str()), "A = 1\nB = 'yy'\nC = 4\nD = 5\n");
  Str<128> none;
  EXPECT_TRUE(py_set(none, "A", "1"));
  EXPECT_EQ(std::string(none.c_str()), "A = 1\n");
  Str<128> no_newline("A = 1");
  EXPECT_TRUE(py_set(no_newline, "B", "2"));
  EXPECT_EQ(std::string(no_newline.c_str()), "A = 1\nB = 2\n");
}

TEST(PyTextTest, SetThatDoesNotFitChangesNothing) {
  Str<12> text("A = 1\n");
  EXPECT_FALSE(py_set(text, "B", "'long value'"));
  EXPECT_EQ(std::string(text.c_str()), "A = 1\n");
}

}  // namespace
}  // namespace bh
