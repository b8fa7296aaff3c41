#pragma once

#include "storage/sqlite/connection.h"

namespace limbo::storage::sqlite {

// Applies the numbered migrations this database has not seen yet, each in its own transaction.
// Returns the schema version reached. Safe to run from several processes at once.
int Migrate(Connection& db);

}  // namespace limbo::storage::sqlite
