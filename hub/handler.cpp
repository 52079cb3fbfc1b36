// Triggers (IFTTT's API), /api/events, and the routing of everything else.
#include "handler.h"

#include <algorithm>
#include <charconv>
#include <future>

#include "api.h"
#include "router.h"
#include "values.h"

namespace hub {
namespace api {

Response invalid_key() {
  return json_error(401, kInvalidKeyMessage);
}

Response json_response(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.content_type = std::string(kApplicationJson);
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  for (auto& [n, v] : parse_urlencoded(query)) {
    if (n == name) return std::move(v);
  }
  return std::nullopt;
}

std::optional<long long> parse_integer(std::string_view s) {
  long long n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

std::optional<std::string> authenticate(const Request& request, std::string_view query,
                                        const HandlerOptions& options, bool allow_session) {
  if (!options.keys) return std::nullopt;
  if (auto auth = request.header("Authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (auth->size() > kBearer.size() && iequals(auth->substr(0, kBearer.size()), kBearer)) {
      auto match = options.keys->find(auth->substr(kBearer.size()));
      return match ? std::optional<std::string>(match->id) : std::nullopt;
    }
  }
  if (auto key = query_param(query, "key")) {
    auto match = options.keys->find(*key);
    return match ? std::optional<std::string>(match->id) : std::nullopt;
  }
  if (allow_session && options.sessions) {
    if (auto cookies = request.header("Cookie")) {
      if (auto token = cookie_value(*cookies, kSessionCookie)) {
        auto id = options.sessions->key_id(*token, options.clock ? options.clock() : now_ms());
        if (id && options.keys->has_id(*id)) return id;
      }
    }
  }
  return std::nullopt;
}

nlohmann::json event_json(const EventRecord& e) {
  using nlohmann::json;
  return {{"id", e.id},
          {"event", e.event},
          {"key_id", e.key_id},
          {"value1", e.value1},
          {"value2", e.value2},
          {"value3", e.value3},
          {"json_payload", e.json_payload ? json(*e.json_payload) : json()},
          {"occurred_at", format_iso8601(e.occurred_at)},
          {"remote_addr", e.remote_addr},
          {"idempotency_key", e.idempotency_key ? json(*e.idempotency_key) : json()},
          {"button_id", e.button_id ? json(*e.button_id) : json()},
          {"battery_mv", e.battery_mv ? json(*e.battery_mv) : json()}};
}

void store_event(EventRecord event, Store& store, const HandlerOptions& options, Respond done) {
  // No waiting here: the store calls back once the event's batch is
  // committed, so one fsync answers every request in the batch.
  store.append_async(std::move(event), [&options, done = std::move(done)](AppendOutcome outcome) {
    if (!outcome.result) {
      // The store's message may name files; the client gets a generic reply.
      if (options.log_error) options.log_error(outcome.error);
      return done(json_error(500, "Storage failure; try again later"));
    }
    const AppendResult& stored = *outcome.result;
    if (options.metrics) {
      if (stored.duplicate)
        options.metrics->event_replayed();
      else
        options.metrics->event_accepted();
    }
    // A replay answers as the original request was answered, whatever this one asked.
    Response r =
        text(200, congratulations(stored.event.event, stored.event.json_payload.has_value()));
    if (stored.duplicate) r.headers.emplace_back("Idempotent-Replayed", "true");
    r.headers.emplace_back("X-Event-Id", std::to_string(stored.event.id));
    done(std::move(r));
  });
}

}  // namespace api

namespace {

using namespace api;

Response list_events(const Request& request, std::string_view query, Store& store,
                     const HandlerOptions& options) {
  auto key_id = authenticate(request, query, options, /*allow_session=*/false);
  if (!key_id) return invalid_key();

  EventQuery q;
  q.key_id = *key_id;
  q.limit = kDefaultEventsLimit;
  if (auto limit = query_param(query, "limit")) {
    auto n = parse_integer(*limit);
    if (!n || *n < 1) return json_error(400, "limit must be a positive integer");
    q.limit = static_cast<int>(std::min<long long>(*n, kMaxEventsLimit));
  }
  if (auto before = query_param(query, "before")) {
    auto n = parse_integer(*before);
    if (!n || *n < 1) return json_error(400, "before must be a positive event id");
    q.before = *n;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const EventRecord& e : store.list(q)) out.push_back(event_json(e));
  return json_response(200, out);
}

void trigger(const Request& request, const Route& route, std::string_view query, Store& store,
             const HandlerOptions& options, Respond done) {
  const bool json_url = route.kind == RouteKind::kTriggerJson;
  auto key = options.keys ? options.keys->find(route.key) : std::nullopt;
  if (!key) return done(invalid_key());
  if (!valid_event_name(route.event)) {
    return done(json_error(400, "Event names are 1 to 128 characters of A-Z a-z 0-9 _ . -"));
  }

  EventRecord event;
  event.event = route.event;
  event.key_id = key->id;
  event.remote_addr = request.remote;
  if (json_url) {
    std::string error = check_json_payload(request.body);
    if (!error.empty()) return done(json_error(400, error));
    event.json_payload = request.body;
    Values device = device_fields_from_json_payload(request.body);
    event.button_id = device.button_id;
    event.battery_mv = device.battery_mv;
  } else {
    ValuesResult values =
        trigger_values(request.header("Content-Type").value_or(""), request.body, query);
    if (!values) return done(json_error(400, values.error));
    event.value1 = values.values.value1.value_or("");
    event.value2 = values.values.value2.value_or("");
    event.value3 = values.values.value3.value_or("");
    // The tutorial's button sends its id as value1.
    event.button_id = values.values.button_id ? values.values.button_id : values.values.value1;
    event.battery_mv = values.values.battery_mv;
  }
  if (event.button_id && event.button_id->empty()) event.button_id.reset();
  if (auto idem = request.header("Idempotency-Key"); idem && !idem->empty()) {
    if (idem->size() > kMaxIdempotencyKeyLength) {
      return done(json_error(400, "Idempotency-Key is longer than 255 characters"));
    }
    event.idempotency_key = std::string(*idem);
  }
  event.occurred_at = options.clock ? options.clock() : now_ms();
  store_event(std::move(event), store, options, std::move(done));
}

// Counts a trigger's answer (accepted ones are counted by store_event).
Respond measured(const HandlerOptions& options, Respond done) {
  if (!options.metrics) return done;
  return [metrics = options.metrics, started = std::chrono::steady_clock::now(),
          done = std::move(done)](Response r) {
    metrics->trigger_answered(std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started));
    if (r.status != 200) metrics->event_rejected(r.status);
    done(std::move(r));
  };
}

}  // namespace

std::string congratulations(std::string_view event, bool json_url) {
  std::string body = "Congratulations! You've fired the ";
  body += event;
  body += json_url ? " JSON event" : " event";
  return body;
}

bool is_trigger(const Request& request) {
  // Every path under /trigger/ is a trigger or a 404, both answered without
  // waiting; route() would also decode the event and the key, which
  // handle_async does again.
  constexpr std::string_view kPrefix = "/trigger/";
  return split_target(request.target).path.substr(0, kPrefix.size()) == kPrefix;
}

void handle_async(const Request& request, Store& store, const HandlerOptions& options,
                  Respond done) {
  const Target target = split_target(request.target);
  const Route r = route(target.path);
  const bool is_trigger_route = r.kind == RouteKind::kTrigger || r.kind == RouteKind::kTriggerJson;
  if (is_trigger_route) done = measured(options, std::move(done));
  if (r.kind == RouteKind::kNotFound) return done(json_error(404, "Not found"));
  if (!method_allowed(r.kind, request.method)) {
    Response resp = json_error(405, "Method not allowed");
    resp.headers.emplace_back("Allow", std::string(allowed_methods(r.kind)));
    return done(std::move(resp));
  }
  if (request.body.size() > options.body_limit) {
    return done(json_error(413, "Request body too large"));
  }
  if (is_trigger_route) return trigger(request, r, target.query, store, options, std::move(done));
  if (r.kind == RouteKind::kTestEvent) {
    return test_event(request, target.query, store, options, std::move(done));
  }
  Response now;
  try {
    switch (r.kind) {
      case RouteKind::kHealth: now = text(200, "ok"); break;
      case RouteKind::kEvents: now = list_events(request, target.query, store, options); break;
      case RouteKind::kDashboard: now = dashboard_page(); break;
      case RouteKind::kDashboardData:
        now = dashboard_data(request, target.query, store, options);
        break;
      case RouteKind::kRuns: now = list_runs(request, target.query, store, options); break;
      case RouteKind::kLogin: now = login(request, options); break;
      case RouteKind::kLogout: now = logout(request, options); break;
      case RouteKind::kMetrics: now = metrics(store, options); break;
      default: now = json_error(404, "Not found"); break;
    }
  } catch (const std::exception& e) {
    // The store's message may name files; the client gets a generic reply.
    if (options.log_error) options.log_error(e.what());
    now = json_error(500, "Storage failure; try again later");
  }
  done(std::move(now));
}

Response handle(const Request& request, Store& store, const HandlerOptions& options) {
  std::promise<Response> promise;
  std::future<Response> future = promise.get_future();
  handle_async(request, store, options, [&promise](Response r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace hub
