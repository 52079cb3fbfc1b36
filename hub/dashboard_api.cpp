// The dashboard's routes: the page itself, logging in with a key, the data
// the page shows, "fire a test event" (IFTTT's "Test It"), runs, metrics.
#include "api.h"
#include "dashboard_page.h"
#include "router.h"
#include "values.h"

namespace hub::api {
namespace {

using nlohmann::json;

constexpr int kDashboardEvents = 25;
constexpr int kDashboardRuns = 40;

TimePoint now_of(const HandlerOptions& options) {
  return options.clock ? options.clock() : now_ms();
}

// Cookie-authenticated POSTs must be JSON: a cross-site form cannot send
// that without a CORS preflight the hub never grants (CSRF).
bool is_json_post(const Request& request) {
  return is_json_media_type(media_type(request.header("Content-Type").value_or("")));
}

std::string session_cookie(const std::string& token, std::chrono::milliseconds max_age,
                           bool secure) {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(max_age).count()) +
         (secure ? "; Secure" : "");
}

std::optional<json> json_body(const Request& request) {
  try {
    json doc = json::parse(request.body);
    if (doc.is_object()) return doc;
  } catch (const json::exception&) {
  }
  return std::nullopt;
}

std::string string_or(const json& doc, const char* name, std::string fallback) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : fallback;
}

}  // namespace

json run_json(const RunRecord& r) {
  return {{"id", r.id},
          {"event_id", r.event_id},
          {"event", r.event},
          {"applet", r.applet},
          {"action_index", r.action_index},
          {"kind", r.kind},
          {"status", to_string(r.status)},
          {"attempts", r.attempts},
          {"next_attempt_at", format_iso8601(r.next_attempt_at)},
          {"last_error", r.last_error.empty() ? json() : json(r.last_error)},
          {"created_at", format_iso8601(r.created_at)},
          {"updated_at", format_iso8601(r.updated_at)}};
}

json button_json(const ButtonRecord& b) {
  return {{"button_id", b.button_id},
          {"key_id", b.key_id},
          {"first_seen", format_iso8601(b.first_seen)},
          {"last_seen", format_iso8601(b.last_seen)},
          {"last_event", b.last_event},
          {"last_event_id", b.last_event_id},
          {"presses", b.presses},
          {"battery_mv", b.battery_mv ? json(*b.battery_mv) : json()}};
}

Response dashboard_page() {
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::string(dashboard_html());
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'unsafe-inline'; style-src "
                         "'unsafe-inline'; connect-src 'self'; img-src data:; "
                         "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  return r;
}

Response login(const Request& request, const HandlerOptions& options) {
  if (!is_json_post(request)) return json_error(415, "Send {\"key\":\"...\"} as application/json");
  auto body = json_body(request);
  if (!body) return json_error(400, "Send {\"key\":\"...\"} as application/json");
  auto match = options.keys ? options.keys->find(string_or(*body, "key", "")) : std::nullopt;
  if (!match) return invalid_key();
  if (!options.sessions) return json_error(404, "Dashboard logins are off on this hub");
  const std::string token = options.sessions->create(match->id, now_of(options));
  Response r = json_response(200, {{"key_id", match->id}});
  r.headers.emplace_back("Set-Cookie",
                         session_cookie(token, options.sessions->ttl(), options.secure_cookies));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response logout(const Request& request, const HandlerOptions& options) {
  if (!is_json_post(request)) return json_error(415, "Send the request as application/json");
  if (options.sessions) {
    if (auto cookies = request.header("Cookie")) {
      if (auto token = cookie_value(*cookies, kSessionCookie)) options.sessions->remove(*token);
    }
  }
  Response r = json_response(200, json::object());
  r.headers.emplace_back("Set-Cookie",
                         session_cookie("", std::chrono::milliseconds(0), options.secure_cookies));
  return r;
}

Response dashboard_data(const Request& request, std::string_view query, Store& store,
                        const HandlerOptions& options) {
  auto key_id = authenticate(request, query, options, /*allow_session=*/true);
  if (!key_id) return invalid_key();
  EventQuery events;
  events.key_id = *key_id;
  events.limit = kDashboardEvents;
  RunQuery runs;
  runs.key_id = *key_id;
  runs.limit = kDashboardRuns;
  json out = {{"key_id", *key_id}, {"now", format_iso8601(now_of(options))}};
  out["events"] = json::array();
  for (const EventRecord& e : store.list(events)) out["events"].push_back(event_json(e));
  out["buttons"] = json::array();
  for (const ButtonRecord& b : store.buttons(*key_id)) out["buttons"].push_back(button_json(b));
  out["runs"] = json::array();
  for (const RunRecord& r : store.runs(runs)) out["runs"].push_back(run_json(r));
  const RunCounts counts = store.run_counts();
  out["outbox"] = {{"pending", counts.pending}, {"done", counts.done}, {"failed", counts.failed}};
  Response r = json_response(200, out);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response list_runs(const Request& request, std::string_view query, Store& store,
                   const HandlerOptions& options) {
  auto key_id = authenticate(request, query, options, /*allow_session=*/true);
  if (!key_id) return invalid_key();
  RunQuery q;
  q.key_id = *key_id;
  if (auto event = query_param(query, "event")) {
    auto n = parse_integer(*event);
    if (!n || *n < 1) return json_error(400, "event must be an event id");
    q.event_id = *n;
  }
  if (auto limit = query_param(query, "limit")) {
    auto n = parse_integer(*limit);
    if (!n || *n < 1) return json_error(400, "limit must be a positive integer");
    q.limit = static_cast<int>(std::min<long long>(*n, kMaxEventsLimit));
  }
  json out = json::array();
  for (const RunRecord& r : store.runs(q)) out.push_back(run_json(r));
  return json_response(200, out);
}

void test_event(const Request& request, std::string_view query, Store& store,
                const HandlerOptions& options, Respond done) {
  auto key_id = authenticate(request, query, options, /*allow_session=*/true);
  if (!key_id) return done(invalid_key());
  if (!is_json_post(request)) {
    return done(json_error(415, "Send {\"event\":\"...\",\"value1\":\"...\"} as application/json"));
  }
  auto body = json_body(request);
  if (!body) return done(json_error(400, "Send {\"event\":\"...\",\"value1\":\"...\"}"));
  EventRecord event;
  event.event = string_or(*body, "event", "button_pressed");
  if (!valid_event_name(event.event)) {
    return done(json_error(400, "Event names are 1 to 128 characters of A-Z a-z 0-9 _ . -"));
  }
  event.key_id = *key_id;
  event.value1 = string_or(*body, "value1", "");
  event.value2 = string_or(*body, "value2", "");
  event.value3 = string_or(*body, "value3", "");
  if (!event.value1.empty()) event.button_id = event.value1;
  event.remote_addr = "dashboard " + request.remote;
  event.occurred_at = now_of(options);
  store_event(std::move(event), store, options, [done = std::move(done)](Response r) {
    if (r.status != 200) return done(std::move(r));
    auto id = r.header("X-Event-Id");
    done(json_response(200, {{"message", r.body},
                             {"event_id", id ? std::stoll(std::string(*id)) : 0}}));
  });
}

Response metrics(Store& store, const HandlerOptions& options) {
  if (!options.metrics) return json_error(404, "Not found");
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = options.metrics->render(store.run_counts(), store.commit_stats());
  return r;
}

}  // namespace hub::api
