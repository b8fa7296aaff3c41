#pragma once

#include <string>
#include <string_view>

namespace limbo::core {

// "My Cats (2024)!" -> "my-cats-2024": lowercase ASCII letters, digits and single dashes.
std::string Slugify(std::string_view name);
// 1-64 chars of [a-z0-9-], starting and ending with a letter or digit.
bool IsValidSlug(std::string_view slug);
// Words that are routes of their own and so never a workspace or project url (SPEC 4.1).
bool IsReservedSlug(std::string_view slug);

}  // namespace limbo::core
