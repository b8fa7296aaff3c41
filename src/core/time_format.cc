#include "core/time_format.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace limbo::core {

namespace {

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
void CivilFromDays(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

char* Digits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace

// Written by hand: snprintf and gmtime_r were a sixth of a Trash listing's cost (two per item).
std::string FormatIso8601(TimeMs t) {
  TimeMs secs = t >= 0 ? t / 1000 : (t - 999) / 1000;
  int ms = static_cast<int>(t - secs * 1000);
  TimeMs days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  auto sod = static_cast<unsigned>(secs - days * 86400);
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  if (year < 0 || year > 9999) {
    // Outside four digits: the general path, as before.
    std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];  // room for any int the fields can hold, so snprintf never truncates
    if (ms == 0) {
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                    tm.tm_hour, tm.tm_min, tm.tm_sec);
    } else {
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    }
    return buf;
  }
  char buf[32];
  char* p = Digits(buf, static_cast<unsigned>(year), 4);
  *p++ = '-';
  p = Digits(p, month, 2);
  *p++ = '-';
  p = Digits(p, day, 2);
  *p++ = 'T';
  p = Digits(p, sod / 3600, 2);
  *p++ = ':';
  p = Digits(p, sod / 60 % 60, 2);
  *p++ = ':';
  p = Digits(p, sod % 60, 2);
  if (ms != 0) {
    *p++ = '.';
    p = Digits(p, static_cast<unsigned>(ms), 3);
  }
  *p++ = 'Z';
  return std::string(buf, p);
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
