#include "storage/sql/accounts.h"

namespace limbo::storage::sql {

using domain::Session;
using domain::TimeMs;
using domain::User;

namespace {

#define USER_SELECT "SELECT id, email, name, password_hash, created_at FROM users "

User ReadUser(const Rows& r) { return User{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4)}; }

Session ReadSession(const Rows& r) { return Session{r.Text(0), r.Text(1), r.Text(2), r.Int(3), r.Int(4), r.Int(5)}; }

}  // namespace

// ---- Users -------------------------------------------------------------------------------------

std::optional<User> Accounts::UserByEmail(const std::string& email) {
  return One<User>(db_.Query(USER_SELECT "WHERE email = ?", email), ReadUser);
}

std::optional<User> Accounts::UserById(const std::string& id) {
  return One<User>(db_.Query(USER_SELECT "WHERE id = ?", id), ReadUser);
}

void Accounts::InsertUser(const User& u) {
  db_.Exec("INSERT INTO users(id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)", u.id, u.email,
           u.name, u.password_hash, u.created_at);
}

void Accounts::UpdateUser(const User& u) {
  db_.Exec("UPDATE users SET name = ?, password_hash = ? WHERE id = ?", u.name, u.password_hash, u.id);
}

// ---- Sessions ----------------------------------------------------------------------------------

void Accounts::InsertSession(const Session& x) {
  db_.Exec(
      "INSERT INTO sessions(id_hash, user_id, csrf_token, created_at, expires_at, password_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      x.id_hash, x.user_id, x.csrf_token, x.created_at, x.expires_at, x.password_at);
}

std::optional<Session> Accounts::SessionByHash(const std::string& id_hash) {
  return One<Session>(
      db_.Query(
          "SELECT id_hash, user_id, csrf_token, created_at, expires_at, password_at FROM sessions WHERE id_hash = ?",
          id_hash),
      ReadSession);
}

void Accounts::SetSessionPasswordAt(const std::string& id_hash, TimeMs at) {
  db_.Exec("UPDATE sessions SET password_at = ? WHERE id_hash = ?", at, id_hash);
}

void Accounts::DeleteSession(const std::string& id_hash) {
  db_.Exec("DELETE FROM sessions WHERE id_hash = ?", id_hash);
}

void Accounts::DeleteExpiredSessions(TimeMs now) { db_.Exec("DELETE FROM sessions WHERE expires_at <= ?", now); }

// ---- Sign-in throttling ------------------------------------------------------------------------

int Accounts::CountLoginFailures(const std::string& key_hash, TimeMs since) {
  return static_cast<int>(
      Scalar(db_.Query("SELECT COUNT(*) FROM login_failures WHERE key_hash = ? AND at >= ?", key_hash, since)));
}

std::int64_t Accounts::InsertLoginFailure(const std::string& key_hash, TimeMs at) {
  return db_.Insert("INSERT INTO login_failures(key_hash, at) VALUES (?, ?)", key_hash, at);
}

void Accounts::DeleteLoginFailure(std::int64_t id) { db_.Exec("DELETE FROM login_failures WHERE id = ?", id); }

int Accounts::PruneLoginFailures(TimeMs before, int limit) {
  return static_cast<int>(db_.Exec(
      "DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures WHERE at < ? ORDER BY at LIMIT ?)", before,
      limit));
}

}  // namespace limbo::storage::sql
