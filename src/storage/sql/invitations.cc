#include "storage/sql/invitations.h"

namespace limbo::storage::sql {

using domain::Invitation;
using domain::TimeMs;

namespace {

#define INVITATION_SELECT \
  "SELECT id, workspace_id, email, role_id, invited_by, created_at, expires_at FROM invitations "

Invitation ReadInvitation(const Rows& r) {
  return Invitation{r.Text(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5), r.Int(6)};
}

}  // namespace

void Invitations::Insert(const Invitation& inv, const std::string& token_hash) {
  db_.Exec(
      "INSERT INTO invitations(id, workspace_id, email, role_id, token_hash, invited_by, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      inv.id, inv.workspace_id, inv.email, inv.role_id, token_hash, inv.invited_by, inv.created_at, inv.expires_at);
}

std::optional<Invitation> Invitations::ByEmail(std::int64_t ws, const std::string& email) {
  return One<Invitation>(db_.Query(INVITATION_SELECT "WHERE workspace_id = ? AND email = ?", ws, email),
                         ReadInvitation);
}

std::optional<Invitation> Invitations::ByTokenHash(const std::string& token_hash) {
  return One<Invitation>(db_.Query(INVITATION_SELECT "WHERE token_hash = ?", token_hash), ReadInvitation);
}

std::vector<Invitation> Invitations::Pending(std::int64_t ws, TimeMs now) {
  return All<Invitation>(
      db_.Query(INVITATION_SELECT "WHERE workspace_id = ? AND expires_at > ? ORDER BY email", ws, now), ReadInvitation);
}

std::vector<Invitation> Invitations::PendingFor(const std::string& email, TimeMs now) {
  return All<Invitation>(
      db_.Query(INVITATION_SELECT "WHERE email = ? AND expires_at > ? ORDER BY created_at", email, now),
      ReadInvitation);
}

void Invitations::UpdateToken(const std::string& id, const std::string& token_hash, TimeMs expires_at) {
  db_.Exec("UPDATE invitations SET token_hash = ?, expires_at = ? WHERE id = ?", token_hash, expires_at, id);
}

void Invitations::Delete(const std::string& id) { db_.Exec("DELETE FROM invitations WHERE id = ?", id); }

}  // namespace limbo::storage::sql
