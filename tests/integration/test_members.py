"""Members and roles (SPEC T17): nothing an API key can call creates a sign-in credential or
widens permissions to the permanent-deletion level; members join by an invitation the invited person
accepts in the web app; nobody grants what they do not hold; accounts are the person's own."""
import json

import pytest

from limbo_test_server import PASSWORD, Client, Server, accept, invite

TRASH_ALL = ["view_trash", "trash_dataset", "trash_version", "trash_workflow"]


@pytest.fixture
def server():
    """A server per test: the refused sign-ins here would trip the per-address throttle of a shared one."""
    s = Server().start()
    yield s
    s.stop()
    s.cleanup()


def trashed_project(c, ws, name):
    r = c.post(f"/{ws}/projects", {"name": name, "type": "object-detection", "annotation": "x"})
    assert r.status == 201, r.body
    url = r.body["url"]
    assert c.delete(f"/{ws}/{url}").status == 200
    return url


def trash_count(c, ws):
    return len(c.get(f"/{ws}/trash").body["items"])


def session(server, email, password=PASSWORD):
    s = Client(server.base)
    r = s.login(email, password)
    return s if r.status == 200 else None


def assert_cannot_empty(server, owner_key, ws, email, password):
    """The person the attacker controls cannot sign in, or can and is refused Empty Trash; the
    Trash still holds everything."""
    before = trash_count(owner_key, ws)
    assert before > 0
    s = session(server, email, password)
    if s is not None:
        r = s.post(f"/app/api/{ws}/trash/empty", {"confirm": ws})
        assert r.status in (403, 404), r.body  # no permission, or not a member at all
    assert trash_count(owner_key, ws) == before


# ---- Item 2: five paths from an owner's API key to permanent deletion -------------------------------

def test_key_cannot_shorten_the_trash_retention(server, ws):
    """A key that could set a retention of one day would reach permanent deletion by the sweep."""
    name, key = ws
    trashed_project(key, name, "Keep Me")
    r = key.patch(f"/{name}", {"retentionDays": 1})
    assert r.status == 403 and r.code == "session_required", r.body
    assert key.patch(f"/{name}", {"retentionDays": 30}).status == 200  # unchanged is fine
    assert key.patch(f"/{name}", {"retentionDays": 60}).status == 200  # longer keeps data longer
    assert key.patch(f"/{name}", {"retentionDays": 59}).code == "session_required"
    owner = session(server, f"owner-{name}@example.com")
    assert owner.patch(f"/{name}", {"retentionDays": 7}).status == 200  # the web app may
    assert key.get(f"/{name}").status == 200



def test_key_cannot_make_a_new_owner_with_a_chosen_password(server, ws):
    name, key = ws
    trashed_project(key, name, "Keep Me")
    email = f"evil-{name}@example.com"
    r = key.post(f"/{name}/members", {"email": email, "name": "Evil", "password": PASSWORD, "role": "owner"})
    assert r.status == 400 and r.code == "invitation_only"
    r = key.post(f"/{name}/members", {"email": email, "role": "owner"})
    assert r.status == 403 and r.code == "session_required" and "web app" in r.body["error"]["message"]
    assert_cannot_empty(server, key, name, email, PASSWORD)


def test_key_cannot_promote_an_existing_member_to_owner(server, ws):
    name, key = ws
    trashed_project(key, name, "Keep Me")
    email = f"m-{name}@example.com"
    server.member_add(name, email)  # a member whose password the key's holder knows
    r = key.patch(f"/{name}/members/{email}", {"role": "owner"})
    assert r.status == 403 and r.code == "session_required"
    assert next(m for m in key.get(f"/{name}/members").body if m["email"] == email)["role"] == "member"
    assert_cannot_empty(server, key, name, email, PASSWORD)


def test_key_cannot_create_a_trash_deleting_role_or_give_one(server, ws):
    name, key = ws
    trashed_project(key, name, "Keep Me")
    email = f"m-{name}@example.com"
    server.member_add(name, email)
    r = key.post(f"/{name}/roles", {"name": "Janitor", "permissions": TRASH_ALL})
    assert r.status == 403 and r.code == "session_required"
    assert "Janitor" not in [x["name"] for x in key.get(f"/{name}/roles").body]
    # The same role made in the web app still cannot be given with the key.
    owner = session(server, f"owner-{name}@example.com")
    role = owner.post(f"/{name}/roles", {"name": "Janitor", "permissions": TRASH_ALL})
    assert role.status == 201
    r = key.patch(f"/{name}/members/{email}", {"role": role.body["id"]})
    assert r.status == 403 and r.code == "session_required"
    assert key.post(f"/{name}/members", {"email": f"n-{name}@example.com", "role": role.body["id"]}).code == \
        "session_required"
    assert_cannot_empty(server, key, name, email, PASSWORD)


def test_key_cannot_widen_a_held_role_to_permanent_deletion(server, ws):
    name, key = ws
    trashed_project(key, name, "Keep Me")
    role = key.post(f"/{name}/roles", {"name": "Viewer", "permissions": ["view_trash", "restore_dataset"]})
    assert role.status == 201
    email = f"m-{name}@example.com"
    server.member_add(name, email, role=role.body["id"])
    r = key.patch(f"/{name}/roles/{role.body['id']}", {"permissions": TRASH_ALL + ["restore_dataset"]})
    assert r.status == 403 and r.code == "session_required"
    held = next(x for x in key.get(f"/{name}/roles").body if x["id"] == role.body["id"])
    assert held["permissions"] == ["view_trash", "restore_dataset"]
    # Renaming or narrowing stays possible with a key; so does widening below that level.
    assert key.patch(f"/{name}/roles/{role.body['id']}", {"name": "Viewers"}).status == 200
    assert key.patch(f"/{name}/roles/{role.body['id']}", {"permissions": ["view_trash"]}).status == 200
    assert key.patch(f"/{name}/roles/{role.body['id']}", {"permissions": ["view_trash", "restore_version"]}).status \
        == 200
    assert_cannot_empty(server, key, name, email, PASSWORD)


def test_key_cannot_make_the_callers_own_second_account_owner(server, ws):
    name, key = ws
    trashed_project(key, name, "Keep Me")
    # The key's holder owns a second account (in a workspace of its own) and knows its password.
    second = f"second-{name}@example.com"
    server.bootstrap(f"{name}-2nd", email=second)
    r = key.post(f"/{name}/members", {"email": second, "role": "owner"})
    assert r.status == 403 and r.code == "session_required"
    # Invited with a plain role, the answer carries no link and signing in does not accept it.
    r = key.post(f"/{name}/members", {"email": second, "role": "member"})
    assert r.status == 201 and "inviteUrl" not in r.body and "token" not in json.dumps(r.body)
    s = session(server, second)
    assert name not in [w["url"] for w in s.get("/app/api/session").body["workspaces"]]
    assert s.get(f"/{name}").status == 404
    assert_cannot_empty(server, key, name, second, PASSWORD)


def test_web_app_routes_for_members_refuse_api_keys(server, ws):
    name, key = ws
    assert key.post(f"/{name}/members", {"email": f"x-{name}@example.com", "role": "member"}).status == 201
    for method, path, body in [("POST", f"/app/api/{name}/invitations/link", {"email": f"x-{name}@example.com"}),
                               ("POST", "/app/api/invitations/accept", {"token": "x" * 32, "password": PASSWORD}),
                               ("POST", "/app/api/invitations/lookup", {"token": "x" * 32}),
                               ("GET", "/app/api/invitations", None),
                               ("PATCH", "/app/api/account", {"name": "Key"})]:
        r = key.request(method, path, body)
        assert r.status == 403 and r.code == "session_required", (path, r.body)


# ---- Invitations ------------------------------------------------------------------------------------

def test_invitation_accepted_by_a_new_account_signs_it_in(server, ws):
    name, key = ws
    owner = session(server, f"owner-{name}@example.com")
    email = f"New-{name}@Example.com"
    r = owner.post(f"/{name}/members", {"email": email, "role": "owner"})
    assert r.status == 201 and r.body["status"] == "invited" and r.body["email"] == email.lower()
    assert r.body["inviteUrl"].startswith("/app/invite/") and r.body["expiresAt"]
    token = r.body["inviteUrl"].rsplit("/", 1)[1]
    assert token not in json.dumps(key.get(f"/{name}/members").body)  # listed without its link
    assert owner.post(f"/{name}/members", {"email": email, "role": "member"}).code == "already_invited"
    look = Client(server.base).post("/app/api/invitations/lookup", {"token": token})
    assert look.status == 200 and look.body["accountExists"] is False
    assert look.body["invitation"]["workspace"]["url"] == name
    # Only JSON: a cross-site form post cannot accept.
    r = Client(server.base).request("POST", "/app/api/invitations/accept",
                                    f"token={token}&name=N&password={PASSWORD}",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 415 and r.code == "unsupported_media_type"
    # Nor can another site's script: accepting signs a browser in, so it is same-origin only, as sign-in.
    r = Client(server.base).request("POST", "/app/api/invitations/accept",
                                    json.dumps({"token": token, "name": "N", "password": PASSWORD}),
                                    headers={"Content-Type": "application/json", "Origin": "https://evil.example"})
    assert r.status == 403 and r.code == "cross_site_request"
    s, r = accept(server.base, token, name="Newcomer", password="a new password")
    assert r.status == 200 and r.body["workspace"] == name and r.body["user"]["name"] == "Newcomer"
    assert s.get(f"/{name}").status == 200
    assert s.post(f"/app/api/{name}/trash/empty", {"confirm": name}).status == 200  # owner, invited in the web app
    assert session(server, email.lower(), "a new password") is not None
    _, again = accept(server.base, token, name="Twice", password="a new password")
    assert again.status == 404 and again.code == "invitation_not_found"
    # The invite page's path is the link's secret: the request log keeps only its prefix.
    assert Client(server.base).get(f"/app/invite/{token}").status == 200
    server.stop()
    assert token not in "".join(server.log) and "/app/invite/..." in "".join(server.log)


def test_an_existing_account_accepts_with_its_own_password_which_stays(server, ws):
    name, key = ws
    email = f"known-{name}@example.com"
    server.bootstrap(f"{name}-home", email=email)  # an account with PASSWORD, named "known-..."
    owner = session(server, f"owner-{name}@example.com")
    token = invite(owner, name, email)
    look = Client(server.base).post("/app/api/invitations/lookup", {"token": token})
    assert look.body["accountExists"] is True
    _, r = accept(server.base, token, name="Renamed", password="a password chosen now")
    assert r.status == 401  # not the account's password: nothing changes, nobody joins
    _, r = accept(server.base, token)
    assert r.status == 401 and r.code == "password_required"
    s, r = accept(server.base, token, name="Renamed", password=PASSWORD)
    assert r.status == 200 and r.body["workspace"] == name
    assert r.body["user"]["name"] == f"known-{name}"  # the name is the account's own
    assert session(server, email, "a password chosen now") is None
    assert session(server, email, PASSWORD).get(f"/{name}").status == 200


def test_a_signed_in_invited_account_accepts_without_its_password(server, ws):
    name, key = ws
    email = f"inside-{name}@example.com"
    server.bootstrap(f"{name}-in", email=email)
    token = invite(session(server, f"owner-{name}@example.com"), name, email)
    s = session(server, email)
    mine = s.get("/app/api/invitations").body["invitations"]
    assert [i["workspace"]["url"] for i in mine] == [name] and token not in json.dumps(mine)
    # The invite page's routes see the session only with its CSRF token (the Api's session check).
    assert s.post("/app/api/invitations/lookup", {"token": token}).body["signedInAs"] == email
    no_csrf = s.request("POST", "/app/api/invitations/lookup", {"token": token}, csrf=False)
    assert no_csrf.status == 200 and "signedInAs" not in no_csrf.body
    r = s.request("POST", "/app/api/invitations/accept", {"token": token}, csrf=False)
    assert r.status == 401 and r.code == "password_required"
    _, r = accept(server.base, token, client=s)
    assert r.status == 200 and r.body["workspace"] == name
    assert s.get(f"/{name}").status == 200


def test_a_key_made_invitation_gets_its_link_from_a_session_and_can_be_revoked(server, ws):
    name, key = ws
    email = f"later-{name}@example.com"
    r = key.post(f"/{name}/members", {"email": email, "role": "member"})
    assert r.status == 201 and "inviteUrl" not in r.body
    owner = session(server, f"owner-{name}@example.com")
    first = owner.post(f"/app/api/{name}/invitations/link", {"email": email})
    assert first.status == 200 and first.body["inviteUrl"].startswith("/app/invite/")
    second = owner.post(f"/app/api/{name}/invitations/link", {"email": email})
    old, new = (x.body["inviteUrl"].rsplit("/", 1)[1] for x in (first, second))
    assert Client(server.base).post("/app/api/invitations/lookup", {"token": old}).status == 404  # replaced
    assert Client(server.base).post("/app/api/invitations/lookup", {"token": new}).status == 200
    assert key.delete(f"/{name}/members/{email}").body == {"revoked": True, "email": email}
    assert Client(server.base).post("/app/api/invitations/lookup", {"token": new}).status == 404
    assert email not in [m["email"] for m in key.get(f"/{name}/members").body]
    assert key.delete(f"/{name}/members/{email}").status == 404


def test_invitations_expire_after_seven_days(fresh_server):
    s = fresh_server
    key = s.bootstrap("acme", email="owner@acme.io")
    token = invite(session(s, "owner@acme.io"), "acme", "late@acme.io")
    assert key.post("/_dev/clock", {"advanceSeconds": 7 * 24 * 3600 + 60}).status == 200
    assert "late@acme.io" not in [m["email"] for m in key.get("/acme/members").body]
    _, r = accept(s.base, token, name="Late", password=PASSWORD)
    assert r.status == 404 and r.code == "invitation_not_found"
    assert key.post("/acme/members", {"email": "late@acme.io", "role": "member"}).status == 201  # invite again


# ---- Item 3: an account pre-registered by another tenant ---------------------------------------------

def test_an_account_pre_registered_by_another_tenant_does_not_get_into_the_inviting_workspace(server, ws):
    acme, acme_key = ws
    beta = f"{acme}-beta"
    beta_key = server.bootstrap(beta, email=f"owner-{beta}@example.com")
    ceo = f"ceo-{acme}@acme.example"
    # B tries to create the account with a password B knows: the API takes none.
    r = beta_key.post(f"/{beta}/members", {"email": ceo, "name": "CEO", "password": "b knows this", "role": "member"})
    assert r.status == 400 and r.code == "invitation_only"
    # B's owner invites it in the web app and accepts the invitation itself, choosing the password.
    beta_owner = session(server, f"owner-{beta}@example.com")
    _, r = accept(server.base, invite(beta_owner, beta, ceo), name="CEO", password="b knows this")
    assert r.status == 200
    assert beta_key.delete(f"/{beta}/members/{ceo}").status == 200
    # A invites that email; the link goes to the real person.
    acme_owner = session(server, f"owner-{acme}@example.com")
    token = invite(acme_owner, acme, ceo, role="member")
    # B's password signs in to the account but not into A: signing in accepts nothing.
    b = session(server, ceo, "b knows this")
    assert acme not in [w["url"] for w in b.get("/app/api/session").body["workspaces"]]
    assert b.get(f"/{acme}").status == 404
    # The real person cannot take the account over with a password of their own...
    _, r = accept(server.base, token, name="Real CEO", password="the ceo's own password")
    assert r.status == 401
    assert session(server, ceo, "the ceo's own password") is None
    # ...and A's member list never shows the account as a member.
    assert ceo not in [m["email"] for m in acme_key.get(f"/{acme}/members").body if m["status"] == "active"]
    # Only someone who knows the account's password can accept, and then it keeps that password.
    _, r = accept(server.base, token, password="b knows this")
    assert r.status == 200 and session(server, ceo, "b knows this") is not None


# ---- Item 6: a workspace changes only the membership -------------------------------------------------

def test_a_workspace_cannot_rename_an_account(server, ws):
    acme, acme_key = ws
    beta = f"{acme}-b6"
    beta_key = server.bootstrap(beta, email=f"owner-{beta}@example.com")
    victim = f"owner-{acme}@example.com"
    server.member_add(beta, victim)  # the account joins B too
    r = beta_key.patch(f"/{beta}/members/{victim}", {"name": "Renamed by B"})
    assert r.status == 400 and r.code == "account_field"
    r = beta_key.patch(f"/{beta}/members/{victim}", {"role": "member", "name": "Renamed by B"})
    assert r.status == 400
    me = next(m for m in acme_key.get(f"/{acme}/members").body if m["email"] == victim)
    assert me["name"] != "Renamed by B"
    # The person renames themselves, in the web app.
    s = session(server, victim)
    assert s.patch("/app/api/account", {"name": "Me Myself"}).body["user"]["name"] == "Me Myself"
    assert next(m for m in beta_key.get(f"/{beta}/members").body if m["email"] == victim)["name"] == "Me Myself"


def test_member_add_never_changes_an_existing_account(server, ws):
    name, key = ws
    email = f"owner-{name}@example.com"
    other = f"{name}-ma"
    server.bootstrap(other, email=f"boss-{other}@example.com")
    out = server.member_add(other, email, password="operator typed this", name="Operator Name")
    assert json.loads(out.stdout) == {"workspace": other, "email": email, "userId": json.loads(out.stdout)["userId"],
                                      "role": "member"}
    assert session(server, email, "operator typed this") is None
    assert session(server, email, PASSWORD) is not None
    assert next(m for m in key.get(f"/{name}/members").body if m["email"] == email)["name"] != "Operator Name"
    again = server.member_add(other, email, check=False)
    assert again.returncode == 1 and "already a member" in again.stderr


# ---- Item 7: nobody grants what they do not hold -----------------------------------------------------

def test_a_role_manager_cannot_give_their_own_role_more(server, ws):
    name, key = ws
    role = key.post(f"/{name}/roles", {"name": "Role admin", "permissions": ["manage_roles"]}).body
    email = f"ra-{name}@example.com"
    server.member_add(name, email, role=role["id"])
    s = session(server, email)
    r = s.patch(f"/{name}/roles/{role['id']}", {"permissions": ["manage_roles", "manage_members"]})
    assert r.status == 403 and r.code == "cannot_grant" and "manage_members" in r.body["error"]["message"]
    r = s.post(f"/{name}/roles", {"name": "Everything", "permissions": ["manage_roles", "view_trash"]})
    assert r.status == 403 and r.code == "cannot_grant"
    assert s.post(f"/{name}/roles", {"name": "Same", "permissions": ["manage_roles"]}).status == 201
    assert s.patch(f"/{name}/roles/{role['id']}", {"permissions": []}).status == 200  # narrowing is fine
    held = next(x for x in key.get(f"/{name}/roles").body if x["id"] == role["id"])
    assert held["permissions"] == []


def test_a_member_manager_cannot_give_themselves_or_anyone_a_bigger_role(server, ws):
    name, key = ws
    mm = key.post(f"/{name}/roles", {"name": "Member admin", "permissions": ["manage_members"]}).body
    big = key.post(f"/{name}/roles", {"name": "Big", "permissions": ["manage_members", "manage_roles"]}).body
    email = f"mm-{name}@example.com"
    server.member_add(name, email, role=mm["id"])
    other = f"other-{name}@example.com"
    server.member_add(name, other)
    s = session(server, email)
    for role in (big["id"], "member"):
        r = s.patch(f"/{name}/members/{email}", {"role": role})
        assert r.status == 403 and r.code == "cannot_grant", role
        assert s.patch(f"/{name}/members/{other}", {"role": role}).code == "cannot_grant"
        assert s.post(f"/{name}/members", {"email": f"new-{role}-{name}@example.com", "role": role}).code == \
            "cannot_grant"
    assert s.patch(f"/{name}/members/{email}", {"role": "owner"}).code == "owner_required"
    assert next(m for m in key.get(f"/{name}/members").body if m["email"] == email)["role"] == mm["id"]
    # What they hold they may give.
    assert s.patch(f"/{name}/members/{other}", {"role": mm["id"]}).status == 200
    assert s.post(f"/{name}/members", {"email": f"peer-{name}@example.com", "role": mm["id"]}).status == 201


# ---- Item 9: emails with control characters ----------------------------------------------------------

BAD_EMAILS = ["eve@example.com\u0000", "eve@example.com\n", "ev e@example.com", "eve\t@example.com",
              "\u007feve@example.com", "eve.example.com", "eve@@example.com", "a@b@example.com", "@example.com",
              "eve@", "e" * 250 + "@example.com"]


def test_malformed_emails_are_refused_everywhere(server, ws):
    name, key = ws
    owner = session(server, f"owner-{name}@example.com")
    for email in BAD_EMAILS:
        for c in (key, owner):
            r = c.post(f"/{name}/members", {"email": email, "role": "member"})
            assert r.status == 400 and r.code == "invalid_email", (email, r.body)
        assert email.lower() not in [m["email"] for m in key.get(f"/{name}/members").body]
        if "\u0000" not in email:  # a command line cannot carry NUL
            out = server.member_add(name, email, check=False)
            assert out.returncode == 1 and "email" in out.stderr, email
        assert Client(server.base).login(email, PASSWORD).status == 401
    # The address without the control character still works, once.
    assert key.post(f"/{name}/members", {"email": "eve@example.com", "role": "member"}).status == 201
    assert len([m for m in key.get(f"/{name}/members").body if m["email"].startswith("eve")]) == 1


def test_bootstrap_refuses_a_control_character_in_the_email(server):
    import subprocess
    from limbo_test_server import LIMBOD
    out = subprocess.run([LIMBOD, "bootstrap", *server._storage(), "--workspace", "ctl-ws", "--email",
                          "eve@example.com\u0001", "--password", PASSWORD], capture_output=True, text=True)
    assert out.returncode == 1 and "email" in out.stderr
