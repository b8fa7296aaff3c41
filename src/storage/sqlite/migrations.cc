#include "storage/sqlite/migrations.h"

#include <array>
#include <string_view>

namespace limbo::storage::sqlite {

namespace {

// Times are integer milliseconds since the Unix epoch (UTC). A row whose trash_item_id is NULL is
// active; "active" slugs are unique through partial indexes.
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE workspaces (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  retention_days INTEGER NOT NULL DEFAULT 30,
  storage_quota_bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  storage_bytes INTEGER NOT NULL DEFAULT 0,
  image_count INTEGER NOT NULL DEFAULT 0,
  trash_projects INTEGER NOT NULL DEFAULT 0,
  trash_versions INTEGER NOT NULL DEFAULT 0,
  trash_workflows INTEGER NOT NULL DEFAULT 0,
  trash_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE roles (
  id TEXT PRIMARY KEY,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  permissions TEXT NOT NULL
);
CREATE INDEX roles_ws ON roles(workspace_id);
CREATE TABLE members (
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  role_id TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX members_user ON members(user_id);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_keys_ws ON api_keys(workspace_id, user_id);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
CREATE TABLE groups (
  id TEXT PRIMARY KEY,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX groups_ws ON groups(workspace_id);
CREATE TABLE trash_items (
  id INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  parent_project_id TEXT,
  version_number INTEGER NOT NULL DEFAULT 0,
  deleted_by TEXT NOT NULL,
  deleted_by_name TEXT NOT NULL,
  deleted_at INTEGER NOT NULL,
  cleanup_at INTEGER NOT NULL,
  cleanup_delete_images INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'in_trash',
  size_bytes INTEGER NOT NULL DEFAULT 0,
  group_id TEXT,
  purge_actor_id TEXT,
  purge_actor_name TEXT
);
CREATE UNIQUE INDEX trash_object ON trash_items(workspace_id, type, object_id);
CREATE INDEX trash_by_deleted ON trash_items(workspace_id, state, deleted_at, id);
CREATE INDEX trash_by_cleanup ON trash_items(workspace_id, state, cleanup_at, id);
CREATE INDEX trash_by_name ON trash_items(workspace_id, state, name, id);
CREATE INDEX trash_type_deleted ON trash_items(workspace_id, state, type, deleted_at, id);
CREATE INDEX trash_type_cleanup ON trash_items(workspace_id, state, type, cleanup_at, id);
CREATE INDEX trash_type_name ON trash_items(workspace_id, state, type, name, id);
CREATE INDEX trash_expiry ON trash_items(state, cleanup_at);
CREATE INDEX trash_parent ON trash_items(parent_project_id) WHERE parent_project_id IS NOT NULL;
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  url TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  annotation TEXT NOT NULL,
  group_id TEXT,
  image_count INTEGER NOT NULL DEFAULT 0,
  image_bytes INTEGER NOT NULL DEFAULT 0,
  next_version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  trash_item_id INTEGER
);
CREATE UNIQUE INDEX projects_active_url ON projects(workspace_id, url) WHERE trash_item_id IS NULL;
CREATE INDEX projects_url ON projects(workspace_id, url);
CREATE TABLE images (
  id TEXT PRIMARY KEY,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX images_sha ON images(workspace_id, sha256);
CREATE INDEX images_ws ON images(workspace_id, id);
CREATE TABLE project_images (
  project_id TEXT NOT NULL,
  image_id TEXT NOT NULL,
  PRIMARY KEY (project_id, image_id)
) WITHOUT ROWID;
CREATE INDEX project_images_image ON project_images(image_id, project_id);
CREATE TABLE versions (
  id INTEGER PRIMARY KEY,
  project_id TEXT NOT NULL,
  number INTEGER NOT NULL,
  name TEXT NOT NULL,
  image_count INTEGER NOT NULL DEFAULT 0,
  image_bytes INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  trash_item_id INTEGER,
  UNIQUE (project_id, number)
);
CREATE TABLE version_images (
  version_id INTEGER NOT NULL,
  image_id TEXT NOT NULL,
  PRIMARY KEY (version_id, image_id)
) WITHOUT ROWID;
CREATE INDEX version_images_image ON version_images(image_id, version_id);
CREATE TABLE models (
  version_id INTEGER PRIMARY KEY,
  state TEXT NOT NULL,
  job_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  stopped_by_trash_item INTEGER
);
CREATE INDEX models_stopped_by ON models(stopped_by_trash_item) WHERE stopped_by_trash_item IS NOT NULL;
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  workspace_id INTEGER NOT NULL,
  project_id TEXT NOT NULL,
  version_id INTEGER NOT NULL,
  version_number INTEGER NOT NULL,
  state TEXT NOT NULL,
  cancel_reason TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX jobs_ws ON jobs(workspace_id, created_at);
CREATE INDEX jobs_version ON jobs(version_id, state);
CREATE INDEX jobs_project ON jobs(project_id, state);
CREATE INDEX jobs_active ON jobs(state) WHERE state IN ('queued', 'running');
CREATE TABLE workflows (
  id TEXT PRIMARY KEY,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  url TEXT NOT NULL,
  name TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  trash_item_id INTEGER
);
CREATE UNIQUE INDEX workflows_active_url ON workflows(workspace_id, url) WHERE trash_item_id IS NULL;
CREATE INDEX workflows_url ON workflows(workspace_id, url);
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size_bytes INTEGER NOT NULL,
  refs INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE blob_gc (
  sha256 TEXT PRIMARY KEY,
  not_before INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX blob_gc_due ON blob_gc(not_before);
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  actor_id TEXT,
  actor_name TEXT NOT NULL,
  action TEXT NOT NULL,
  item_type TEXT NOT NULL,
  item_id TEXT NOT NULL,
  item_name TEXT NOT NULL
);
CREATE INDEX audit_ws ON audit_events(workspace_id, id);
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
)sql";

// Reclaimable bytes are a scan; its result is kept with generation counters (see ContentService).
constexpr std::string_view kMigration2 = R"sql(
ALTER TABLE workspaces ADD COLUMN reclaimable_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN reclaimable_gen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN reclaimable_computed_gen INTEGER NOT NULL DEFAULT 0;
)sql";

// Listings of active rows walk these, not every trashed row of the workspace.
constexpr std::string_view kMigration3 = R"sql(
CREATE INDEX projects_active_name ON projects(workspace_id, name) WHERE trash_item_id IS NULL;
CREATE INDEX workflows_active_name ON workflows(workspace_id, name) WHERE trash_item_id IS NULL;
)sql";

// Failed sign-ins, shared by every process on the database (AccountService's throttle). key_hash is
// a SHA-256, never a plain email or address; rows older than the throttle window are pruned.
constexpr std::string_view kMigration4 = R"sql(
CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  key_hash TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key_hash, at);
CREATE INDEX login_failures_at ON login_failures(at);
)sql";

// Sudo mode: when each session's user last entered their password. A session made before this
// migration was made by a sign-in, so its creation is that moment.
constexpr std::string_view kMigration5 = R"sql(
ALTER TABLE sessions ADD COLUMN password_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET password_at = created_at;
)sql";

// Pending invitations to workspaces (SPEC T17): only the SHA-256 of a link's token is stored.
constexpr std::string_view kMigration6 = R"sql(
CREATE TABLE invitations (
  id TEXT PRIMARY KEY,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  email TEXT NOT NULL,
  role_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  invited_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  UNIQUE (workspace_id, email)
);
CREATE INDEX invitations_email ON invitations(email);
)sql";

// Server-wide numbers kept with the data: the dev clock's offset and the newest time the data has
// seen (domain::ServerTime), so that a restart never moves the server's clock back.
constexpr std::string_view kMigration7 = R"sql(
CREATE TABLE server_meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
)sql";

// Trainings in the Trash (SPEC T16): a run trashed on its own points at its Trash row; each run
// keeps the size of its model file, counted in storage_bytes with the images; the workspace counts
// its trashed trainings like the other types.
constexpr std::string_view kMigration8 = R"sql(
ALTER TABLE jobs ADD COLUMN trash_item_id INTEGER;
ALTER TABLE jobs ADD COLUMN model_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN trash_trainings INTEGER NOT NULL DEFAULT 0;
CREATE INDEX trash_training_parent ON trash_items(parent_project_id, version_number) WHERE type = 'training';
)sql";

// Storage figures (docs/TRASH.md): the bytes held only by the Trash beside reclaimable_bytes, both
// kept as the last recount plus the exact changes since. Every workspace is marked for a recount.
constexpr std::string_view kMigration9 = R"sql(
ALTER TABLE workspaces ADD COLUMN trash_only_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE workspaces SET reclaimable_gen = reclaimable_gen + 1;
)sql";

// Generation counters for caches that every server checks against the database (docs/SECURITY.md):
// server_meta 'auth_generation' moves with every change to what authentication and a caller's
// role read (users, sessions, API keys, workspaces' own fields, members, roles); a workspace's
// row in trash_generations moves with every change to what its Trash listing shows (its Trash rows, and
// the names, urls and Trash state of the projects, versions, workflows and groups around them).
// A row's trash_item_id is not watched: it changes only with a Trash row of the same workspace
// inserted or deleted in the same transaction, which moves the generation already. Triggers, so
// that no write path can forget them.
constexpr std::string_view kMigration10 = R"sql(
INSERT INTO server_meta(key, value) VALUES ('auth_generation', 1) ON CONFLICT (key) DO NOTHING;
CREATE TABLE trash_generations (
  workspace_id INTEGER PRIMARY KEY,
  generation INTEGER NOT NULL
);
INSERT INTO trash_generations(workspace_id, generation) SELECT id, 1 FROM workspaces;
CREATE TRIGGER trash_gen_ws_i AFTER INSERT ON workspaces
  BEGIN INSERT INTO trash_generations(workspace_id, generation) VALUES (NEW.id, 1); END;
CREATE TRIGGER trash_gen_ws_d AFTER DELETE ON workspaces
  BEGIN DELETE FROM trash_generations WHERE workspace_id = OLD.id; END;
CREATE TRIGGER auth_gen_users_u AFTER UPDATE ON users
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_users_d AFTER DELETE ON users
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_sessions_u AFTER UPDATE ON sessions
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_sessions_d AFTER DELETE ON sessions
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_keys_u AFTER UPDATE OF workspace_id, user_id, name, prefix, key_hash, revoked_at ON api_keys
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_keys_d AFTER DELETE ON api_keys
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_ws_u AFTER UPDATE OF id, url, name, retention_days, storage_quota_bytes, created_at ON workspaces
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_ws_d AFTER DELETE ON workspaces
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_members_u AFTER UPDATE ON members
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_members_d AFTER DELETE ON members
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_roles_u AFTER UPDATE ON roles
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER auth_gen_roles_d AFTER DELETE ON roles
  BEGIN UPDATE server_meta SET value = value + 1 WHERE key = 'auth_generation'; END;
CREATE TRIGGER trash_gen_items_i AFTER INSERT ON trash_items
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = NEW.workspace_id; END;
CREATE TRIGGER trash_gen_items_u AFTER UPDATE ON trash_items
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = NEW.workspace_id; END;
CREATE TRIGGER trash_gen_items_d AFTER DELETE ON trash_items
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = OLD.workspace_id; END;
CREATE TRIGGER trash_gen_projects_i AFTER INSERT ON projects
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = NEW.workspace_id; END;
CREATE TRIGGER trash_gen_projects_u AFTER UPDATE OF url, name, workspace_id ON projects
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = NEW.workspace_id; END;
CREATE TRIGGER trash_gen_projects_d AFTER DELETE ON projects
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = OLD.workspace_id; END;
CREATE TRIGGER trash_gen_workflows_i AFTER INSERT ON workflows
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = NEW.workspace_id; END;
CREATE TRIGGER trash_gen_workflows_u AFTER UPDATE OF url, workspace_id ON workflows
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = NEW.workspace_id; END;
CREATE TRIGGER trash_gen_workflows_d AFTER DELETE ON workflows
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = OLD.workspace_id; END;
CREATE TRIGGER trash_gen_versions_u AFTER UPDATE OF number, project_id ON versions
  BEGIN UPDATE trash_generations SET generation = generation + 1
    WHERE workspace_id = (SELECT workspace_id FROM projects WHERE id = NEW.project_id); END;
CREATE TRIGGER trash_gen_versions_d AFTER DELETE ON versions
  BEGIN UPDATE trash_generations SET generation = generation + 1
    WHERE workspace_id = (SELECT workspace_id FROM projects WHERE id = OLD.project_id); END;
CREATE TRIGGER trash_gen_groups_u AFTER UPDATE OF name ON groups
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = NEW.workspace_id; END;
CREATE TRIGGER trash_gen_groups_d AFTER DELETE ON groups
  BEGIN UPDATE trash_generations SET generation = generation + 1 WHERE workspace_id = OLD.workspace_id; END;
)sql";

// GET /:ws lists the active projects by name, then id: the index holds both, so the listing is
// read in order from it instead of sorted per request.
constexpr std::string_view kMigration11 = R"sql(
DROP INDEX projects_active_name;
CREATE INDEX projects_active_name_id ON projects(workspace_id, name, id) WHERE trash_item_id IS NULL;
)sql";

// 12: a blob's queue row is claimed by the collection that removes its object (with no transaction
// open while it does), and carries the token of the upload that announced the object (T13).
constexpr std::string_view kMigration12 = R"sql(
ALTER TABLE blob_gc ADD COLUMN claim TEXT;
ALTER TABLE blob_gc ADD COLUMN claimed_at INTEGER;
ALTER TABLE blob_gc ADD COLUMN entry TEXT;
)sql";

// The Trash rows move their workspace's Trash generation from the statements that write them
// (storage/sql/trash.cc, MoveTrashGeneration), once per statement, instead of a trigger once per row:
// Restore All deletes 500 rows in one statement. The other tables keep their triggers.
constexpr std::string_view kMigration13 = R"sql(
DROP TRIGGER trash_gen_items_i;
DROP TRIGGER trash_gen_items_u;
DROP TRIGGER trash_gen_items_d;
)sql";

constexpr std::array<std::string_view, 13> kMigrations = {
    kMigration1, kMigration2, kMigration3,  kMigration4,  kMigration5,  kMigration6, kMigration7,
    kMigration8, kMigration9, kMigration10, kMigration11, kMigration12, kMigration13};

}  // namespace

std::span<const std::string_view> MigrationTexts() { return kMigrations; }

int Migrate(Connection& db) {
  db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  int version = 0;
  for (std::size_t i = 0; i < kMigrations.size(); ++i) {
    int target = static_cast<int>(i) + 1;
    db.Exec("BEGIN IMMEDIATE");
    try {
      auto& q = db.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
      q.Bind(1, target);
      bool applied = q.Step();
      q.Reset();
      if (!applied) {
        db.Exec(kMigrations[i]);
        auto& ins =
            db.Prepare("INSERT INTO schema_migrations(version, applied_at) VALUES (?, strftime('%s','now') * 1000)");
        ins.Bind(1, target).Run();
      }
      db.Exec("COMMIT");
    } catch (...) {
      db.Exec("ROLLBACK");
      throw;
    }
    version = target;
  }
  return version;
}

}  // namespace limbo::storage::sqlite
