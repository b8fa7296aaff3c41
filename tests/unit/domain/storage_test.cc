// The shared SQL's conventions, checked on the backend the fixture runs (SQLite, or PostgreSQL when
// LIMBO_TEST_DB is set): list parameters carry any text and keep duplicates.
#include <algorithm>

#include "storage/sql/db.h"
#include "support/fixture.h"

namespace limbo::testing {
namespace {

using storage::sql::Dialect;
using storage::sql::ForDialect;

TEST(SqlDialect, NumbersParametersForPostgresAndExpandsLists) {
  EXPECT_EQ(
      ForDialect("SELECT a FROM t WHERE b = ? AND c IN (SELECT value FROM list(?)) AND d = '?'", Dialect::kPostgres),
      "SELECT a FROM t WHERE b = $1 AND c IN (SELECT value FROM unnest(CAST($2 AS text[])) AS value) AND d = '?'");
  EXPECT_EQ(
      ForDialect("SELECT a FROM t WHERE b = ? AND c IN (SELECT value FROM list(?)) AND d = '?'", Dialect::kSqlite),
      "SELECT a FROM t WHERE b = ? AND c IN (SELECT value FROM json_each(?)) AND d = '?'");
}

TEST(SqlDialect, JsonArrayEscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(storage::sql::JsonArray({}), "[]");
  EXPECT_EQ(storage::sql::JsonArray({"a\"b", "c\\d", std::string("e\n\x01", 3)}), R"(["a\"b","c\\d","e\u000a\u0001"])");
}

class Storage : public DomainTest {};

TEST_F(Storage, ListParametersCarryAnyTextExactly) {
  const std::vector<std::string> odd = {"a\"b", "c\\d", "e,f", "{g}", "h i", "NULL", "'j'", "", "k\tl"};
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) {
    tx.blobs().EnqueueAll(odd, 0);
    return core::Ok();
  }));
  std::vector<std::string> queued;
  ASSERT_TRUE(store_->Read([&](domain::Transaction& tx) {
    queued = tx.fsck().AllBlobGc();
    return core::Ok();
  }));
  auto expected = odd;
  std::sort(expected.begin(), expected.end());
  std::sort(queued.begin(), queued.end());
  EXPECT_EQ(queued, expected);
}

TEST_F(Storage, ListParametersKeepDuplicates) {
  std::vector<std::string> gone;
  ASSERT_TRUE(store_->Write([&](domain::Transaction& tx) {
    tx.blobs().AddRef("x", 10);
    tx.blobs().AddRef("x", 10);
    tx.blobs().AddRef("y", 10);
    tx.blobs().AddRef("y", 10);
    gone = tx.blobs().DropRefs({"x", "x", "y"});  // x loses both references, y one of two
    return core::Ok();
  }));
  EXPECT_EQ(gone, std::vector<std::string>{"x"});
  ASSERT_TRUE(store_->Read([&](domain::Transaction& tx) {
    EXPECT_FALSE(tx.blobs().Referenced("x"));
    EXPECT_TRUE(tx.blobs().Referenced("y"));
    return core::Ok();
  }));
}

// What one Read of a read scope found may be reused by the next only while they share a snapshot:
// the serial says so, and a write ends it.
TEST_F(Storage, ASnapshotSerialNamesOneSharedReadTransaction) {
  auto serial = [&] {
    std::uint64_t s = 0;
    EXPECT_TRUE(store_->Read([&](domain::Transaction& tx) {
      s = tx.snapshot_serial();
      return core::Ok();
    }));
    return s;
  };
  EXPECT_EQ(serial(), 0u);  // no scope: each Read its own transaction
  std::uint64_t first = 0;
  {
    domain::ReadScope scope(*store_);
    first = serial();
    EXPECT_NE(first, 0u);
    EXPECT_EQ(serial(), first);
    ASSERT_TRUE(store_->Write([](domain::Transaction& tx) {
      tx.server().AddMeta("auth_generation", 1);
      return core::Ok();
    }));
    std::uint64_t after_write = serial();
    EXPECT_NE(after_write, 0u);
    EXPECT_NE(after_write, first);
  }
  domain::ReadScope again(*store_);
  std::uint64_t next = serial();
  EXPECT_NE(next, 0u);
  EXPECT_NE(next, first);
}

}  // namespace
}  // namespace limbo::testing
