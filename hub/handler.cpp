#include "handler.h"

#include <algorithm>
#include <charconv>
#include <future>
#include <nlohmann/json.hpp>

#include "router.h"
#include "values.h"

namespace hub {
namespace {

Response invalid_key() {
  return json_error(401, kInvalidKeyMessage);
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

// The presented key for /api/events: "Authorization: Bearer KEY" or ?key=KEY.
std::string presented_api_key(const Request& request, std::string_view query) {
  if (auto auth = request.header("Authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (auth->size() > kBearer.size() && iequals(auth->substr(0, kBearer.size()), kBearer)) {
      return std::string(auth->substr(kBearer.size()));
    }
  }
  return query_param(query, "key").value_or("");
}

nlohmann::json to_json(const EventRecord& e) {
  return {{"id", e.id},
          {"event", e.event},
          {"key_id", e.key_id},
          {"value1", e.value1},
          {"value2", e.value2},
          {"value3", e.value3},
          {"json_payload", e.json_payload ? nlohmann::json(*e.json_payload) : nlohmann::json()},
          {"occurred_at", format_iso8601(e.occurred_at)},
          {"remote_addr", e.remote_addr},
          {"idempotency_key",
           e.idempotency_key ? nlohmann::json(*e.idempotency_key) : nlohmann::json()}};
}

Response list_events(const Request& request, std::string_view query, Store& store,
                     const HandlerOptions& options) {
  const HubKey* key =
      options.keys ? options.keys->find(presented_api_key(request, query)) : nullptr;
  if (!key) return invalid_key();

  EventQuery q;
  q.key_id = key->id;
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
  for (const EventRecord& e : store.list(q)) out.push_back(to_json(e));
  Response r;
  r.content_type = std::string(kApplicationJson);
  r.body = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// A trigger's reply once the store has answered (on the store's thread).
void finish_trigger(AppendOutcome outcome, const HandlerOptions& options, const Respond& done) {
  if (!outcome.result) {
    // The store's message may name files; the client gets a generic reply.
    if (options.log_error) options.log_error(outcome.error);
    return done(json_error(500, "Storage failure; try again later"));
  }
  const AppendResult& stored = *outcome.result;
  if (!stored.duplicate && options.on_stored) options.on_stored(stored.event);
  // A replay answers as the original request was answered, whatever this one asked.
  Response r =
      text(200, congratulations(stored.event.event, stored.event.json_payload.has_value()));
  if (stored.duplicate) r.headers.emplace_back("Idempotent-Replayed", "true");
  done(std::move(r));
}

void trigger(const Request& request, const Route& route, std::string_view query, Store& store,
             const HandlerOptions& options, Respond done) {
  const bool json_url = route.kind == RouteKind::kTriggerJson;
  const HubKey* key = options.keys ? options.keys->find(route.key) : nullptr;
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
  } else {
    ValuesResult values =
        trigger_values(request.header("Content-Type").value_or(""), request.body, query);
    if (!values) return done(json_error(400, values.error));
    event.value1 = values.values.value1.value_or("");
    event.value2 = values.values.value2.value_or("");
    event.value3 = values.values.value3.value_or("");
  }
  if (auto idem = request.header("Idempotency-Key"); idem && !idem->empty()) {
    if (idem->size() > kMaxIdempotencyKeyLength) {
      return done(json_error(400, "Idempotency-Key is longer than 255 characters"));
    }
    event.idempotency_key = std::string(*idem);
  }
  event.occurred_at = options.clock ? options.clock() : now_ms();

  // No waiting here: the store calls back once the event's batch is
  // committed, so one fsync answers every request in the batch.
  store.append_async(std::move(event), [&options, done = std::move(done)](AppendOutcome outcome) {
    finish_trigger(std::move(outcome), options, done);
  });
}

}  // namespace

std::string congratulations(std::string_view event, bool json_url) {
  std::string body = "Congratulations! You've fired the ";
  body += event;
  body += json_url ? " JSON event" : " event";
  return body;
}

bool is_trigger(const Request& request) {
  const RouteKind kind = route(split_target(request.target).path).kind;
  return kind == RouteKind::kTrigger || kind == RouteKind::kTriggerJson;
}

void handle_async(const Request& request, Store& store, const HandlerOptions& options,
                  Respond done) {
  const Target target = split_target(request.target);
  const Route r = route(target.path);
  if (r.kind == RouteKind::kNotFound) return done(json_error(404, "Not found"));
  if (!method_allowed(r.kind, request.method)) {
    Response resp = json_error(405, "Method not allowed");
    resp.headers.emplace_back("Allow", std::string(allowed_methods(r.kind)));
    return done(std::move(resp));
  }
  if (request.body.size() > options.body_limit) {
    return done(json_error(413, "Request body too large"));
  }
  if (r.kind == RouteKind::kTrigger || r.kind == RouteKind::kTriggerJson) {
    return trigger(request, r, target.query, store, options, std::move(done));
  }
  Response now;
  try {
    switch (r.kind) {
      case RouteKind::kHealth: now = text(200, "ok"); break;
      case RouteKind::kEvents: now = list_events(request, target.query, store, options); break;
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
