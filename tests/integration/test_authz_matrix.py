"""The authorization matrix (SPEC 3, T11): every route of `limbod routes` x every kind of caller.

The table ROUTES below says what each route requires; `expected()` turns a requirement and a caller
into the one outcome SPEC 3 allows. A route the server has and the table lacks fails the test, and
so does a table entry the server no longer has. Each request gets fresh objects to act on (made by
the owner just before), so a success is the route's real success status, not merely "not 403".
"""
import itertools
import json
import os
import subprocess

import pytest

from limbo_test_server import LIMBOD, PASSWORD, Client, invite, png

PERMISSIONS = ["view_trash", "trash_dataset", "restore_dataset", "trash_version", "restore_version",
               "trash_workflow", "restore_workflow", "trash_training", "restore_training", "create_project",
               "upload_images", "generate_version", "train_model", "manage_workflows", "manage_members",
               "manage_roles", "manage_api_keys", "manage_workspace"]
# The built-in member role (SPEC 3: content permissions, no Trash and no administration).
MEMBER = {"create_project", "upload_images", "generate_version", "train_model", "manage_workflows"}

# What each route requires, after its access kind (public, api, session, web_only):
#   "any"          anyone, credentials or not
#   "key"          any valid credentials (no workspace in the path)
#   "member"       membership of the workspace in the path
#   "<perm>"       membership and that permission; "a+b" all of them; "a|b" either of them
#   "nokey"        anyone without an API key (the web app's invitation routes refuse keys, T17)
# The success status is what an allowed caller gets on the fresh objects the builder makes.
ROUTES = {
    ("GET", "/healthz"): ("any", 200),
    ("GET", "/readyz"): ("any", 200),
    ("GET", "/metrics"): ("any", 200),  # no token on the test servers (docs/OPERATIONS.md, "Metrics")
    ("GET", "/"): ("key", 200),
    # Roboflow's client checks its key with `POST /?api_key=`: the same answer as `GET /`.
    ("POST", "/"): ("key", 200),
    ("GET", "/:ws"): ("member", 200),
    ("PATCH", "/:ws"): ("manage_workspace", 200),
    ("GET", "/:ws/usage"): ("member", 200),
    ("GET", "/:ws/projects"): ("member", 200),
    ("POST", "/:ws/projects"): ("create_project", 201),
    ("GET", "/:ws/:project"): ("member", 200),
    ("DELETE", "/:ws/:project"): ("trash_dataset", 200),
    ("GET", "/:ws/:project/versions"): ("member", 200),
    ("POST", "/:ws/:project/versions"): ("generate_version", 201),
    ("GET", "/:ws/:project/:version"): ("member", 200),
    ("DELETE", "/:ws/:project/:version"): ("trash_version", 200),
    ("POST", "/:ws/:project/:version/train"): ("train_model", 201),
    ("POST", "/:ws/:project/:version/train/cancel"): ("train_model", 200),
    # A version's runs and their way to the Trash (the official client's v2 trainings routes, T16).
    ("GET", "/:ws/:project/:version/v2/trainings"): ("member", 200),
    ("POST", "/:ws/:project/:version/v2/trainings/delete"): ("trash_training", 200),
    ("POST", "/:ws/:project/:version/v2/trainings/restore"): ("restore_training", 200),
    ("POST", "/:ws/:project/upload"): ("upload_images", 201),
    ("POST", "/:ws/:project/images"): ("upload_images", 200),
    ("GET", "/:ws/images"): ("member", 200),
    ("GET", "/:ws/images/:id"): ("member", 200),
    ("GET", "/:ws/images/:id/content"): ("member", 200),
    ("GET", "/:ws/jobs"): ("member", 200),
    ("GET", "/:ws/jobs/:id"): ("member", 200),
    ("GET", "/infer/:ws/:project/:version"): ("member", 200),
    ("GET", "/infer/workflows/:ws/:workflow"): ("member", 200),
    ("GET", "/:ws/workflows"): ("member", 200),
    ("POST", "/:ws/workflows"): ("manage_workflows", 201),
    # Roboflow's create, its fields in the query string.
    ("POST", "/:ws/createWorkflow"): ("manage_workflows", 201),
    ("GET", "/:ws/workflows/:url"): ("member", 200),
    ("DELETE", "/:ws/workflows/:url"): ("trash_workflow", 200),
    ("GET", "/:ws/trash"): ("view_trash", 200),
    ("GET", "/:ws/trash/timeline"): ("view_trash", 200),
    # The body restores a project; the permission follows the item's type.
    ("POST", "/:ws/trash/restore"): ("restore_dataset", 200),
    # Its answer names every Trash item (those the caller may not restore as forbidden), so it needs
    # what listing the Trash needs; without view_trash it is refused whole, naming nothing.
    ("POST", "/:ws/trash/restore-all"): ("view_trash", 200),
    ("GET", "/:ws/audit"): ("view_trash|manage_members", 200),
    ("GET", "/:ws/members"): ("member", 200),
    # An invitation (T17); the role it gives holds only manage_members, which the caller must hold too.
    ("POST", "/:ws/members"): ("manage_members", 201),
    ("PATCH", "/:ws/members/:email"): ("manage_members", 200),
    ("DELETE", "/:ws/members/:email"): ("manage_members", 200),
    ("GET", "/:ws/roles"): ("member", 200),
    ("POST", "/:ws/roles"): ("manage_roles", 201),
    ("PATCH", "/:ws/roles/:id"): ("manage_roles", 200),
    ("DELETE", "/:ws/roles/:id"): ("manage_roles", 200),
    ("GET", "/:ws/api-keys"): ("member", 200),
    ("POST", "/:ws/api-keys"): ("member", 201),
    # The key deleted is another member's (the owner's): without manage_api_keys it is not even
    # visible, so the answer is 404 (DENIED_AS below).
    ("DELETE", "/:ws/api-keys/:id"): ("manage_api_keys", 200),
    ("GET", "/:ws/groups"): ("member", 200),
    ("POST", "/:ws/groups"): ("create_project", 201),
    ("PATCH", "/:ws/groups/:id"): ("create_project", 200),
    ("DELETE", "/:ws/groups/:id"): ("create_project", 200),
    # Web app: sessions only; permanent deletion also refuses API keys (T11).
    ("POST", "/app/api/login"): ("any", 200),
    ("POST", "/app/api/logout"): ("key", 200),
    # Sudo mode: the session's user enters their password again (session and CSRF).
    ("POST", "/app/api/reauth"): ("key", 200),
    ("GET", "/app/api/session"): ("key", 200),
    ("POST", "/app/api/invitations/lookup"): ("nokey", 200),
    ("POST", "/app/api/invitations/accept"): ("nokey", 200),
    ("GET", "/app/api/invitations"): ("key", 200),
    ("POST", "/app/api/:ws/invitations/link"): ("manage_members", 200),
    ("PATCH", "/app/api/account"): ("key", 200),
    ("GET", "/app"): ("any", 200),
    ("GET", "/app/*rest"): ("any", 200),
    # A batch answers 200 and reports each item it may not touch as failed with `forbidden` (SPEC 3).
    ("POST", "/app/api/:ws/trash/delete"): ("view_trash+trash_dataset", 200),
    ("POST", "/app/api/:ws/trash/empty"): ("view_trash+trash_dataset+trash_version+trash_workflow+trash_training",
                                           200),
    # Tests and demos only (--dev-clock): any valid credentials.
    ("POST", "/_dev/clock"): ("key", 200),
}

# How a refusal by permission looks where it is not 403 `forbidden`.
DENIED_AS = {
    ("DELETE", "/:ws/api-keys/:id"): (404, "not_found"),
    ("POST", "/app/api/:ws/trash/delete"): (200, "item:forbidden"),
}

# Callers. A user caller uses its API key on `api` routes and its session (with CSRF) on `session` and
# `web_only` routes; "owner_key" is the owner's key everywhere, "nocsrf" the owner's session without
# the CSRF header, "other_ws" a key of another workspace whose user is the owner of this one too.
USERS = ["owner", "member"] + [f"role:{p}" for p in PERMISSIONS]
CALLERS = USERS + ["owner_key", "anonymous", "revoked", "other_ws", "nocsrf"]


def perms_of(caller):
    if caller in ("owner", "owner_key", "nocsrf"):
        return set(PERMISSIONS)
    if caller == "member":
        return set(MEMBER)
    if caller.startswith("role:"):
        return {caller[5:]}
    return set()


def allowed(need, perms):
    if need == "member":
        return True
    if "|" in need:
        return any(p in perms for p in need.split("|"))
    return all(p in perms for p in need.split("+"))


def expected(method, pattern, access, caller):
    """(status, error code or None) that SPEC 3 requires."""
    need, ok = ROUTES[(method, pattern)]
    unsafe = method not in ("GET", "HEAD")
    if need == "nokey":
        return (403, "session_required") if caller in USERS + ["owner_key", "revoked", "other_ws"] else (ok, None)
    if access == "public" or need == "any":
        return ok, None
    if access == "web_only":
        # T11: an API key, no session, or no CSRF token: 403 web_only before anything else.
        if caller in ("owner_key", "anonymous", "revoked", "other_ws", "nocsrf"):
            return 403, "web_only"
    elif access == "session":
        if caller in ("owner_key", "revoked", "other_ws"):
            return 403, "session_required"  # web app routes refuse API keys, valid or not
        if caller == "anonymous":
            return 401, None
        if caller == "nocsrf" and unsafe:
            return 403, "csrf_required"
    else:
        if caller in ("anonymous", "revoked"):
            return 401, None
        if caller == "nocsrf" and unsafe:
            return 403, "csrf_required"
        if caller == "other_ws":
            return (ok, None) if need == "key" else (404, None)
    if need == "key" or allowed(need, perms_of(caller)):
        return ok, None
    return DENIED_AS.get((method, pattern), (403, "forbidden"))


# Registered only when the server runs with --dev-clock, as the test servers do.
DEV_ROUTES = [{"method": "POST", "pattern": "/_dev/clock", "access": "api"}]


def route_table():
    out = subprocess.run([LIMBOD, "routes"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout) + DEV_ROUTES


class World:
    """One workspace with an owner, a member and one custom role per permission, plus the other callers."""

    def __init__(self, server):
        self.server = server
        self.ws = f"authz-{os.getpid()}"
        self.owner_email = f"owner-{self.ws}@example.com"
        self.owner = server.bootstrap(self.ws, email=self.owner_email)
        self.seq = itertools.count(1)
        self.keys, self.emails = {"owner": self.owner.key}, {"owner": self.owner_email}
        # The role member routes give: the one permission role:manage_members holds, so that caller
        # may give it (nobody grants what they do not hold).
        r = self.owner.post(f"/{self.ws}/roles", {"name": "Member admin", "permissions": ["manage_members"]})
        assert r.status == 201, r.body
        self.grant_role = r.body["id"]
        for caller in USERS[1:]:
            role = "member"
            if caller.startswith("role:"):
                r = self.owner.post(f"/{self.ws}/roles", {"name": caller, "permissions": [caller[5:]]})
                assert r.status == 201, r.body
                role = r.body["id"]
            email = f"{caller.replace(':', '-')}-{self.ws}@example.com"
            server.member_add(self.ws, email, role=role, name=caller)
            self.emails[caller] = email
        self.sessions = {}
        for caller in USERS:
            s = Client(server.base)
            assert s.login(self.emails[caller]).status == 200
            self.sessions[caller] = s
            if caller != "owner":
                r = s.post(f"/{self.ws}/api-keys", {"name": "matrix"})
                assert r.status == 201, r.body
                self.keys[caller] = r.body["key"]
        # The owner's user also owns another workspace; that workspace's key must not work here.
        self.other = server.bootstrap(self.ws + "-other", email=self.owner_email)
        r = self.owner.post(f"/{self.ws}/api-keys", {"name": "to revoke"})
        self.revoked = r.body["key"]
        assert self.owner.delete(f"/{self.ws}/api-keys/{r.body['id']}").status == 200
        self.nocsrf = Client(server.base)
        assert self.nocsrf.login(self.owner_email).status == 200
        self.nocsrf.csrf = None
        # Shared read-only objects: a project with an image and a served model, a workflow, a job.
        o, ws = self.owner, self.ws
        self.project = self.new_project()
        up = o.request("POST", f"/{ws}/{self.project}/upload?name=a.png", raw=png(1), headers={"Content-Type": "image/png"})
        assert up.status == 201, up.body
        self.image = up.body["image"]["id"]
        self.version = self.new_version(self.project)
        job = o.post(f"/{ws}/{self.project}/{self.version}/train")
        assert job.status == 201, job.body
        self.job = job.body["job"]["id"]
        assert o.post("/_dev/clock", {"advanceSeconds": 10}).status == 200
        self.workflow = self.new_workflow()

    def n(self):
        return next(self.seq)

    def new_project(self):
        r = self.owner.post(f"/{self.ws}/projects", {"name": f"P{self.n()}", "type": "object-detection",
                                                     "annotation": "x"})
        assert r.status == 201, r.body
        return r.body["url"]

    def new_version(self, project):
        r = self.owner.post(f"/{self.ws}/{project}/versions")
        assert r.status == 201, r.body
        return r.body["version"]["version"]

    def new_workflow(self):
        r = self.owner.post(f"/{self.ws}/workflows", {"name": f"W{self.n()}"})
        assert r.status == 201, r.body
        return r.body["workflow"]["url"]

    def finished_run(self, trashed=False):
        """A new version of the shared project with one finished run (in the Trash with `trashed`)."""
        o, ws, v = self.owner, self.ws, self.new_version(self.project)
        job = o.post(f"/{ws}/{self.project}/{v}/train")
        assert job.status == 201, job.body
        assert o.post("/_dev/clock", {"advanceSeconds": 10}).status == 200
        run = job.body["job"]["id"]
        if trashed:
            r = o.post(f"/{ws}/{self.project}/{v}/v2/trainings/delete", {"trainingId": run})
            assert r.status == 200, r.body
        return v, run

    def trashed_project(self):
        p = self.new_project()
        r = self.owner.delete(f"/{self.ws}/{p}")
        assert r.status == 200, r.body
        return r.body["projectId"]

    def client(self, caller, access):
        if caller == "owner_key":
            return Client(self.server.base, self.owner.key)
        if caller == "anonymous":
            return Client(self.server.base)
        if caller == "revoked":
            return Client(self.server.base, self.revoked)
        if caller == "other_ws":
            return Client(self.server.base, self.other.key)
        if caller == "nocsrf":
            return self.nocsrf
        if access in ("session", "web_only"):
            return self.sessions[caller]
        return Client(self.server.base, self.keys[caller])

    def shared_target(self):
        if not hasattr(self, "_target"):
            self._target = f"target-shared-{self.ws}@example.com"
            self.server.member_add(self.ws, self._target, name="T")
        return self._target

    def fresh_session(self, caller):
        s = Client(self.server.base)
        assert s.login(self.emails.get(caller, self.owner_email)).status == 200
        return s

    def request(self, method, pattern, caller, access, succeeds=True):
        """Makes the objects the route acts on, then sends the request as `caller`. Callers expected to
        be refused share one target member instead of a new one (creating users is slow)."""
        ws, o = self.ws, self.owner
        c = self.client(caller, access)
        body, raw, headers = None, None, None
        p = {"ws": ws, "project": self.project, "version": self.version, "id": None, "url": self.workflow,
             "workflow": self.workflow, "email": None, "rest": f"{ws}/settings/trash"}
        key = (method, pattern)
        n = self.n()
        if key == ("PATCH", "/:ws"):
            body = {"retentionDays": 30}
        elif key == ("POST", "/:ws/projects"):
            body = {"name": f"New {n}", "type": "object-detection", "annotation": "x"}
        elif key == ("DELETE", "/:ws/:project"):
            p["project"] = self.new_project()
        elif key == ("DELETE", "/:ws/:project/:version"):
            p["version"] = self.new_version(self.project)
        elif key == ("POST", "/:ws/:project/:version/train"):
            p["version"] = self.new_version(self.project)
        elif key == ("POST", "/:ws/:project/:version/train/cancel"):
            p["version"] = self.new_version(self.project)
            assert o.post(f"/{ws}/{self.project}/{p['version']}/train").status == 201
        elif key in (("POST", "/:ws/:project/:version/v2/trainings/delete"),
                     ("POST", "/:ws/:project/:version/v2/trainings/restore")):
            p["version"], run = self.finished_run(trashed=pattern.endswith("restore"))
            body = {"trainingId": run}
        elif key == ("POST", "/:ws/:project/upload"):
            pattern = pattern + f"?name=m{n}.png"
            raw, headers = png(100000 + n), {"Content-Type": "image/png"}
        elif key == ("POST", "/:ws/:project/images"):
            p["project"] = self.new_project()
            body = {"images": [self.image]}
        elif key in (("GET", "/:ws/images/:id"), ("GET", "/:ws/images/:id/content")):
            p["id"] = self.image
        elif key == ("GET", "/:ws/jobs/:id"):
            p["id"] = self.job
        elif key == ("POST", "/:ws/workflows"):
            body = {"name": f"New W{n}"}
        elif key == ("POST", "/:ws/createWorkflow"):
            pattern = pattern + f"?name=cw{n}&url=cw-{n}&template=%7B%7D&config=%7B%7D"
        elif key == ("DELETE", "/:ws/workflows/:url"):
            p["url"] = self.new_workflow()
        elif key == ("POST", "/:ws/trash/restore"):
            body = {"type": "project", "id": self.trashed_project()}
        elif key == ("POST", "/:ws/members"):
            body = {"email": f"new{n}-{ws}@example.com", "role": self.grant_role}
        elif key in (("PATCH", "/:ws/members/:email"), ("DELETE", "/:ws/members/:email")) and not succeeds:
            p["email"] = self.shared_target()
            body = {"role": self.grant_role} if method == "PATCH" else None
        elif key in (("PATCH", "/:ws/members/:email"), ("DELETE", "/:ws/members/:email")):
            p["email"] = f"target{n}-{ws}@example.com"
            self.server.member_add(ws, p["email"], name="T")
            body = {"role": self.grant_role} if method == "PATCH" else None
        elif key == ("POST", "/:ws/roles"):
            body = {"name": f"Role {n}", "permissions": ["manage_roles"]}
        elif key in (("PATCH", "/:ws/roles/:id"), ("DELETE", "/:ws/roles/:id")):
            r = o.post(f"/{ws}/roles", {"name": f"Target {n}", "permissions": []})
            p["id"] = r.body["id"]
            body = {"permissions": ["manage_roles"]} if method == "PATCH" else None
        elif key in (("POST", "/app/api/invitations/lookup"), ("POST", "/app/api/invitations/accept")):
            body = {"token": invite(self.sessions["owner"], ws, f"invited{n}-{ws}@example.com")}
            if pattern.endswith("accept"):
                body.update(name="Invited", password=PASSWORD)
        elif key == ("POST", "/app/api/:ws/invitations/link"):
            body = {"email": f"relink{n}-{ws}@example.com"}
            assert o.post(f"/{ws}/members", {"email": body["email"], "role": self.grant_role}).status == 201
        elif key == ("PATCH", "/app/api/account"):
            body = {"name": f"Renamed {n}"}
        elif key == ("POST", "/:ws/api-keys"):
            body = {"name": f"k{n}"}
        elif key == ("DELETE", "/:ws/api-keys/:id"):
            p["id"] = o.post(f"/{ws}/api-keys", {"name": f"target {n}"}).body["id"]
        elif key == ("POST", "/:ws/groups"):
            body = {"name": f"G{n}"}
        elif key in (("PATCH", "/:ws/groups/:id"), ("DELETE", "/:ws/groups/:id")):
            p["id"] = o.post(f"/{ws}/groups", {"name": f"Target G{n}"}).body["id"]
            body = {"name": f"Renamed G{n}"} if method == "PATCH" else None
        elif key == ("POST", "/app/api/login"):
            body = {"email": self.owner_email, "password": PASSWORD}
        elif key == ("POST", "/app/api/reauth"):
            body = {"password": PASSWORD}
        elif key == ("POST", "/app/api/logout") and succeeds:
            if caller in USERS:
                c = self.fresh_session(caller)
            elif caller == "nocsrf":
                c = self.fresh_session("owner")
                c.csrf = None
        elif key == ("POST", "/app/api/:ws/trash/delete"):
            body = {"items": [{"type": "project", "id": self.trashed_project()}]}
        elif key == ("POST", "/app/api/:ws/trash/empty"):
            self.trashed_project()
            body = {"confirm": ws}
        elif key == ("POST", "/_dev/clock"):
            body = {"advanceSeconds": 0}
        path = "/".join(str(p[s[1:]]) if s[:1] in (":", "*") else s for s in pattern.split("/"))
        if method in ("GET", "DELETE") and body is None:
            return c.request(method, path, raw=raw, headers=headers)
        return c.request(method, path, body if raw is None else None, raw=raw, headers=headers)


@pytest.fixture(scope="module")
def world(server):
    return World(server)


def test_every_route_has_an_expectation():
    routes = {(r["method"], r["pattern"]) for r in route_table()}
    assert routes - set(ROUTES) == set(), "routes without an expected outcome in ROUTES"
    assert set(ROUTES) - routes == set(), "ROUTES names routes the server no longer has"


def test_authorization_matrix(world):
    failures = []
    for r in route_table():
        method, pattern, access = r["method"], r["pattern"], r["access"]
        if (method, pattern) not in ROUTES:
            continue  # reported by test_every_route_has_an_expectation
        for caller in CALLERS:
            want_status, want_code = expected(method, pattern, access, caller)
            got = world.request(method, pattern, caller, access)
            if want_code == "item:forbidden":
                failed = (got.body or {}).get("failed") or [{}]
                code = failed[0].get("error", {}).get("code")
                good = got.status == want_status and code == "forbidden" and not got.body.get("deleted")
            else:
                good = got.status == want_status and (not want_code or got.code == want_code)
            if want_status == 200 and (method, pattern) == ("POST", "/app/api/:ws/trash/delete") and not want_code:
                good = good and len(got.body.get("deleted", [])) == 1
            if not good:
                failures.append(f"{method} {pattern} as {caller}: want {want_status} {want_code or ''}, "
                                f"got {got.status} {got.code or ''} {json.dumps(got.body)[:160]}")
    assert not failures, f"{len(failures)} cells differ:\n" + "\n".join(failures)


def test_forbidden_and_unknown_answers_leak_nothing(world):
    """A 404 for another workspace is the same as for a workspace that does not exist."""
    other = Client(world.server.base, world.other.key)
    a = other.get(f"/{world.ws}/{world.project}")
    b = other.get(f"/no-such-ws-{os.getpid()}/{world.project}")
    assert a.status == b.status == 404 and a.code == b.code
