#include "time_format.h"

#include <cstdio>
#include <ctime>

namespace hub {
namespace {

constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};

std::tm utc(TimePoint t, int* millis) {
  auto ms = t.time_since_epoch().count();
  auto secs = ms / 1000;
  int rem = static_cast<int>(ms % 1000);
  if (rem < 0) {  // before 1970: floor, not truncate
    rem += 1000;
    --secs;
  }
  if (millis) *millis = rem;
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}

}  // namespace

TimePoint now_ms() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now());
}

std::string format_iso8601(TimePoint t) {
  int ms = 0;
  std::tm tm = utc(t, &ms);
  char buf[80];  // room for any int the format could see
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::optional<TimePoint> parse_iso8601(std::string_view s) {
  // Fixed width: "YYYY-MM-DDTHH:MM:SS.mmmZ" is 24 characters.
  if (s.size() != 24) return std::nullopt;
  std::string str(s);
  std::tm tm{};
  int ms = 0, consumed = 0;
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &consumed) != 7 ||
      consumed != 24) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t secs = timegm(&tm);
  return TimePoint(std::chrono::milliseconds(static_cast<long long>(secs) * 1000 + ms));
}

std::string format_occurred_at(TimePoint t) {
  std::tm tm = utc(t, nullptr);
  int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %d, %d at %02d:%02d%s", kMonths[tm.tm_mon], tm.tm_mday,
                tm.tm_year + 1900, hour12, tm.tm_min, tm.tm_hour < 12 ? "AM" : "PM");
  return buf;
}

}  // namespace hub
