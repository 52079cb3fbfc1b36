// Timestamps: stored as ISO 8601 UTC with milliseconds, shown to people the
// way IFTTT shows {{OccurredAt}}. Everything is UTC; the hub has no time zone.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hub {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::milliseconds>;

TimePoint now_ms();

// "2026-11-25T06:30:00.123Z"
std::string format_iso8601(TimePoint t);
// Reads exactly the format above back; nullopt for anything else.
std::optional<TimePoint> parse_iso8601(std::string_view s);

// IFTTT's OccurredAt: "November 25, 2026 at 06:30AM" (UTC): day without a
// leading zero, 12-hour clock with one, no space before AM/PM.
std::string format_occurred_at(TimePoint t);

}  // namespace hub
