// Dashboard logins: a person types a webhook key once; the browser then
// holds a random session token in an HttpOnly, SameSite=Strict cookie
// instead of the key. Sessions live in memory (a restart logs everyone
// out) and end after `ttl` or at logout; a session of a revoked key stops
// working at once (the handler checks the key is still accepted).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "time_format.h"

namespace hub {

inline constexpr std::string_view kSessionCookie = "bh_session";

class Sessions {
 public:
  explicit Sessions(std::chrono::milliseconds ttl = std::chrono::hours(12)) : ttl_(ttl) {}

  std::string create(const std::string& key_id, TimePoint now);
  std::optional<std::string> key_id(std::string_view token, TimePoint now);
  void remove(std::string_view token);
  std::chrono::milliseconds ttl() const { return ttl_; }

 private:
  struct Session {
    std::string key_id;
    TimePoint expires;
  };
  std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  std::map<std::string, Session, std::less<>> sessions_;
};

// The value of cookie `name` in a Cookie header ("a=1; bh_session=XYZ").
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

}  // namespace hub
