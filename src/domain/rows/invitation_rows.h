#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/entities.h"

namespace limbo::domain {

// Invitations (one per workspace and email). Pending ones are those whose expires_at is after
// `now`; expired rows are replaced by a new invitation or deleted on the way.
class InvitationRows {
 public:
  virtual ~InvitationRows() = default;

  virtual void Insert(const Invitation& inv, const std::string& token_hash) = 0;
  virtual std::optional<Invitation> ByEmail(std::int64_t ws, const std::string& email) = 0;
  virtual std::optional<Invitation> ByTokenHash(const std::string& token_hash) = 0;
  virtual std::vector<Invitation> Pending(std::int64_t ws, TimeMs now) = 0;
  virtual std::vector<Invitation> PendingFor(const std::string& email, TimeMs now) = 0;
  virtual void UpdateToken(const std::string& id, const std::string& token_hash, TimeMs expires_at) = 0;
  virtual void Delete(const std::string& id) = 0;
};

}  // namespace limbo::domain
