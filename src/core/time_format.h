#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace limbo::core {

// "2026-11-27T04:08:08Z" (milliseconds are dropped unless non-zero: "…08.250Z").
std::string FormatIso8601(TimeMs t);
std::optional<TimeMs> ParseIso8601(std::string_view s);
// Parses "60s", "5m", "2h", "1d" or a bare number of seconds; nullopt when malformed.
std::optional<TimeMs> ParseDuration(std::string_view s);
// ceil((until - now) / 1 day), never below 0 (SPEC T6).
int DaysRemaining(TimeMs now, TimeMs until);

}  // namespace limbo::core
