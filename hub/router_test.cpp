#include "router.h"

#include <gtest/gtest.h>

namespace hub {
namespace {

TEST(SplitTarget, SeparatesPathAndQuery) {
  Target t = split_target("/trigger/e/with/key/k?value1=a&b=c");
  EXPECT_EQ(t.path, "/trigger/e/with/key/k");
  EXPECT_EQ(t.query, "value1=a&b=c");
  EXPECT_EQ(split_target("/healthz").query, "");
  EXPECT_EQ(split_target("/healthz#frag").path, "/healthz");
}

TEST(Route, TriggerUrls) {
  Route r = route("/trigger/button_pressed/with/key/abc");
  EXPECT_EQ(r.kind, RouteKind::kTrigger);
  EXPECT_EQ(r.event, "button_pressed");
  EXPECT_EQ(r.key, "abc");

  r = route("/trigger/button_pressed/json/with/key/abc");
  EXPECT_EQ(r.kind, RouteKind::kTriggerJson);
  EXPECT_EQ(r.event, "button_pressed");
  EXPECT_EQ(r.key, "abc");
}

TEST(Route, SegmentsAreDecodedAfterSplitting) {
  Route r = route("/trigger/a%2Fb/with/key/k%20ey");
  EXPECT_EQ(r.kind, RouteKind::kTrigger);
  EXPECT_EQ(r.event, "a/b");  // and valid_event_name refuses it later
  EXPECT_EQ(r.key, "k ey");
}

TEST(Route, EmptyEventStillRoutesSoItCanBeRefusedWith400) {
  Route r = route("/trigger//with/key/k");
  EXPECT_EQ(r.kind, RouteKind::kTrigger);
  EXPECT_EQ(r.event, "");
}

TEST(Route, EverythingElseIsNotFound) {
  for (const char* path : {"", "/dashboard", "/api", "/metrics/", "/trigger", "/trigger/e/with/key", "/trigger/e/with/key/k/",
                           "/trigger/e/json/with/key", "/trigger/e/with/lock/k", "/api/events/1",
                           "/healthz/", "/HEALTHZ", "trigger/e/with/key/k",
                           // Longer than any route (the splitter stops counting at 7).
                           "/trigger/e/json/with/key/k/", "/trigger/e/json/with/key/k/x/y/z",
                           "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p"}) {
    EXPECT_EQ(route(path).kind, RouteKind::kNotFound) << path;
  }
}

TEST(Route, DashboardMetricsAndTheirApi) {
  EXPECT_EQ(route("/").kind, RouteKind::kDashboard);
  EXPECT_EQ(route("/api/dashboard").kind, RouteKind::kDashboardData);
  EXPECT_EQ(route("/api/runs").kind, RouteKind::kRuns);
  EXPECT_EQ(route("/api/login").kind, RouteKind::kLogin);
  EXPECT_EQ(route("/api/test-event").kind, RouteKind::kTestEvent);
  EXPECT_EQ(route("/metrics").kind, RouteKind::kMetrics);
  EXPECT_TRUE(method_allowed(RouteKind::kTestEvent, "POST"));
  EXPECT_FALSE(method_allowed(RouteKind::kTestEvent, "GET"));
  EXPECT_FALSE(method_allowed(RouteKind::kMetrics, "POST"));
}

TEST(Route, MethodsPerRoute) {
  EXPECT_TRUE(method_allowed(RouteKind::kTrigger, "GET"));
  EXPECT_TRUE(method_allowed(RouteKind::kTrigger, "POST"));
  EXPECT_FALSE(method_allowed(RouteKind::kTrigger, "PUT"));
  EXPECT_TRUE(method_allowed(RouteKind::kEvents, "GET"));
  EXPECT_FALSE(method_allowed(RouteKind::kEvents, "POST"));
  EXPECT_FALSE(method_allowed(RouteKind::kHealth, "DELETE"));
  EXPECT_EQ(allowed_methods(RouteKind::kTriggerJson), "GET, POST");
}

TEST(ValidEventName, LengthAndCharacters) {
  EXPECT_TRUE(valid_event_name("button_pressed"));
  EXPECT_TRUE(valid_event_name("a.b-C_9"));
  EXPECT_TRUE(valid_event_name(std::string(128, 'x')));
  EXPECT_FALSE(valid_event_name(std::string(129, 'x')));
  EXPECT_FALSE(valid_event_name(""));
  for (const char* bad : {"a b", "a/b", "é", "a?b", "a\nb", "a%20b", "{{EventName}}"}) {
    EXPECT_FALSE(valid_event_name(bad)) << bad;
  }
}

}  // namespace
}  // namespace hub
