#include "message.h"

#include <nlohmann/json.hpp>

namespace hub {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::optional<std::string_view> find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [field, value] : headers) {
    if (iequals(field, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  return find_header(headers, name);
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  return find_header(headers, name);
}

Response json_error(int status, std::string_view message) {
  nlohmann::json body = {{"errors", nlohmann::json::array({{{"message", message}}})}};
  Response r;
  r.status = status;
  r.content_type = std::string(kApplicationJson);
  // Invalid UTF-8 in an echoed value must not turn an error reply into an exception.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response text(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = std::string(kTextPlain);
  r.body = std::move(body);
  return r;
}

}  // namespace hub
