// Pieces the handler's files share (handler.cpp: triggers and the API;
// dashboard_api.cpp: the dashboard, logins, test events, metrics).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "handler.h"

namespace hub::api {

Response invalid_key();
Response json_response(int status, const nlohmann::json& body);
std::optional<std::string> query_param(std::string_view query, std::string_view name);
std::optional<long long> parse_integer(std::string_view s);

// The caller's key id: "Authorization: Bearer KEY", ?key=KEY, or (when
// `allow_session`) a dashboard session cookie of a key still accepted.
std::optional<std::string> authenticate(const Request& request, std::string_view query,
                                        const HandlerOptions& options, bool allow_session);

// Stores an event (and its action runs) and answers with the trigger's
// reply, counting it in the metrics. `done` runs on the store's thread.
void store_event(EventRecord event, Store& store, const HandlerOptions& options, Respond done);

nlohmann::json event_json(const EventRecord& e);
nlohmann::json run_json(const RunRecord& r);
nlohmann::json button_json(const ButtonRecord& b);

// dashboard_api.cpp
Response dashboard_page();
Response login(const Request& request, const HandlerOptions& options);
Response logout(const Request& request, const HandlerOptions& options);
Response dashboard_data(const Request& request, std::string_view query, Store& store,
                        const HandlerOptions& options);
Response list_runs(const Request& request, std::string_view query, Store& store,
                   const HandlerOptions& options);
void test_event(const Request& request, std::string_view query, Store& store,
                const HandlerOptions& options, Respond done);
Response metrics(Store& store, const HandlerOptions& options);

}  // namespace hub::api
