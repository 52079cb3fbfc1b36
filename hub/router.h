// Maps a request target to one of the hub's routes. Pure string work.
#pragma once

#include <string>
#include <string_view>

namespace hub {

enum class RouteKind {
  kNotFound,
  kTrigger,      // /trigger/{event}/with/key/{key}
  kTriggerJson,  // /trigger/{event}/json/with/key/{key}
  kEvents,       // /api/events
  kHealth,       // /healthz
  kDashboard,    // /            the dashboard page
  kDashboardData,  // /api/dashboard
  kRuns,         // /api/runs
  kLogin,        // /api/login
  kLogout,       // /api/logout
  kTestEvent,    // /api/test-event
  kMetrics,      // /metrics
};

struct Route {
  RouteKind kind = RouteKind::kNotFound;
  std::string event;  // percent-decoded path segment (not yet validated)
  std::string key;    // percent-decoded path segment
};

struct Target {
  std::string_view path;
  std::string_view query;  // without the '?'
};

Target split_target(std::string_view target);
Route route(std::string_view path);

// Methods a route accepts, for 405 and its Allow header.
bool method_allowed(RouteKind kind, std::string_view method);
std::string_view allowed_methods(RouteKind kind);

// IFTTT-compatible event names: 1..128 characters of [A-Za-z0-9_.-].
inline constexpr std::size_t kMaxEventNameLength = 128;
bool valid_event_name(std::string_view name);

}  // namespace hub
