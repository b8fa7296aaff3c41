#pragma once

#include <span>
#include <string_view>

#include "storage/sqlite/connection.h"

namespace limbo::storage::sqlite {

// Applies the numbered migrations this database has not seen yet, each in its own transaction.
// Returns the schema version reached. Safe to run from several processes at once.
int Migrate(Connection& db);

// The migrations' texts, in order (tests/unit/storage pins the ones that have shipped).
std::span<const std::string_view> MigrationTexts();

}  // namespace limbo::storage::sqlite
