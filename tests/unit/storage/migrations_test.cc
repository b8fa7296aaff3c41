// The migrations a database may already have applied are never edited: every existing database must
// migrate exactly as before. Their texts are pinned by SHA-256, on both backends; a new migration is
// appended (and pinned here once it has shipped).
#include "storage/postgres/migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto.h"
#include "storage/sqlite/migrations.h"

namespace limbo::testing {
namespace {

void ExpectPinned(std::span<const std::string_view> texts, const std::vector<std::string>& pinned) {
  ASSERT_GE(texts.size(), pinned.size());
  for (std::size_t i = 0; i < pinned.size(); ++i) {
    EXPECT_EQ(core::Sha256Hex(texts[i]), pinned[i]) << "migration " << i + 1 << " was edited";
  }
}

TEST(Migrations, SqliteAppliedMigrationsAreUnchanged) {
  ExpectPinned(storage::sqlite::MigrationTexts(), {"9b8eed0cb9cf19c2f8f9679617d8365ed170e2383315b623e378093f81aff015",
                                                   "77aaf15f5b6a544afac07480481436bf97ef07bcf2673a2bf479e9d821c1468f",
                                                   "1f2c680db81fa294367abdb7846a6d3c0830d1a57fa0650253061474f721a1da",
                                                   "c732e6a685e872092205d9826fa54922c44cda5cfcbb0bf3a79cc7dbcabbc74a",
                                                   "8375c62829b6e7b7b2a754f9dfc2496970fcbdb70e7405f30f4ea621af049a67",
                                                   "c97c3dd798dbfbd8e7dd4839ecd6014d087683efc26caa372074e00746341e16",
                                                   "be8d3e1fd7573b4c5e59f1bf43c9985893e1a637e78902dccd047616baa5f087",
                                                   "3bb0417b1dd2cb48e0114ca198d16777607581f865018622fc5f6d9757fc26c1",
                                                   "dc5412da2bbeee865b4a1468e7c49a2a2ff522115cda4fb3e12c3293b53b3a33",
                                                   "897cc887645f38415f2e4bedeccc3fa7543350a7542718e9e68333a7d64ff844"});
}

TEST(Migrations, PostgresAppliedMigrationsAreUnchanged) {
  ExpectPinned(storage::postgres::MigrationTexts(),
               {"2911a115a5c920b1d9b6df936f31c2f18cd128f5d8480e999cac475979823b2b",
                "2b7acb7818e8247fb07093b6479fa0acfeb6ea55e9d63c09876387ee8d2c979c",
                "cd743053e65bc6470dd010b9412ffc3017482f040468ae5bc14a2e91971024d6",
                "bc63894bbcfa7303b0572b3e778d38d6709db4e4d289fe4eb1506faa9cc9e9bf",
                "7a0dcfa648f48270db9c56d821672570139fdf11b57422a64d4a8407e519a50e",
                "9a37b15814046e59eec643594b8a6ba8d3fb74dbef2ed17b48bdaf8591b1e009",
                "f10e2c764f7d6f8e1fe23ade96d9d1e86803bf2db4aa5865c2da459ea88b85bd",
                "3b49c64df4403a291027cc5ac67e43a5395926e5f11c09715602f4f530ec1ccf",
                "229445319350a4d8b181145fefe56e1311340dee818d265488d5d9d12393112a"});
}

}  // namespace
}  // namespace limbo::testing
