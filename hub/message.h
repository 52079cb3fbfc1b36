// The hub's own request and response types: plain data, no Boost.Beast, so the
// request handling (router, handler, body parsing) is written and tested
// without sockets, and only server.cpp pays Beast's compile time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hub {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // origin-form: "/trigger/e/with/key/k?value1=x"
  HeaderList headers;
  std::string body;
  std::string remote;  // "127.0.0.1:40312"; what the event stores as received-over

  // First header with this name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  HeaderList headers;  // extra headers (Allow, Idempotent-Replayed, ...)

  std::optional<std::string_view> header(std::string_view name) const;
};

bool iequals(std::string_view a, std::string_view b);

// Content-Type values the hub sends.
inline constexpr std::string_view kTextPlain = "text/plain";
inline constexpr std::string_view kApplicationJson = "application/json";

// {"errors":[{"message":"..."}]}, IFTTT's error shape, with the message escaped.
Response json_error(int status, std::string_view message);
Response text(int status, std::string body);

}  // namespace hub
