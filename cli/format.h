#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace limbo::cli {

// "0 B", "512 B", "1.5 KiB", "3.2 GiB".
std::string FormatBytes(std::uint64_t bytes);

// "2026-11-27T04:08:08Z" → "2026-11-27 04:08 UTC"; anything else is returned unchanged.
std::string FormatTime(const std::string& iso);
// Epoch seconds (as the official client's fields carry times) → "2026-11-27 04:08 UTC".
std::string FormatEpochSeconds(std::int64_t seconds);

// A field of a JSON object as display text: strings as is, numbers and booleans printed,
// null or missing as `fallback`.
std::string Text(const nlohmann::json& object, const char* field, const std::string& fallback = "-");

// object[field] when `object` is an object whose `field` has the same JSON type as `fallback`;
// otherwise `fallback`. Server answers are read through this, so an unexpected shape degrades
// to an empty value instead of an exception.
nlohmann::json Field(const nlohmann::json& object, const char* field, nlohmann::json fallback);

// True only when `field` is the boolean true.
bool Flag(const nlohmann::json& object, const char* field);

// "1 day", "30 days".
std::string Days(std::int64_t days);

}  // namespace limbo::cli
