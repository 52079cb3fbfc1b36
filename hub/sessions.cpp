#include "sessions.h"

#include "keys.h"

namespace hub {

std::string Sessions::create(const std::string& key_id, TimePoint now) {
  std::string token = generate_key() + generate_key();
  std::lock_guard<std::mutex> lock(mutex_);
  // Expired sessions go when new ones come: the map never grows without bound.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires <= now ? sessions_.erase(it) : std::next(it);
  }
  sessions_[token] = {key_id, now + ttl_};
  return token;
}

std::optional<std::string> Sessions::key_id(std::string_view token, TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second.key_id;
}

void Sessions::remove(std::string_view token) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(token);
  if (it != sessions_.end()) sessions_.erase(it);
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    std::size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

}  // namespace hub
