#include "format.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace limbo::cli {

std::string FormatBytes(std::uint64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), value < 10 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
  return buffer.data();
}

std::string FormatTime(const std::string& iso) {
  // Expect "YYYY-MM-DDTHH:MM:SS[.fff]Z".
  if (iso.size() < 17 || iso[4] != '-' || iso[10] != 'T') return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string FormatEpochSeconds(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(seconds);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y-%m-%d %H:%M UTC", &tm);
  return buffer.data();
}

std::string Text(const nlohmann::json& object, const char* field, const std::string& fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return fallback;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  if (it->is_number_float()) {
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.1f", it->get<double>());
    return buffer.data();
  }
  return it->dump();
}

nlohmann::json Field(const nlohmann::json& object, const char* field, nlohmann::json fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(field);
  if (it == object.end() || it->type() != fallback.type()) return fallback;
  return *it;
}

bool Flag(const nlohmann::json& object, const char* field) { return Field(object, field, false).get<bool>(); }

std::string Days(std::int64_t days) { return std::to_string(days) + (days == 1 ? " day" : " days"); }

}  // namespace limbo::cli
