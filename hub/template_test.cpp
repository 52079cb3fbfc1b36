// The ingredient template engine, IFTTT's OccurredAt format and the log applet's text.
#include "template.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "actions.h"
#include "applets_config.h"
#include "store.h"

namespace hub {
namespace {

Ingredients sample() {
  Ingredients i;
  i.event_name = "button_pressed";
  i.occurred_at = "November 25, 2026 at 06:30AM";
  i.value1 = "micropython1";
  i.value2 = "two";
  i.value3 = "3";
  i.json_payload = R"({"a":1})";
  return i;
}

TEST(Render, ReplacesEveryIngredient) {
  struct Case {
    const char* tmpl;
    const char* out;
  } cases[] = {
      {"{{EventName}}", "button_pressed"},
      {"When: {{OccurredAt}}", "When: November 25, 2026 at 06:30AM"},
      {"{{Value1}},{{Value2}},{{Value3}}", "micropython1,two,3"},
      {"payload={{JsonPayload}}", R"(payload={"a":1})"},
      {"{{ Value1 }}", "micropython1"},
      {"{{Value1}}{{Value1}}", "micropython1micropython1"},
      {"no placeholders", "no placeholders"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(render(c.tmpl, sample()), c.out) << c.tmpl;
}

TEST(Render, LeavesAnythingElseAsWritten) {
  struct Case {
    const char* tmpl;
    const char* out;
  } cases[] = {
      {"{{Unknown}}", "{{Unknown}}"},
      {"{{value1}}", "{{value1}}"},  // names are case-sensitive, as in IFTTT
      {"{{Value1", "{{Value1"},
      {"Value1}}", "Value1}}"},
      {"{{{{Value1}}", "{{micropython1"},
      {"{{Unknown}} {{Value2}}", "{{Unknown}} two"},
      {"{ {Value1} }", "{ {Value1} }"},
      {"{{}}", "{{}}"},
  };
  for (const auto& c : cases) EXPECT_EQ(render(c.tmpl, sample()), c.out) << c.tmpl;
}

TEST(Render, ValuesAreNeverExpandedAgain) {
  Ingredients in = sample();
  in.value1 = "{{EventName}}";
  EXPECT_EQ(render("{{Value1}}", in), "{{EventName}}");
}

TEST(Render, EscapesForJsonAndUrls) {
  Ingredients in = sample();
  in.value1 = "a \"quoted\"\\ line\nnext\x01";
  EXPECT_EQ(render(R"({"text":"{{Value1}}"})", in, Escape::kJson),
            R"({"text":"a \"quoted\"\\ line\nnext\u0001"})");
  in.value1 = "a b&c=d/é~";
  EXPECT_EQ(render("https://x/?q={{Value1}}", in, Escape::kUrl),
            "https://x/?q=a%20b%26c%3Dd%2F%C3%A9~");
}

TEST(OccurredAt, FormatsLikeIfttt) {
  struct Case {
    const char* iso;
    const char* shown;
  } cases[] = {
      {"2015-06-20T12:03:00.000Z", "June 20, 2015 at 12:03PM"},
      {"2026-11-25T06:30:59.999Z", "November 25, 2026 at 06:30AM"},
      {"2026-01-05T00:00:00.000Z", "January 5, 2026 at 12:00AM"},
      {"2026-02-28T23:59:00.000Z", "February 28, 2026 at 11:59PM"},
      {"2024-02-29T11:59:00.000Z", "February 29, 2024 at 11:59AM"},
      {"2026-12-31T13:01:00.000Z", "December 31, 2026 at 01:01PM"},
      {"1970-01-01T00:00:00.000Z", "January 1, 1970 at 12:00AM"},
      {"0999-10-10T12:00:00.000Z", "October 10, 999 at 12:00PM"},
      {"0007-07-17T17:17:00.000Z", "July 17, 7 at 05:17PM"},
      {"9999-12-31T23:59:59.999Z", "December 31, 9999 at 11:59PM"},
  };
  for (const auto& c : cases) {
    auto t = parse_iso8601(c.iso);
    ASSERT_TRUE(t) << c.iso;
    EXPECT_EQ(format_occurred_at(*t), c.shown) << c.iso;
  }
}

TEST(Iso8601, RoundTripsWithMilliseconds) {
  for (const char* iso :
       {"2026-11-25T06:30:00.123Z", "1970-01-01T00:00:00.000Z", "2038-01-19T03:14:08.001Z"}) {
    auto t = parse_iso8601(iso);
    ASSERT_TRUE(t) << iso;
    EXPECT_EQ(format_iso8601(*t), iso);
  }
  EXPECT_EQ(parse_iso8601("2026-11-25T06:30:00Z"), std::nullopt);
  EXPECT_EQ(parse_iso8601("2026-11-25 06:30:00.123Z"), std::nullopt);
  EXPECT_EQ(parse_iso8601("2026-11-25T06:30:00.123+01"), std::nullopt);
  EXPECT_EQ(parse_iso8601(""), std::nullopt);
}

TEST(IngredientsOf, FromAStoredEvent) {
  EventRecord e;
  e.event = "button_pressed";
  e.value1 = "micropython1";
  e.occurred_at = *parse_iso8601("2026-11-25T06:30:00.000Z");
  Ingredients in = ingredients_of(e);
  EXPECT_EQ(in.event_name, "button_pressed");
  EXPECT_EQ(in.occurred_at, "November 25, 2026 at 06:30AM");
  EXPECT_EQ(in.json_payload, "");
  EXPECT_EQ(in.event_id, "") << "not stored yet";
  EXPECT_EQ(in.button_id, "");
  EXPECT_EQ(in.battery_mv, "");
  e.id = 42;
  e.button_id = "micropython1";
  e.battery_mv = 3012;
  in = ingredients_of(e);
  EXPECT_EQ(render("{{EventId}} {{ButtonId}} {{BatteryMv}} {{OccurredAtIso}}", in),
            "42 micropython1 3012 2026-11-25T06:30:00.000Z");
}

TEST(Template, UnknownPlaceholdersAreReportedForTheFileCheck) {
  EXPECT_TRUE(unknown_placeholders("{{EventName}} {{ Value1 }} {{BatteryMv}}").empty());
  EXPECT_EQ(unknown_placeholders("{{Valu1}} and {{EventName}} and {{x}}"),
            (std::vector<std::string>{"Valu1", "x"}));
  EXPECT_TRUE(unknown_placeholders("{{ unclosed").empty());
}

TEST(LogApplet, PrintsTheTutorialsEmail) {
  char* data = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&data, &size);
  ASSERT_NE(out, nullptr);
  AppletsConfig config = default_applets();
  ASSERT_EQ(config.applets.size(), 1u);
  EXPECT_EQ(config.applets[0].name, "log");
  ActionServices services;
  services.log_out = out;
  ActionTable table = build_actions(config, services);
  ASSERT_EQ(table.size(), 1u);
  table.find("log", 0)->run(EventRecord{}, sample());
  std::fclose(out);
  std::string text(data, size);
  std::free(data);
  EXPECT_EQ(text,
            "The event named \"button_pressed\" occurred on the Maker Webhooks service\n"
            "What: button_pressed\n"
            "When: November 25, 2026 at 06:30AM\n"
            "Button: micropython1\n"
            "\n");
}

// An action fills only the ingredients its template names: rendering with
// those gives what rendering with all of them gives, for every placeholder,
// spaces, unknown names and unclosed braces included.
TEST(IngredientsUsed, RenderingWithOnlyThoseIsTheSame) {
  EventRecord e;
  e.id = 42;
  e.event = "button_pressed";
  e.value1 = "one";
  e.value2 = "two";
  e.value3 = "three";
  e.json_payload = R"({"a":1})";
  e.occurred_at = *parse_iso8601("2026-11-25T06:30:00.123Z");
  e.button_id = "hall";
  e.battery_mv = 3012;
  const Ingredients all = ingredients_of(e);
  const char* names[] = {"EventName", "OccurredAt", "Value1",   "Value2",    "Value3",
                         "JsonPayload", "EventId",  "ButtonId", "BatteryMv", "OccurredAtIso"};
  std::vector<std::string> templates{std::string(kTutorialSubject) + "\n" + kTutorialBody,
                                     "{{Valu1}} {{Value2", "{{ {{Value3}}", "plain"};
  for (const char* name : names) {
    const std::string one = std::string("<{{ ") + name + " }}>";
    EXPECT_NE(ingredients_used(one), 0u) << name;
    templates.push_back(one);
    templates.push_back("{{" + std::string(name) + "}} and {{EventName}}");
  }
  for (const std::string& t : templates) {
    const Ingredients some = ingredients_of(e, ingredients_used(t));
    for (Escape escape : {Escape::kNone, Escape::kJson, Escape::kUrl}) {
      EXPECT_EQ(render(t, some, escape), render(t, all, escape)) << t;
    }
  }
  // The tutorial's email names three: the dates and numbers it does not
  // name are never formatted.
  const Ingredients tutorial =
      ingredients_of(e, ingredients_used(std::string(kTutorialSubject) + kTutorialBody));
  EXPECT_EQ(tutorial.value1, "one");
  EXPECT_FALSE(tutorial.occurred_at.empty());
  EXPECT_TRUE(tutorial.occurred_at_iso.empty());
  EXPECT_TRUE(tutorial.event_id.empty());
  EXPECT_TRUE(tutorial.battery_mv.empty());
  EXPECT_TRUE(tutorial.value2.empty());
  EXPECT_EQ(ingredients_used("no placeholders, {{Unknown}}"), 0u);
}

}  // namespace
}  // namespace hub
