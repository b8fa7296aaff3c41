#pragma once

#include "domain/rows/invitation_rows.h"
#include "storage/sql/db.h"

namespace limbo::storage::sql {

class Invitations final : public domain::InvitationRows {
 public:
  explicit Invitations(Db& db) : db_(db) {}

  void Insert(const domain::Invitation& inv, const std::string& token_hash) override;
  std::optional<domain::Invitation> ByEmail(std::int64_t ws, const std::string& email) override;
  std::optional<domain::Invitation> ByTokenHash(const std::string& token_hash) override;
  std::vector<domain::Invitation> Pending(std::int64_t ws, domain::TimeMs now) override;
  std::vector<domain::Invitation> PendingFor(const std::string& email, domain::TimeMs now) override;
  void UpdateToken(const std::string& id, const std::string& token_hash, domain::TimeMs expires_at) override;
  void Delete(const std::string& id) override;

 private:
  Db& db_;
};

}  // namespace limbo::storage::sql
