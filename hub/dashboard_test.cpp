// The dashboard's API and /metrics through the handler (no sockets):
// signing in trades a key for an HttpOnly session cookie, the cookie reads
// only its key's data, cookie POSTs must be JSON (no cross-site forms),
// "Test It" stores an event with its runs, and /metrics speaks Prometheus.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "applets_config.h"
#include "handler.h"
#include "sqlite_store.h"
#include "temp_dir.h"

namespace hub {
namespace {

using nlohmann::json;

class DashboardTest : public ::testing::Test {
 protected:
  DashboardTest() : store_(options()), keys_({{"home", "home-key"}, {"work", "work-key"}}) {
    handler_.keys = &keys_;
    handler_.sessions = &sessions_;
    handler_.metrics = &metrics_;
  }
  SqliteOptions options() {
    SqliteOptions o{dir_.file("hub.db")};
    o.planner = [](const EventRecord& e) { return plan_runs(default_applets(), e); };
    return o;
  }

  Response call(const std::string& method, const std::string& target, const std::string& body = "",
                HeaderList headers = {}) {
    Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers = std::move(headers);
    r.remote = "127.0.0.1:5000";
    return handle(r, store_, handler_);
  }
  // The session cookie ("bh_session=...") a login with `key` sets.
  std::string login(const std::string& key) {
    Response r = call("POST", "/api/login", json{{"key", key}}.dump(),
                      {{"Content-Type", "application/json"}});
    auto cookie = r.header("Set-Cookie");
    if (r.status != 200 || !cookie) return "";
    return std::string(cookie->substr(0, cookie->find(';')));
  }

  testing::TempDir dir_;
  SqliteStore store_;
  KeyRing keys_;
  Sessions sessions_;
  Metrics metrics_;
  HandlerOptions handler_;
};

TEST_F(DashboardTest, ThePageIsServedWithAStrictPolicyAndNoKeyInside) {
  Response r = call("GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("Fire test event"), std::string::npos);
  EXPECT_NE(r.header("Content-Security-Policy").value_or("").find("default-src 'none'"),
            std::string::npos);
  EXPECT_EQ(r.body.find("home-key"), std::string::npos);
}

TEST_F(DashboardTest, LoginGivesAnHttpOnlyCookieThatReadsOnlyItsKeysData) {
  EXPECT_EQ(call("GET", "/api/dashboard").status, 401);
  EXPECT_EQ(call("POST", "/api/login", R"({"key":"nope"})", {{"Content-Type", "application/json"}})
                .status,
            401);
  EXPECT_EQ(call("POST", "/api/login", "key=home-key",
                 {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            415)
      << "a cross-site form must not log in";

  Response ok = call("POST", "/api/login", R"({"key":"home-key"})",
                     {{"Content-Type", "application/json"}});
  ASSERT_EQ(ok.status, 200);
  const std::string set_cookie(ok.header("Set-Cookie").value_or(""));
  EXPECT_TRUE(std::regex_search(set_cookie, std::regex("^bh_session=[A-Za-z0-9_-]{64}; Path=/; "
                                                       "HttpOnly; SameSite=Strict; Max-Age=43200$")))
      << set_cookie;
  EXPECT_EQ(set_cookie.find("home-key"), std::string::npos);

  ASSERT_EQ(call("GET", "/trigger/pressed/with/key/home-key?value1=kitchen&battery_mv=3300").status,
            200);
  ASSERT_EQ(call("GET", "/trigger/pressed/with/key/work-key?value1=office").status, 200);

  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  Response data = call("GET", "/api/dashboard", "", {{"Cookie", "other=1; " + cookie}});
  ASSERT_EQ(data.status, 200) << data.body;
  json d = json::parse(data.body);
  EXPECT_EQ(d["key_id"], "home");
  ASSERT_EQ(d["events"].size(), 1u);
  EXPECT_EQ(d["events"][0]["value1"], "kitchen");
  ASSERT_EQ(d["buttons"].size(), 1u);
  EXPECT_EQ(d["buttons"][0]["button_id"], "kitchen");
  EXPECT_EQ(d["buttons"][0]["battery_mv"], 3300);
  ASSERT_EQ(d["runs"].size(), 1u);
  EXPECT_EQ(d["runs"][0]["applet"], "log");
  EXPECT_EQ(d["runs"][0]["status"], "pending");  // no outbox runs here

  // The Bearer key works too; logging out ends the session.
  EXPECT_EQ(call("GET", "/api/runs", "", {{"Authorization", "Bearer work-key"}}).status, 200);
  EXPECT_EQ(call("POST", "/api/logout", "{}", {{"Content-Type", "application/json"}, {"Cookie", cookie}})
                .status,
            200);
  EXPECT_EQ(call("GET", "/api/dashboard", "", {{"Cookie", cookie}}).status, 401);
}

TEST_F(DashboardTest, ASessionEndsWhenItsKeyIsRevoked) {
  const std::string secret = generate_key();
  keys_.set_stored({{"garden", sha256_hex(secret), TimePoint{}, std::nullopt}});
  const std::string cookie = login(secret);
  ASSERT_FALSE(cookie.empty());
  EXPECT_EQ(call("GET", "/api/dashboard", "", {{"Cookie", cookie}}).status, 200);
  keys_.set_stored({{"garden", sha256_hex(secret), TimePoint{}, TimePoint{}}});
  EXPECT_EQ(call("GET", "/api/dashboard", "", {{"Cookie", cookie}}).status, 401);
}

TEST_F(DashboardTest, TestItStoresAnEventWithItsRunsLikeAPress) {
  const std::string cookie = login("home-key");
  EXPECT_EQ(call("POST", "/api/test-event", R"({"event":"button_pressed"})",
                 {{"Cookie", cookie}, {"Content-Type", "text/plain"}})
                .status,
            415);
  EXPECT_EQ(call("POST", "/api/test-event", R"({"event":"bad name"})",
                 {{"Cookie", cookie}, {"Content-Type", "application/json"}})
                .status,
            400);
  EXPECT_EQ(call("POST", "/api/test-event", "{}", {{"Content-Type", "application/json"}}).status, 401);
  Response r = call("POST", "/api/test-event", R"({"event":"button_pressed","value1":"dash"})",
                    {{"Cookie", cookie}, {"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["message"], "Congratulations! You've fired the button_pressed event");
  const std::int64_t id = body["event_id"];
  auto stored = store_.event(id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->key_id, "home");
  EXPECT_EQ(stored->value1, "dash");
  EXPECT_EQ(stored->remote_addr, "dashboard 127.0.0.1:5000");
  Response runs = call("GET", "/api/runs?event=" + std::to_string(id), "", {{"Cookie", cookie}});
  ASSERT_EQ(runs.status, 200);
  EXPECT_EQ(json::parse(runs.body).size(), 1u);
  EXPECT_EQ(call("GET", "/api/runs?event=abc", "", {{"Cookie", cookie}}).status, 400);
}

TEST_F(DashboardTest, MetricsCountEventsRejectionsRunsAndLatency) {
  call("GET", "/trigger/a/with/key/home-key");
  call("GET", "/trigger/a/with/key/home-key");
  call("GET", "/trigger/a/with/key/wrong");
  call("POST", "/trigger/a/with/key/home-key", "{", {{"Content-Type", "application/json"}});
  Request replay;
  replay.method = "GET";
  replay.target = "/trigger/a/with/key/home-key";
  replay.headers = {{"Idempotency-Key", "x"}};
  handle(replay, store_, handler_);
  handle(replay, store_, handler_);

  Response r = call("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = r.body;
  for (const char* line : {
           "buttonhook_events_accepted_total 3\n",
           "buttonhook_events_replayed_total 1\n",
           "buttonhook_events_rejected_total{status=\"401\"} 1\n",
           "buttonhook_events_rejected_total{status=\"400\"} 1\n",
           "buttonhook_trigger_duration_seconds_count 6\n",
           "buttonhook_trigger_duration_seconds_bucket{le=\"+Inf\"} 6\n",
           "buttonhook_action_runs{status=\"pending\"} 3\n",
           "buttonhook_outbox_depth 3\n",
           "# TYPE buttonhook_trigger_duration_seconds histogram\n",
           "# TYPE buttonhook_store_commit_duration_seconds histogram\n",
       }) {
    EXPECT_NE(m.find(line), std::string::npos) << line << "\n" << m;
  }
  // Every sample line is NAME{labels} VALUE, and buckets never decrease.
  std::regex sample(R"(^[a-z_]+(\{[a-z]+="[^"]*"\})? [0-9.e+-]+$)");
  std::istringstream in(m);
  std::string line;
  double last_bucket = -1;
  while (std::getline(in, line)) {
    if (line.rfind("#", 0) == 0) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    if (line.rfind("buttonhook_trigger_duration_seconds_bucket", 0) == 0) {
      double v = std::stod(line.substr(line.rfind(' ') + 1));
      EXPECT_GE(v, last_bucket) << line;
      last_bucket = v;
    }
  }
  // The store's commits: some, each with at least one write, each timed.
  auto value = [&m](const std::string& name) {
    const std::size_t at = m.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(m.substr(at + name.size() + 2));
  };
  const double commits = value("buttonhook_store_commits_total");
  EXPECT_GT(commits, 0);
  EXPECT_GE(value("buttonhook_store_committed_writes_total"), commits);
  EXPECT_EQ(value("buttonhook_store_commit_duration_seconds_count"), commits);
  EXPECT_EQ(call("POST", "/metrics").status, 405);
}

// Prometheus buckets count what is at most their bound (`le`).
TEST(LatencyBucket, ABoundBelongsToItsBucketAndSlowerThanAllIsPastTheEnd) {
  EXPECT_EQ(latency_bucket(0), 0u);
  EXPECT_EQ(latency_bucket(0.0005), 0u);
  EXPECT_EQ(latency_bucket(0.0006), 1u);
  EXPECT_EQ(latency_bucket(1), 10u);
  EXPECT_EQ(latency_bucket(5), kLatencyBucketsSeconds.size() - 1);
  EXPECT_EQ(latency_bucket(5.5), kLatencyBucketsSeconds.size());
}

}  // namespace
}  // namespace hub
