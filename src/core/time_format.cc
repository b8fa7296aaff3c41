#include "core/time_format.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace limbo::core {

std::string FormatIso8601(TimeMs t) {
  TimeMs secs = t >= 0 ? t / 1000 : (t - 999) / 1000;
  int ms = static_cast<int>(t - secs * 1000);
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];  // room for any int the fields can hold, so snprintf never truncates
  if (ms == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  }
  return buf;
}

std::optional<TimeMs> ParseIso8601(std::string_view s) {
  int y, mo, d, h, mi, sec, ms = 0;
  char tail[8] = {};
  std::string str(s);
  int n = std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%1s", &y, &mo, &d, &h, &mi, &sec, &ms, tail);
  if (n < 7) {
    ms = 0;
    n = std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%1s", &y, &mo, &d, &h, &mi, &sec, tail);
    if (n != 7 || tail[0] != 'Z') return std::nullopt;
  } else if (tail[0] != 'Z') {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return static_cast<TimeMs>(timegm(&tm)) * 1000 + ms;
}

std::optional<TimeMs> ParseDuration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  TimeMs unit = kSecondMs;
  char last = s.back();
  if (last == 's' || last == 'm' || last == 'h' || last == 'd') {
    unit = last == 's' ? kSecondMs : last == 'm' ? 60 * kSecondMs : last == 'h' ? 3600 * kSecondMs : kDayMs;
    s.remove_suffix(1);
  }
  long long n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || n < 0) return std::nullopt;
  return n * unit;
}

int DaysRemaining(TimeMs now, TimeMs until) {
  if (until <= now) return 0;
  return static_cast<int>((until - now + kDayMs - 1) / kDayMs);
}

}  // namespace limbo::core
