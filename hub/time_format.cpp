#include "time_format.h"

#include <charconv>
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

// Civil dates from and to days since 1970-01-01 (proleptic Gregorian, the
// algorithms of Howard Hinnant's "chrono-compatible low-level date
// algorithms"). The store formats and parses a timestamp for every event
// and action run it writes or reads; gmtime_r/timegm with snprintf/sscanf
// cost more than the SQLite statement they feed (time zone locks, locale).
namespace {

struct Civil {
  long long year;
  unsigned month, day;  // 1-based
};

Civil civil_from_days(long long z) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<long long>(yoe) + era * 400 + (m <= 2), m, d};
}

long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

long long floor_div(long long a, long long b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Writes `n` (0 <= n < 10^width) as exactly `width` digits.
char* put_digits(char* out, long long n, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
  return out + width;
}

// A time as its UTC date and the milliseconds into that day.
struct CivilTime {
  Civil date;
  long long ms_in_day;
};

CivilTime civil_time(TimePoint t) {
  const long long ms = t.time_since_epoch().count();
  const long long days = floor_div(ms, 86400000);
  return {civil_from_days(days), ms - days * 86400000};
}

// Exactly `width` ASCII digits, or -1.
int get_digits(std::string_view s, std::size_t at, int width) {
  int n = 0;
  for (int i = 0; i < width; ++i) {
    const char c = s[at + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::string format_iso8601(TimePoint t) {
  const auto [c, in_day] = civil_time(t);
  if (c.year < 0 || c.year > 9999) {
    // Out of the fixed-width range: the general (slow) path.
    int rem = 0;
    std::tm tm = utc(t, &rem);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rem);
    return buf;
  }
  char buf[24];
  char* p = put_digits(buf, c.year, 4);
  *p++ = '-';
  p = put_digits(p, c.month, 2);
  *p++ = '-';
  p = put_digits(p, c.day, 2);
  *p++ = 'T';
  p = put_digits(p, in_day / 3600000, 2);
  *p++ = ':';
  p = put_digits(p, in_day / 60000 % 60, 2);
  *p++ = ':';
  p = put_digits(p, in_day / 1000 % 60, 2);
  *p++ = '.';
  p = put_digits(p, in_day % 1000, 3);
  *p++ = 'Z';
  return std::string(buf, static_cast<std::size_t>(p - buf));
}

std::optional<TimePoint> parse_iso8601(std::string_view s) {
  // Fixed width: "YYYY-MM-DDTHH:MM:SS.mmmZ" is 24 characters.
  if (s.size() != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != '.' || s[23] != 'Z') {
    return std::nullopt;
  }
  const int year = get_digits(s, 0, 4), month = get_digits(s, 5, 2), day = get_digits(s, 8, 2),
            hour = get_digits(s, 11, 2), minute = get_digits(s, 14, 2),
            second = get_digits(s, 17, 2), ms = get_digits(s, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60 || ms < 0) {
    return std::nullopt;
  }
  const long long days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const long long secs = days * 86400 + hour * 3600 + minute * 60 + second;
  return TimePoint(std::chrono::milliseconds(secs * 1000 + ms));
}

std::string format_occurred_at(TimePoint t) {
  // Every event's log line and email says this: written by hand like
  // format_iso8601 (snprintf was 85 % of the cost, the writer's own work).
  const auto [c, in_day] = civil_time(t);
  if (c.year >= 0 && c.year <= 9999) {
    const int hour = static_cast<int>(in_day / 3600000), minute = static_cast<int>(in_day / 60000 % 60);
    const int hour12 = hour % 12 == 0 ? 12 : hour % 12;
    std::string out = kMonths[c.month - 1];
    char digits[24];
    auto number = [&](long long n) {
      out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
    };
    out += ' ';
    number(c.day);
    out += ", ";
    number(c.year);
    out += " at ";
    char clock[5];
    put_digits(clock, hour12, 2);
    clock[2] = ':';
    put_digits(clock + 3, minute, 2);
    out.append(clock, sizeof clock);
    out += hour < 12 ? "AM" : "PM";
    return out;
  }
  std::tm tm = utc(t, nullptr);
  int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %d, %d at %02d:%02d%s", kMonths[tm.tm_mon], tm.tm_mday,
                tm.tm_year + 1900, hour12, tm.tm_min, tm.tm_hour < 12 ? "AM" : "PM");
  return buf;
}

}  // namespace hub
