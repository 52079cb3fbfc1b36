// The request handler without sockets: every status, every body source.
#include "handler.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "applets_config.h"
#include "sqlite_store.h"
#include "temp_dir.h"

namespace hub {
namespace {

using nlohmann::json;

constexpr char kKey[] = "secret-key";
constexpr char kOtherKey[] = "other-key";
constexpr char kInvalidKeyBody[] = R"({"errors":[{"message":"You sent an invalid key."}]})";

TimePoint fixed_time() {
  return *parse_iso8601("2026-11-25T06:30:00.123Z");
}

Request make_request(std::string method, std::string target, std::string body = {},
                     HeaderList headers = {}) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.remote = "127.0.0.1:40312";
  return r;
}

HeaderList json_type() {
  return {{"Content-Type", "application/json"}};
}

class HandlerTest : public ::testing::Test {
 protected:
  HandlerTest() : store_(store_options()), keys_({{"button", kKey}, {"", kOtherKey}}) {
    options_.keys = &keys_;
    options_.body_limit = 1024;
    options_.clock = fixed_time;
  }
  SqliteOptions store_options() {
    SqliteOptions o{dir_.file("hub.db")};
    o.planner = [](const EventRecord& e) { return plan_runs(default_applets(), e); };
    return o;
  }
  // The action runs committed with events: one per new event (the log applet).
  std::vector<RunRecord> runs() {
    RunQuery q;
    q.limit = 1000;
    return store_.runs(q);
  }

  Response call(const Request& r) { return handle(r, store_, options_); }
  std::vector<EventRecord> events(const std::string& key_id = "button") {
    EventQuery q;
    q.key_id = key_id;
    q.limit = 1000;
    return store_.list(q);
  }
  void expect_json_error(const Response& r, int status, const std::string& message_part) {
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.content_type, "application/json");
    json body = json::parse(r.body);
    std::string message = body.at("errors").at(0).at("message");
    EXPECT_NE(message.find(message_part), std::string::npos) << message;
  }

  testing::TempDir dir_;
  SqliteStore store_;
  KeyRing keys_;
  HandlerOptions options_;
};

TEST_F(HandlerTest, PostWithJsonBodyAsInIftttsDocs) {
  Response r = call(make_request("POST", "/trigger/button_pressed/with/key/secret-key",
                                 R"({"value1":"micropython1"})", json_type()));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.body, "Congratulations! You've fired the button_pressed event");

  auto stored = events();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].event, "button_pressed");
  EXPECT_EQ(stored[0].key_id, "button");
  EXPECT_EQ(stored[0].value1, "micropython1");
  EXPECT_EQ(stored[0].value2, "");
  EXPECT_EQ(stored[0].json_payload, std::nullopt);
  EXPECT_EQ(format_iso8601(stored[0].occurred_at), "2026-11-25T06:30:00.123Z");
  EXPECT_EQ(stored[0].remote_addr, "127.0.0.1:40312");
  EXPECT_EQ(stored[0].idempotency_key, std::nullopt);
  ASSERT_EQ(runs().size(), 1u);
  EXPECT_EQ(runs()[0].event_id, stored[0].id);
}

TEST_F(HandlerTest, FormBody) {
  Response r =
      call(make_request("POST", "/trigger/e/with/key/secret-key", "value1=a+b&value2=%C3%A9",
                        {{"Content-Type", "application/x-www-form-urlencoded"}}));
  EXPECT_EQ(r.status, 200);
  auto stored = events();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].value1, "a b");
  EXPECT_EQ(stored[0].value2, "\xc3\xa9");
}

TEST_F(HandlerTest, GetWithQueryString) {
  Response r = call(make_request("GET", "/trigger/e/with/key/secret-key?value1=x&value3=z"));
  EXPECT_EQ(r.status, 200);
  auto stored = events();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].value1, "x");
  EXPECT_EQ(stored[0].value3, "z");
}

TEST_F(HandlerTest, BodyWinsOverQueryPerField) {
  Response r = call(make_request("POST", "/trigger/e/with/key/secret-key?value1=q&value2=q",
                                 R"({"value1":"body"})", json_type()));
  EXPECT_EQ(r.status, 200);
  auto stored = events();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].value1, "body");
  EXPECT_EQ(stored[0].value2, "q");
}

TEST_F(HandlerTest, JsonUrlStoresTheWholeBody) {
  const std::string body = R"({"temperature": 21.5, "tags": ["a", "b"]})";
  Response r = call(make_request("POST", "/trigger/reading/json/with/key/secret-key?value1=q", body,
                                 json_type()));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Congratulations! You've fired the reading JSON event");
  auto stored = events();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].json_payload, body);
  EXPECT_EQ(stored[0].value1, "");
}

TEST_F(HandlerTest, JsonUrlWithoutBodyStoresAnEmptyPayload) {
  Response r = call(make_request("GET", "/trigger/reading/json/with/key/secret-key"));
  EXPECT_EQ(r.status, 200);
  auto stored = events();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].json_payload, "");
}

TEST_F(HandlerTest, JsonUrlMalformedBodyIs400) {
  Response r =
      call(make_request("POST", "/trigger/e/json/with/key/secret-key", "{nope", json_type()));
  expect_json_error(r, 400, "Malformed JSON body: ");
  EXPECT_TRUE(events().empty());
}

TEST_F(HandlerTest, BadKeyIs401WithIftttsBody) {
  for (const char* target : {"/trigger/e/with/key/wrong", "/trigger/e/json/with/key/wrong",
                             "/trigger/e/with/key/", "/trigger/e/with/key/secret-key%20"}) {
    Response r = call(make_request("POST", target, R"({"value1":"x"})", json_type()));
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.body, kInvalidKeyBody);
  }
  EXPECT_TRUE(events().empty());
  EXPECT_TRUE(runs().empty());
}

TEST_F(HandlerTest, MalformedJsonBodyIs400NamingTheProblem) {
  Response r = call(
      make_request("POST", "/trigger/e/with/key/secret-key", R"({"value1": "x")", json_type()));
  expect_json_error(r, 400, "Malformed JSON body: ");
  expect_json_error(r, 400, "line 1");
  EXPECT_TRUE(events().empty());
}

TEST_F(HandlerTest, JsonThatIsNotAnObjectIs400) {
  Response r = call(make_request("POST", "/trigger/e/with/key/secret-key", "[1]", json_type()));
  expect_json_error(r, 400, "object");
}

TEST_F(HandlerTest, InvalidEventNamesAre400) {
  for (std::string event :
       {std::string(129, 'a'), std::string("a%20b"), std::string("%C3%A9"), std::string("")}) {
    Response r = call(make_request("POST", "/trigger/" + event + "/with/key/secret-key"));
    expect_json_error(r, 400, "Event names");
  }
  EXPECT_EQ(call(make_request("POST", "/trigger/" + std::string(128, 'a') + "/with/key/secret-key"))
                .status,
            200);
}

TEST_F(HandlerTest, BodyOverTheLimitIs413) {
  Response r = call(make_request("POST", "/trigger/e/with/key/secret-key",
                                 R"({"value1":")" + std::string(2000, 'x') + R"("})", json_type()));
  expect_json_error(r, 413, "too large");
  EXPECT_TRUE(events().empty());
}

TEST_F(HandlerTest, UnknownPathIs404) {
  expect_json_error(call(make_request("GET", "/nope")), 404, "Not found");
  expect_json_error(call(make_request("GET", "/trigger/e/with/key/secret-key/extra")), 404,
                    "Not found");
}

TEST_F(HandlerTest, WrongMethodOnAKnownPathIs405WithAllow) {
  Response r = call(make_request("PUT", "/trigger/e/with/key/secret-key"));
  expect_json_error(r, 405, "not allowed");
  EXPECT_EQ(r.header("Allow"), "GET, POST");
  r = call(make_request("POST", "/api/events?key=secret-key"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET");
  EXPECT_EQ(call(make_request("DELETE", "/healthz")).status, 405);
}

TEST_F(HandlerTest, HealthIsOk) {
  Response r = call(make_request("GET", "/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.content_type, "text/plain");
}

TEST_F(HandlerTest, IdempotencyKeyReplaysTheOriginalReply) {
  HeaderList headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", "press-1"}};
  Response first =
      call(make_request("POST", "/trigger/e/with/key/secret-key", R"({"value1":"a"})", headers));
  // The retry names another event; the original answer comes back anyway.
  Response again = call(
      make_request("POST", "/trigger/other/with/key/secret-key", R"({"value1":"b"})", headers));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.header("Idempotent-Replayed"), std::nullopt);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, "Congratulations! You've fired the e event");
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
  auto stored = events();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].value1, "a");
  EXPECT_EQ(stored[0].idempotency_key, "press-1");
  EXPECT_EQ(runs().size(), 1u) << "a replay must not run the applets again";
}

TEST_F(HandlerTest, IdempotencyKeysAreScopedToTheWebhookKey) {
  HeaderList headers = {{"Idempotency-Key", "press-1"}};
  EXPECT_EQ(call(make_request("POST", "/trigger/e/with/key/secret-key", "", headers)).status, 200);
  Response other = call(make_request("POST", "/trigger/e/with/key/other-key", "", headers));
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.header("Idempotent-Replayed"), std::nullopt);
  EXPECT_EQ(events().size(), 1u);
  EXPECT_EQ(events(key_fingerprint(kOtherKey)).size(), 1u);
}

TEST_F(HandlerTest, IdempotencyReplayOfAJsonEventSaysJsonEvent) {
  HeaderList headers = {{"Idempotency-Key", "k"}};
  call(make_request("POST", "/trigger/e/json/with/key/secret-key", "{}", headers));
  Response again = call(make_request("POST", "/trigger/e/with/key/secret-key", "", headers));
  EXPECT_EQ(again.body, "Congratulations! You've fired the e JSON event");
}

TEST_F(HandlerTest, OverlongIdempotencyKeyIs400) {
  Response r = call(make_request("POST", "/trigger/e/with/key/secret-key", "",
                                 {{"Idempotency-Key", std::string(256, 'k')}}));
  expect_json_error(r, 400, "Idempotency-Key");
}

TEST_F(HandlerTest, EventsApiNewestFirstWithPaging) {
  for (int i = 1; i <= 5; ++i) {
    call(make_request("GET", "/trigger/e" + std::to_string(i) +
                                 "/with/key/secret-key?value1=" + std::to_string(i)));
  }
  call(make_request("GET", "/trigger/not_mine/with/key/other-key"));

  Response r = call(make_request("GET", "/api/events?key=secret-key"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  json all = json::parse(r.body);
  ASSERT_EQ(all.size(), 5u) << "another key's events are not listed";
  EXPECT_EQ(all[0]["event"], "e5");
  EXPECT_EQ(all[4]["event"], "e1");
  EXPECT_EQ(all[0]["value1"], "5");
  EXPECT_EQ(all[0]["key_id"], "button");
  EXPECT_EQ(all[0]["occurred_at"], "2026-11-25T06:30:00.123Z");
  EXPECT_TRUE(all[0]["json_payload"].is_null());
  EXPECT_TRUE(all[0]["idempotency_key"].is_null());
  EXPECT_EQ(all[0]["remote_addr"], "127.0.0.1:40312");

  json page = json::parse(call(make_request("GET", "/api/events?key=secret-key&limit=2")).body);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[1]["event"], "e4");
  std::int64_t before = page[1]["id"];
  json next = json::parse(call(make_request("GET", "/api/events?key=secret-key&limit=2&before=" +
                                                       std::to_string(before)))
                              .body);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0]["event"], "e3");
  EXPECT_EQ(next[1]["event"], "e2");
}

TEST_F(HandlerTest, EventsApiAcceptsABearerToken) {
  call(make_request("GET", "/trigger/e/with/key/secret-key"));
  Response r =
      call(make_request("GET", "/api/events", "", {{"Authorization", "Bearer secret-key"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).size(), 1u);
}

TEST_F(HandlerTest, EventsApiBadKeyIs401) {
  for (const Request& r :
       {make_request("GET", "/api/events"), make_request("GET", "/api/events?key=wrong"),
        make_request("GET", "/api/events", "", {{"Authorization", "Bearer wrong"}})}) {
    Response resp = call(r);
    EXPECT_EQ(resp.status, 401);
    EXPECT_EQ(resp.body, kInvalidKeyBody);
  }
}

TEST_F(HandlerTest, EventsApiLimitAndBeforeAreChecked) {
  for (const char* q : {"limit=0", "limit=-1", "limit=abc", "limit=", "before=0", "before=x"}) {
    Response r = call(make_request("GET", std::string("/api/events?key=secret-key&") + q));
    EXPECT_EQ(r.status, 400) << q;
  }
  EXPECT_EQ(call(make_request("GET", "/api/events?key=secret-key&limit=100000")).status, 200);
}

class FailingStore : public Store {
 public:
  void append_async(EventRecord, AppendCallback done) override {
    done(AppendOutcome{std::nullopt, "disk I/O error in /secret/path.db"});
  }
  std::vector<EventRecord> list(const EventQuery&) override { throw StoreError("cannot read"); }
  std::optional<EventRecord> event(std::int64_t) override { throw StoreError("cannot read"); }
  std::vector<ButtonRecord> buttons(const std::string&) override { throw StoreError("cannot read"); }
  std::vector<RunRecord> due_runs(TimePoint, int) override { throw StoreError("cannot read"); }
  std::optional<TimePoint> next_due() override { throw StoreError("cannot read"); }
  void record_attempt_async(RunAttempt, WriteCallback done) override { done("cannot write"); }
  std::vector<RunRecord> runs(const RunQuery&) override { throw StoreError("cannot read"); }
  RunCounts run_counts() override { throw StoreError("cannot read"); }
  std::vector<StoredKey> stored_keys() override { throw StoreError("cannot read"); }
  void add_key(const StoredKey&) override { throw StoreError("cannot write"); }
  bool revoke_key(const std::string&, TimePoint) override { throw StoreError("cannot write"); }
};

TEST_F(HandlerTest, StoreFailureIs500WithoutDetailsAndNoApplet) {
  FailingStore failing;
  std::vector<std::string> logged;
  options_.log_error = [&logged](const std::string& m) { logged.push_back(m); };
  Response r = handle(make_request("POST", "/trigger/e/with/key/secret-key"), failing, options_);
  expect_json_error(r, 500, "try again");
  EXPECT_EQ(r.body.find("/secret/path.db"), std::string::npos);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find("disk I/O error"), std::string::npos);
  EXPECT_TRUE(runs().empty());
  EXPECT_EQ(handle(make_request("GET", "/api/events?key=secret-key"), failing, options_).status,
            500);
}

// What a server may run on its I/O thread: anything under /trigger/ (a
// trigger or a 404, never waiting); reads of the store go to its pool.
TEST(IsTrigger, TriggerPathsRunInlineReadsDoNot) {
  for (const char* target : {"/trigger/pressed/with/key/k", "/trigger/pressed/json/with/key/k?x=1",
                             "/trigger/%70ressed/with/key/k", "/trigger/no-such-route"}) {
    EXPECT_TRUE(is_trigger(make_request("POST", target))) << target;
  }
  for (const char* target : {"/api/events?key=k", "/api/runs", "/api/dashboard", "/metrics", "/",
                             "/healthz", "/triggerx/a/with/key/k", "/api/trigger/a/with/key/k"}) {
    EXPECT_FALSE(is_trigger(make_request("GET", target))) << target;
  }
}

}  // namespace
}  // namespace hub
