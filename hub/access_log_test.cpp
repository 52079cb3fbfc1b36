#include "access_log.h"

#include <gtest/gtest.h>

namespace hub {
namespace {

TEST(MaskTarget, HidesKeysInPathsAndQueries) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"/trigger/e/with/key/SECRET", "/trigger/e/with/key/***"},
      {"/trigger/e/json/with/key/SECRET?value1=a", "/trigger/e/json/with/key/***?value1=a"},
      {"/trigger/e/with/key/SECRET/extra", "/trigger/e/with/key/***/extra"},
      {"/trigger/e/with/%6Bey/SECRET", "/trigger/e/with/%6Bey/***"},
      {"/trigger/e/with/key/", "/trigger/e/with/key/"},
      {"/api/events?key=SECRET&limit=5", "/api/events?key=***&limit=5"},
      {"/api/events?limit=5&k%65y=SECRET", "/api/events?limit=5&k%65y=***"},
      {"/api/events?keys=visible", "/api/events?keys=visible"},
      {"/healthz", "/healthz"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(mask_target(c.in), c.out) << c.in;
}

TEST(AccessLine, OneLineWithMethodMaskedPathStatusAndMicroseconds) {
  EXPECT_EQ(
      access_line("127.0.0.1:40312", "POST", "/trigger/button_pressed/with/key/SECRET", 200, 812),
      "127.0.0.1:40312 POST /trigger/button_pressed/with/key/*** 200 812us");
  EXPECT_EQ(access_line("1.2.3.4:5", "", "", 400, 3), "1.2.3.4:5 - - 400 3us");
  EXPECT_EQ(access_line("r", "GET", "/a\r\nfake line", 404, 1), "r GET /a??fake?line 404 1us");
}

}  // namespace
}  // namespace hub
