#include "router.h"

#include <array>

#include "values.h"

namespace hub {
namespace {

// The segments of a path, in place: no route has more than 6, so a path
// with more is "more than 6" (size 7) and matches none. No allocation: this
// runs for every request.
struct Segments {
  std::array<std::string_view, 7> at;
  std::size_t size = 0;
  std::string_view operator[](std::size_t i) const { return at[i]; }
};

Segments split_path(std::string_view path) {
  Segments segments;
  if (path.empty() || path.front() != '/') return segments;
  path.remove_prefix(1);
  while (segments.size < segments.at.size()) {
    std::size_t slash = path.find('/');
    segments.at[segments.size++] = path.substr(0, slash);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

}  // namespace

Target split_target(std::string_view target) {
  // A fragment never reaches a server, but a broken client might send one.
  target = target.substr(0, target.find('#'));
  std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

Route route(std::string_view path) {
  if (path == "/healthz") return {RouteKind::kHealth, {}, {}};
  if (path == "/api/events") return {RouteKind::kEvents, {}, {}};
  if (path == "/" || path == "/index.html") return {RouteKind::kDashboard, {}, {}};
  if (path == "/api/dashboard") return {RouteKind::kDashboardData, {}, {}};
  if (path == "/api/runs") return {RouteKind::kRuns, {}, {}};
  if (path == "/api/login") return {RouteKind::kLogin, {}, {}};
  if (path == "/api/logout") return {RouteKind::kLogout, {}, {}};
  if (path == "/api/test-event") return {RouteKind::kTestEvent, {}, {}};
  if (path == "/metrics") return {RouteKind::kMetrics, {}, {}};
  const Segments s = split_path(path);
  // Segments are decoded after splitting, so an encoded '/' stays inside its segment.
  if (s.size == 5 && s[0] == "trigger" && s[2] == "with" && s[3] == "key") {
    return {RouteKind::kTrigger, percent_decode(s[1], false), percent_decode(s[4], false)};
  }
  if (s.size == 6 && s[0] == "trigger" && s[2] == "json" && s[3] == "with" && s[4] == "key") {
    return {RouteKind::kTriggerJson, percent_decode(s[1], false), percent_decode(s[5], false)};
  }
  return {};
}

bool method_allowed(RouteKind kind, std::string_view method) {
  switch (kind) {
    case RouteKind::kTrigger:
    case RouteKind::kTriggerJson: return method == "GET" || method == "POST";
    case RouteKind::kEvents:
    case RouteKind::kHealth:
    case RouteKind::kDashboard:
    case RouteKind::kDashboardData:
    case RouteKind::kRuns:
    case RouteKind::kMetrics: return method == "GET";
    case RouteKind::kLogin:
    case RouteKind::kLogout:
    case RouteKind::kTestEvent: return method == "POST";
    case RouteKind::kNotFound: return false;
  }
  return false;
}

std::string_view allowed_methods(RouteKind kind) {
  switch (kind) {
    case RouteKind::kTrigger:
    case RouteKind::kTriggerJson: return "GET, POST";
    case RouteKind::kEvents:
    case RouteKind::kHealth:
    case RouteKind::kDashboard:
    case RouteKind::kDashboardData:
    case RouteKind::kRuns:
    case RouteKind::kMetrics: return "GET";
    case RouteKind::kLogin:
    case RouteKind::kLogout:
    case RouteKind::kTestEvent: return "POST";
    case RouteKind::kNotFound: return "";
  }
  return "";
}

bool valid_event_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxEventNameLength) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace hub
