#pragma once

#include <span>
#include <string_view>

namespace limbo::storage::postgres {

class Connection;

// Brings the database up to the newest schema this binary knows and returns its version. Safe to
// run from several processes at once: each migration runs in one transaction that first locks the
// lock row of schema_migrations, so a second process waits and then finds the work done. Throws
// when the database's schema is newer than this binary.
int Migrate(Connection& db);

// The migrations' texts, in order (tests/unit/storage pins the ones that have shipped).
std::span<const std::string_view> MigrationTexts();

}  // namespace limbo::storage::postgres
