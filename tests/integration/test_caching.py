"""What the servers remember between requests never shows a user something stale: the Trash
listing's ETag and 304, its server-side page cache, and the authentication cache, on one server and
on two servers sharing one database (a data folder with SQLite, a database with PostgreSQL)."""
import pytest

from limbo_test_server import PASSWORD, Client, Server, TEST_DB, database_for


def project(c, ws, name):
    r = c.post(f"/{ws}/projects", {"name": name, "type": "object-detection", "annotation": "a"})
    assert r.status == 201, r.body
    return r.body


def listing(c, ws, etag=None, query="limit=50"):
    return c.get(f"/{ws}/trash?{query}", headers={"If-None-Match": etag} if etag else None)


def member_key(server, ws, email, role, base=None):
    """A member of `ws` with `role` and an API key of their own (made in a session)."""
    server.member_add(ws, email, role=role)
    s = Client(base or server.base)
    assert s.login(email, PASSWORD).status == 200
    r = s.post(f"/{ws}/api-keys", {"name": "k"})
    assert r.status == 201, r.body
    return Client(base or server.base, r.body["key"]), r.body["id"], s


@pytest.fixture
def pair(tmp_path):
    """Two servers on one database."""
    data = str(tmp_path)
    db = database_for(data) if TEST_DB else ""
    a = Server(data=data, db=db).start()
    b = Server(data=data, db=db).start()
    yield a, b
    for s in (a, b):
        s.stop()
    a.cleanup()


def test_listing_answers_304_until_the_trash_changes(server, ws):
    name, c = ws
    p = project(c, name, "Cats")
    assert c.delete(f"/{name}/cats").status == 200
    first = listing(c, name)
    assert first.status == 200 and len(first.body["items"]) == 1
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"] == "private, no-cache"
    again = listing(c, name, etag)
    assert again.status == 304 and again.raw == b"" and again.headers["ETag"] == etag
    assert listing(c, name, "W/" + etag).status == 304  # weak comparison
    assert listing(c, name, '"other", ' + etag).status == 304
    assert listing(c, name, '"other"').status == 200
    # Another query is another page.
    assert listing(c, name, etag, "limit=10").status == 200

    assert c.post(f"/{name}/trash/restore", {"type": "project", "id": p["projectId"]}).status == 200
    after = listing(c, name, etag)
    assert after.status == 200 and after.body["items"] == [] and after.headers["ETag"] != etag
    assert c.delete(f"/{name}/cats").status == 200
    back = listing(c, name, after.headers["ETag"])
    assert back.status == 200 and [i["url"] for i in back.body["items"]] == ["cats"]


def test_listing_follows_its_surroundings(server, ws):
    """A live project taking the url, a rename of the parent: the next request shows it."""
    name, c = ws
    project(c, name, "Dogs")
    assert c.post(f"/{name}/dogs/versions").status in (200, 201)
    assert c.delete(f"/{name}/dogs/1").status == 200
    assert c.delete(f"/{name}/dogs").status == 200
    first = listing(c, name)
    by_type = {i["type"]: i for i in first.body["items"]}
    assert by_type["project"]["restorable"] is True and by_type["version"]["parentInTrash"] is True

    project(c, name, "Dogs")  # a new live project with the trashed one's url
    second = listing(c, name, first.headers["ETag"])
    assert second.status == 200
    by_type = {i["type"]: i for i in second.body["items"]}
    assert by_type["project"]["restorable"] is False and by_type["project"]["blockedReason"] == "restore_conflict"


def test_callers_with_different_rights_never_share_a_page(server, ws):
    name, owner = ws
    project(owner, name, "Birds")
    assert owner.delete(f"/{name}/birds").status == 200
    owners = listing(owner, name)
    assert owners.status == 200
    viewer_role = owner.post(f"/{name}/roles", {"name": "Viewer", "permissions": ["view_trash"]}).body
    viewer, _, _ = member_key(server, name, f"viewer-{name}@example.com", viewer_role["id"])
    plain, _, _ = member_key(server, name, f"plain-{name}@example.com", "member")
    # The member without view_trash is refused even though the page is cached for the owner.
    assert listing(plain, name).status == 403
    assert listing(plain, name, owners.headers["ETag"]).status == 403
    seen = listing(viewer, name, owners.headers["ETag"])
    assert seen.status == 200 and seen.headers["ETag"] != owners.headers["ETag"]

    # Taking view_trash away is honoured on the very next request.
    assert listing(viewer, name, seen.headers["ETag"]).status == 304
    r = owner.patch(f"/{name}/roles/{viewer_role['id']}", {"permissions": ["restore_dataset"]})
    assert r.status == 200, r.body
    assert listing(viewer, name, seen.headers["ETag"]).status == 403


def test_revoked_key_and_removed_member_are_refused_at_once(server, ws):
    name, owner = ws
    key, key_id, _ = member_key(server, name, f"m-{name}@example.com", "member")
    assert key.get(f"/{name}").status == 200
    assert key.get(f"/{name}").status == 200  # from the cache now
    assert owner.delete(f"/{name}/api-keys/{key_id}").status == 200
    assert key.get(f"/{name}").status == 401

    other, _, _ = member_key(server, name, f"n-{name}@example.com", "member")
    assert other.get(f"/{name}").status == 200
    assert owner.delete(f"/{name}/members/n-{name}@example.com").status == 200
    assert other.get(f"/{name}").status in (401, 404)


def test_two_servers_revoke_on_one_refused_on_the_other(pair):
    a, b = pair
    owner_a = a.bootstrap("twin")
    owner_b = Client(b.base, owner_a.key)
    key_b, key_id, session_a = member_key(a, "twin", "m@example.com", "member", base=b.base)
    for _ in range(3):
        assert key_b.get("/twin").status == 200  # b caches the key
    assert owner_a.delete(f"/twin/api-keys/{key_id}").status == 200
    assert key_b.get("/twin").status == 401

    # A role change on a is honoured by b's next request.
    role = owner_a.post("/twin/roles", {"name": "Viewer", "permissions": ["view_trash"]}).body
    viewer_b, _, _ = member_key(a, "twin", "v@example.com", role["id"], base=b.base)
    assert listing(viewer_b, "twin").status == 200
    assert listing(viewer_b, "twin").status == 200
    assert owner_a.patch(f"/twin/roles/{role['id']}", {"permissions": ["restore_dataset"]}).status == 200
    assert listing(viewer_b, "twin").status == 403

    # A removed member is refused by b's next request.
    assert owner_a.patch(f"/twin/roles/{role['id']}", {"permissions": ["view_trash"]}).status == 200
    assert listing(viewer_b, "twin").status == 200
    assert owner_a.delete("/twin/members/v@example.com").status == 200
    assert listing(viewer_b, "twin").status in (401, 404)


def test_two_servers_trash_and_restore_on_one_seen_by_the_other(pair):
    a, b = pair
    owner_a = a.bootstrap("pairs")
    owner_b = Client(b.base, owner_a.key)
    p = project(owner_a, "pairs", "Fish")
    assert owner_a.delete("/pairs/fish").status == 200
    first = listing(owner_b, "pairs")
    assert [i["url"] for i in first.body["items"]] == ["fish"]
    assert listing(owner_b, "pairs", first.headers["ETag"]).status == 304
    assert owner_a.post("/pairs/trash/restore", {"type": "project", "id": p["projectId"]}).status == 200
    after = listing(owner_b, "pairs", first.headers["ETag"])
    assert after.status == 200 and after.body["items"] == []
    assert owner_a.delete("/pairs/fish").status == 200
    again = listing(owner_b, "pairs", after.headers["ETag"])
    assert again.status == 200 and [i["url"] for i in again.body["items"]] == ["fish"]
