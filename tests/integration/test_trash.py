"""The Trash rules through the REST API and the web-only routes, against a real limbod."""
import http.client
import json
import threading
import urllib.parse

import pytest

from limbo_test_server import PASSWORD, Client, png

DAY = 24 * 3600
SUDO_WINDOW = 10 * 60  # seconds of server time after the password was entered (sudo mode)


def project(c, ws, name, images=0, seed=0, **extra):
    r = c.post(f"/{ws}/projects", {"name": name, "type": "object-detection", "annotation": "a", **extra})
    assert r.status == 201, r.body
    p = r.body  # the bare project, as Roboflow's API answers a create
    for i in range(images):
        assert c.post(f"/{ws}/{p['url']}/upload", raw=png(seed + i)).status in (200, 201)
    return p


def trash_items(c, ws, **query):
    qs = urllib.parse.urlencode(query)
    r = c.get(f"/{ws}/trash?{qs}")
    assert r.status == 200, r.body
    return r.body


def session_for(server, email):
    s = Client(server.base)
    assert s.login(email).status == 200
    return s


def member_session(server, c, ws, email, permissions):
    """A session of a new member whose custom role has exactly `permissions`."""
    role = c.post(f"/{ws}/roles", {"name": f"Role {email}", "permissions": permissions})
    assert role.status == 201, role.body
    server.member_add(ws, email, role=role.body["id"])
    return session_for(server, email)


def test_delete_answers_the_roboflow_shape_and_hides_everything(server, ws):
    name, c = ws
    p = project(c, name, "Cats", images=2, seed=100)
    c.post(f"/{name}/cats/versions")
    r = c.delete(f"/{name}/cats?deleteImages=true")
    assert r.status == 200
    b = r.body
    assert b["deleted"] is True and b["type"] == "project" and b["workspace"] == name and b["trash"] is True
    assert b["project"] == "cats" and b["projectId"] == p["projectId"] and b["scheduledCleanupAt"].endswith("Z")
    assert c.get(f"/{name}/cats").code == "in_trash"
    assert c.get(f"/{name}/cats/1").code == "in_trash"
    assert c.get(f"/{name}").body["workspace"]["projects"] == []
    assert c.get(f"/{name}/projects").body["projects"] == []
    assert c.delete(f"/{name}/cats").code == "in_trash"
    listing = trash_items(c, name)
    item = listing["items"][0]
    for k in ("id", "type", "name", "url", "deletedAt", "scheduledCleanupAt", "daysRemaining", "deletedBy",
              "deletedByName", "sizeBytes", "cleanupDeleteImages", "parentId", "parentName", "parentUrl",
              "parentInTrash", "restorable", "blockedReason", "location"):
        assert k in item, k
    assert item["id"] == p["projectId"] and item["daysRemaining"] == 30 and item["cleanupDeleteImages"] is True
    assert item["sizeBytes"] == len(png(100)) + len(png(101))
    assert listing["sections"]["projects"][0]["id"] == p["projectId"]
    assert listing["counts"] == {"projects": 1, "versions": 0, "workflows": 0, "trainings": 0, "total": 1}
    usage = c.get(f"/{name}/usage").body
    assert usage["trashItems"] == 1 and usage["storageBytes"] == item["sizeBytes"]
    assert usage["reclaimableBytes"] == item["sizeBytes"]
    # The body form of deleteImages works too.
    project(c, name, "Dogs")
    assert c.delete(f"/{name}/dogs", {"deleteImages": True}).body["deleteImages"] is True
    assert c.delete(f"/{name}/nope").status == 404


def test_versions_and_workflows_go_to_the_trash(server, ws):
    name, c = ws
    p = project(c, name, "Cats", images=1, seed=200)
    c.post(f"/{name}/cats/versions")
    c.post(f"/{name}/cats/versions")
    r = c.delete(f"/{name}/cats/2")
    assert r.status == 200 and r.body["type"] == "version" and r.body["version"] == "2"
    assert c.get(f"/{name}/cats/2").code == "in_trash"
    assert [v["version"] for v in c.get(f"/{name}/cats").body["versions"]] == [1]
    c.post(f"/{name}/workflows", {"name": "Flow"})
    w = c.delete(f"/{name}/workflows/flow")
    assert w.status == 200 and w.body["type"] == "workflow"
    assert c.get(f"/{name}/workflows/flow").code == "in_trash"
    assert c.get(f"/infer/workflows/{name}/flow").status == 404
    items = trash_items(c, name, type="version")["items"]
    assert len(items) == 1 and items[0]["id"] == "2" and items[0]["parentId"] == p["projectId"]
    assert items[0]["parentUrl"] == "cats" and items[0]["location"]["project"]["id"] == p["projectId"]
    assert trash_items(c, name, type="workflow")["items"][0]["name"] == "Flow"
    assert c.get(f"/{name}/trash?type=bogus").status == 400
    assert c.get(f"/{name}/trash?sort=bogus").status == 400
    assert c.get(f"/{name}/trash?limit=0").status == 400
    assert c.get(f"/{name}/trash?cursor=%%%").status == 400


def test_trash_cancels_jobs_and_stops_models_then_restore_brings_models_back(server, ws):
    name, c = ws
    p = project(c, name, "Cats", images=1, seed=300)
    c.post(f"/{name}/cats/versions")
    c.post(f"/{name}/cats/versions")
    c.post(f"/{name}/cats/1/train")
    c.post("/_dev/clock", {"advanceSeconds": 6})  # job 1 finishes; its model serves
    job2 = c.post(f"/{name}/cats/2/train").body["job"]
    c.post("/_dev/clock", {"advanceSeconds": 2})  # job 2 is running
    assert c.get(f"/infer/{name}/cats/1").status == 200
    c.delete(f"/{name}/cats")
    assert c.get(f"/infer/{name}/cats/1").code == "model_not_serving"
    assert c.get(f"/{name}/jobs").body["jobs"] == []
    assert c.get(f"/{name}/jobs/{job2['id']}").code == "in_trash"
    c.post("/_dev/clock", {"advanceSeconds": 60})
    r = c.post(f"/{name}/trash/restore", {"type": "project", "id": p["projectId"]})
    assert r.status == 200 and r.body == {"restored": True, "type": "project", "id": p["projectId"]}
    assert c.get(f"/infer/{name}/cats/1").status == 200
    job = c.get(f"/{name}/jobs/{job2['id']}").body["job"]
    assert job["state"] == "cancelled" and job["cancelReason"] == "moved_to_trash"
    frozen = job["creditsUsed"]
    assert frozen <= 2
    c.post("/_dev/clock", {"advanceSeconds": 100})
    assert c.get(f"/{name}/jobs/{job2['id']}").body["job"]["creditsUsed"] == frozen


def test_restore_rules_parent_conflict_and_batches(server, ws):
    name, c = ws
    p = project(c, name, "Cats", images=1, seed=400)
    c.post(f"/{name}/cats/versions")
    c.delete(f"/{name}/cats/1")
    c.delete(f"/{name}/cats")
    r = c.post(f"/{name}/trash/restore", {"type": "version", "id": "1", "parentId": p["projectId"]})
    assert r.status == 409 and r.code == "parent_in_trash"
    v = trash_items(c, name, type="version")["items"][0]
    assert v["parentInTrash"] is True and v["restorable"] is False and v["blockedReason"] == "parent_in_trash"
    assert c.post(f"/{name}/trash/restore", {"type": "version", "id": "1"}).status == 400
    r = c.post(f"/{name}/trash/restore", {"items": [{"type": "version", "id": 1, "parentId": p["projectId"]},
                                                      {"type": "project", "id": p["projectId"]}]})
    assert r.status == 200 and len(r.body["restored"]) == 2 and r.body["failed"] == []
    assert r.body["restored"][0]["type"] == "project"  # projects first
    assert c.get(f"/{name}/cats/1").status == 200
    assert c.post(f"/{name}/trash/restore", {"type": "project", "id": p["projectId"]}).code == "not_in_trash"
    assert c.post(f"/{name}/trash/restore", {"type": "planet", "id": "x"}).status == 400
    assert c.post(f"/{name}/trash/restore", {"items": "nope"}).status == 400

    # T10: a new project took the url; restore needs a new url and never overwrites.
    c.delete(f"/{name}/cats")
    newer = project(c, name, "Cats")
    r = c.post(f"/{name}/trash/restore", {"type": "project", "id": p["projectId"]})
    assert r.status == 409 and r.code == "restore_conflict"
    assert trash_items(c, name)["items"][0]["blockedReason"] == "restore_conflict"
    r = c.post(f"/{name}/trash/restore", {"type": "project", "id": p["projectId"], "url": "cats-old"})
    assert r.status == 200
    assert c.get(f"/{name}/cats-old").body["project"]["projectId"] == p["projectId"]
    assert c.get(f"/{name}/cats").body["project"]["projectId"] == newer["projectId"]


def test_restore_all_brings_back_projects_with_their_separately_trashed_versions(server, ws):
    name, c = ws
    ids = []
    for i in range(3):
        p = project(c, name, f"P{i}", images=1, seed=500 + i)
        ids.append(p["projectId"])
        c.post(f"/{name}/p{i}/versions")
        c.delete(f"/{name}/p{i}/1")
        c.delete(f"/{name}/p{i}")
    c.post(f"/{name}/workflows", {"name": "W"})
    c.delete(f"/{name}/workflows/w")
    r = c.post(f"/{name}/trash/restore-all")
    assert r.status == 200 and len(r.body["restored"]) == 7 and r.body["failed"] == []
    assert trash_items(c, name)["items"] == []
    for i in range(3):
        assert c.get(f"/{name}/p{i}/1").status == 200


def test_per_item_permissions_in_batches(server, ws):
    name, c = ws
    p = project(c, name, "Cats")
    c.post(f"/{name}/workflows", {"name": "Flow"})
    wf = c.get(f"/{name}/workflows/flow").body["workflow"]
    c.delete(f"/{name}/cats")
    c.delete(f"/{name}/workflows/flow")
    role = c.post(f"/{name}/roles", {"name": "Project restorer", "permissions": ["view_trash", "restore_dataset"]}).body
    email = f"r-{name}@example.com"
    server.member_add(name, email, role=role["id"])
    s = session_for(server, email)
    r = s.post(f"/{name}/trash/restore-all")
    assert [x["id"] for x in r.body["restored"]] == [p["projectId"]]
    assert r.body["failed"][0]["id"] == wf["id"] and r.body["failed"][0]["error"]["code"] == "forbidden"
    assert s.delete(f"/{name}/cats").code == "forbidden"
    d = s.post(f"/app/api/{name}/trash/delete", {"items": [{"type": "workflow", "id": wf["id"]}]})
    assert d.status == 200 and d.body["failed"][0]["error"]["code"] == "forbidden"


def test_permanent_deletion_is_web_only(server, ws):
    name, c = ws
    p = project(c, name, "Cats", images=1, seed=600)
    c.delete(f"/{name}/cats")
    body = {"items": [{"type": "project", "id": p["projectId"]}]}
    for route, payload in ((f"/app/api/{name}/trash/delete", body), (f"/app/api/{name}/trash/empty", {"confirm": name})):
        r = c.post(route, payload)  # API key
        assert r.status == 403 and r.code == "web_only", route
        r = Client(server.base).post(route + f"?api_key={c.key}", payload)
        assert r.status == 403 and r.code == "web_only"
        r = Client(server.base).post(route, payload)  # nothing
        assert r.status == 403 and r.code == "web_only"
    s = session_for(server, f"owner-{name}@example.com")
    r = s.post(f"/app/api/{name}/trash/delete", body, csrf=False)
    assert r.status == 403 and r.code == "web_only"
    # A session that also presents an API key is still refused.
    s.key = c.key
    assert s.post(f"/app/api/{name}/trash/delete", body).code == "web_only"
    s.key = None
    assert trash_items(c, name)["counts"]["total"] == 1  # nothing happened
    r = s.post(f"/app/api/{name}/trash/delete", body)
    assert r.status == 200 and r.body["deleted"] == [{"type": "project", "id": p["projectId"]}]
    assert trash_items(c, name)["items"] == []
    assert c.post(f"/{name}/trash/restore", {"type": "project", "id": p["projectId"]}).code == "not_in_trash"
    # No REST route deletes permanently.
    for method, path in (("DELETE", f"/{name}/trash"), ("POST", f"/{name}/trash/empty"), ("POST", f"/{name}/trash/delete")):
        assert c.request(method, path, {}).status in (404, 405)


def test_empty_trash_needs_the_workspace_url(server, ws):
    name, c = ws
    project(c, name, "A")
    project(c, name, "B")
    c.delete(f"/{name}/a")
    c.delete(f"/{name}/b")
    s = session_for(server, f"owner-{name}@example.com")
    r = s.post(f"/app/api/{name}/trash/empty", {"confirm": "wrong"})
    assert r.status == 400 and r.code == "confirmation_required"
    r = s.post(f"/app/api/{name}/trash/empty", {"confirm": name})
    assert r.status == 200 and len(r.body["deleted"]) == 2
    c.post("/_dev/clock", {"advanceSeconds": 0})
    assert trash_items(c, name)["items"] == []
    actions = [e["action"] for e in c.get(f"/{name}/audit").body["events"]]
    assert actions[:2] == ["empty_trash", "empty_trash"]


def test_retention_boundaries_and_automatic_cleanup(fresh_server):
    c = fresh_server.bootstrap("acme")
    shared = project(c, "acme", "Shared", images=1, seed=700)
    project(c, "acme", "Doomed", images=2, seed=710)
    shared_img = c.get("/acme/images?project=shared").body["images"][0]
    c.post("/acme/doomed/images", {"images": [shared_img["id"]]})
    c.delete("/acme/doomed?deleteImages=true")
    c.post("/_dev/clock", {"advanceSeconds": 29 * DAY})
    item = trash_items(c, "acme")["items"][0]
    assert item["daysRemaining"] == 1
    c.post("/_dev/clock", {"advanceSeconds": DAY - 1})
    assert trash_items(c, "acme")["items"][0]["daysRemaining"] == 1
    c.post("/_dev/clock", {"advanceSeconds": 1})  # exactly at cleanupAt
    assert trash_items(c, "acme")["items"] == []
    images = c.get("/acme/images").body["images"]
    assert [i["id"] for i in images] == [shared_img["id"]]  # T12: the shared image survives
    usage = c.get("/acme/usage").body
    assert usage["storageBytes"] == shared_img["sizeBytes"] and usage["trashItems"] == 0
    audit = c.get("/acme/audit").body["events"]
    assert audit[0]["action"] == "auto_cleanup" and audit[0]["actor"] is None
    report = fresh_server.fsck()
    assert report["clean"] is True


def test_restore_and_permanent_delete_race_has_one_winner(server, ws):
    name, c = ws
    s = session_for(server, f"owner-{name}@example.com")
    for i in range(30):
        p = project(c, name, f"Race {i}", images=1, seed=800 + i)
        c.delete(f"/{name}/{p['url']}?deleteImages=true")
        results = {}

        def restore():
            results["restore"] = c.post(f"/{name}/trash/restore", {"type": "project", "id": p["projectId"]})

        def delete():
            results["delete"] = s.post(f"/app/api/{name}/trash/delete", {"items": [{"type": "project", "id": p["projectId"]}]})

        threads = [threading.Thread(target=restore), threading.Thread(target=delete)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        restored = results["restore"].status == 200
        deleted = len(results["delete"].body["deleted"]) == 1
        assert restored != deleted, (results["restore"].body, results["delete"].body)
        if restored:
            assert results["delete"].body["failed"][0]["error"]["code"] == "not_in_trash"
            assert c.get(f"/{name}/{p['url']}").status == 200
        else:
            assert results["restore"].code == "not_in_trash"
    c.post("/_dev/clock", {"advanceSeconds": 0})
    assert server.fsck()["clean"] is True


def test_listing_filters_sorts_and_pages(server, ws):
    name, c = ws
    for i in range(12):
        project(c, name, f"Item {i:02d}")
        c.delete(f"/{name}/item-{i:02d}")
    page = trash_items(c, name, limit=5, sort="name")
    names = [x["name"] for x in page["items"]]
    cursor = page["nextCursor"]
    while cursor:
        page = trash_items(c, name, limit=5, sort="name", cursor=cursor)
        names += [x["name"] for x in page["items"]]
        cursor = page["nextCursor"]
    assert names == [f"Item {i:02d}" for i in range(12)]
    assert [x["name"] for x in trash_items(c, name, q="Item 07")["items"]] == ["Item 07"]
    newest = trash_items(c, name, limit=1)["items"][0]
    assert newest["name"] == "Item 11"
    assert trash_items(c, name, sort="scheduledCleanupAt", limit=1)["items"][0]["name"] == "Item 00"
    assert trash_items(c, name)["counts"]["total"] == 12


@pytest.mark.parametrize("upload_after", [False, True])
def test_storage_quota_counts_the_trash(server, ws, upload_after):
    name, c = ws
    project(c, name, "A", images=2, seed=900)
    used = c.get(f"/{name}/usage").body["storageBytes"]
    c.delete(f"/{name}/a")
    c.patch(f"/{name}", {"storageQuotaBytes": used + 50})
    project(c, name, "B")
    r = c.post(f"/{name}/b/upload", raw=png(950))
    assert r.status == 403 and r.code == "storage_quota_exceeded"
    if upload_after:
        # Bytes already in the Asset Library cost nothing more.
        assert c.post(f"/{name}/b/upload", raw=png(900)).status == 200


def test_permanent_deletion_needs_the_password_entered_in_the_last_ten_minutes(fresh_server):
    """Sudo mode: a session deletes permanently only within SUDO_WINDOW of entering its password."""
    c = fresh_server.bootstrap("acme")
    ids = []
    for i in range(4):
        ids.append(project(c, "acme", f"P{i}")["projectId"])
        assert c.delete(f"/acme/p{i}").status == 200
    ref = lambda pid: {"items": [{"type": "project", "id": pid}]}  # noqa: E731
    web = session_for(fresh_server, "owner@example.com")
    other = session_for(fresh_server, "owner@example.com")

    # A fresh sign-in deletes permanently, up to the last second of the window.
    r = web.post("/app/api/acme/trash/delete", ref(ids[0]))
    assert r.status == 200 and r.body["deleted"] == [{"type": "project", "id": ids[0]}], r.body
    assert c.post("/_dev/clock", {"advanceSeconds": SUDO_WINDOW - 1}).status == 200
    assert web.post("/app/api/acme/trash/delete", ref(ids[1])).status == 200

    # Past it, both permanent actions are refused and nothing leaves the Trash.
    assert c.post("/_dev/clock", {"advanceSeconds": 1}).status == 200
    for route, body in (("/app/api/acme/trash/delete", ref(ids[2])), ("/app/api/acme/trash/empty", {"confirm": "acme"})):
        r = web.post(route, body)
        assert r.status == 403 and r.code == "reauth_required", (route, r.body)
        assert r.body["error"]["message"] and r.body["error"]["hint"]
    assert sorted(i["id"] for i in trash_items(c, "acme")["items"]) == sorted(ids[2:])

    # A wrong password answers 401 and changes nothing.
    r = web.post("/app/api/reauth", {"password": "not the password"})
    assert r.status == 401 and r.code == "invalid_credentials", r.body
    assert web.post("/app/api/acme/trash/delete", ref(ids[2])).code == "reauth_required"
    # Re-authentication needs the session's CSRF token and a JSON body, like any other session call.
    assert web.post("/app/api/reauth", {"password": PASSWORD}, csrf=False).code == "csrf_required"
    r = web.request("POST", "/app/api/reauth", raw=b'{"password": "%s"}' % PASSWORD.encode(),
                    headers={"Content-Type": "text/plain"})
    assert r.status == 415 and r.code == "unsupported_media_type"
    assert web.post("/app/api/acme/trash/delete", ref(ids[2])).code == "reauth_required"

    # The right password opens a new window for this session only.
    r = web.post("/app/api/reauth", {"password": PASSWORD})
    assert r.status == 200 and r.body["reauthenticated"] is True and r.body["sudoExpiresAt"].endswith("Z"), r.body
    r = web.post("/app/api/acme/trash/delete", ref(ids[2]))
    assert r.status == 200 and len(r.body["deleted"]) == 1, r.body
    assert other.post("/app/api/acme/trash/empty", {"confirm": "acme"}).code == "reauth_required"
    r = web.post("/app/api/acme/trash/empty", {"confirm": "acme"})
    assert r.status == 200 and r.body["deleted"] == [{"type": "project", "id": ids[3]}], r.body
    assert trash_items(c, "acme")["items"] == []
    assert c.post("/_dev/clock", {"advanceSeconds": SUDO_WINDOW}).status == 200
    assert web.post("/app/api/acme/trash/empty", {"confirm": "acme"}).code == "reauth_required"

    # An API key can neither delete permanently nor re-authenticate.
    for route, body in (("/app/api/acme/trash/delete", ref(ids[0])), ("/app/api/acme/trash/empty", {"confirm": "acme"})):
        assert c.post(route, body).code == "web_only"
    assert c.post("/app/api/reauth", {"password": PASSWORD}).code == "session_required"
    keyed = Client(fresh_server.base, c.key)
    keyed.cookie, keyed.csrf = web.cookie, web.csrf
    # A request that carries a key is refused even with a live session beside it, as web-only routes are.
    assert keyed.post("/app/api/reauth", {"password": PASSWORD}).code == "session_required"
    assert keyed.post("/app/api/acme/trash/empty", {"confirm": "acme"}).code == "web_only"


def test_concurrent_restore_all_losers_get_not_in_trash_never_restore_conflict(fresh_server):
    """Two sessions run Restore All at once over many items: each item comes back once, and the
    loser's failures are all `not_in_trash` (the url now taken is the item's own)."""
    c = fresh_server.bootstrap("acme")
    sessions = [session_for(fresh_server, "owner@example.com") for _ in range(2)]
    wrong, lost = [], 0
    for rnd in range(3):
        expected = set()
        for i in range(100):
            p = project(c, "acme", f"R{rnd} P{i}")
            assert c.delete(f"/acme/{p['url']}").status == 200
            expected.add(p["projectId"])
        for i in range(20):
            w = c.post("/acme/workflows", {"name": f"R{rnd} W{i}"}).body["workflow"]
            assert c.delete(f"/acme/workflows/{w['url']}").status == 200
            expected.add(w["id"])
        # Connected beforehand, so that both requests leave at the same instant.
        conns = [http.client.HTTPConnection(urllib.parse.urlsplit(fresh_server.base).netloc, timeout=60)
                 for _ in sessions]
        for conn in conns:
            conn.connect()
        barrier = threading.Barrier(2)
        answers = [None, None]

        def run(k):
            headers = {"Cookie": sessions[k].cookie, "X-CSRF-Token": sessions[k].csrf, "Content-Type": "application/json"}
            barrier.wait()
            conns[k].request("POST", "/acme/trash/restore-all", body=b"{}", headers=headers)
            r = conns[k].getresponse()
            answers[k] = (r.status, json.loads(r.read()))
            conns[k].close()

        threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        restored = []
        for status, body in answers:
            assert status == 200, body
            restored += [x["id"] for x in body["restored"]]
            wrong += [f["error"]["code"] for f in body["failed"] if f["error"]["code"] != "not_in_trash"]
            lost += len(body["failed"])
        assert sorted(restored) == sorted(expected), "every item restored exactly once"
        assert trash_items(c, "acme")["items"] == []
    print(f"concurrent Restore All: {lost} items answered not_in_trash to the slower session")
    assert wrong == [], f"{len(wrong)} failures with another code than not_in_trash: {sorted(set(wrong))}"


def test_restore_all_without_view_trash_reveals_nothing(server, ws):
    name, c = ws
    hidden = [project(c, name, f"Secret {i}")["projectId"] for i in range(2)]
    for i in range(2):
        c.delete(f"/{name}/secret-{i}")
    c.post(f"/{name}/workflows", {"name": "Secret Flow"})
    c.delete(f"/{name}/workflows/secret-flow")
    # Neither a member without Trash permissions nor one who may restore projects but not see the
    # Trash learns its contents: 403, no ids, nothing restored.
    for who, perms in (("none", []), ("restorer", ["restore_dataset", "restore_workflow"])):
        s = member_session(server, c, name, f"{who}-{name}@example.com", perms)
        r = s.post(f"/{name}/trash/restore-all")
        assert r.status == 403 and r.code == "forbidden", r.body
        assert "view_trash" in r.body["error"]["message"]
        for pid in hidden:
            assert pid not in r.raw.decode(), "the answer names a Trash item"
        assert s.get(f"/{name}/trash").code == "forbidden"
        # Restoring by id stays possible for whoever holds the restore permission.
        if who == "restorer":
            assert s.post(f"/{name}/trash/restore", {"type": "project", "id": hidden[0]}).status == 200
    assert trash_items(c, name)["counts"]["total"] == 2
    # With view_trash the caller sees the Trash anyway; what it may not restore is reported.
    s = member_session(server, c, name, f"viewer-{name}@example.com", ["view_trash", "restore_workflow"])
    r = s.post(f"/{name}/trash/restore-all")
    assert r.status == 200 and [x["type"] for x in r.body["restored"]] == ["workflow"], r.body
    assert [(f["id"], f["error"]["code"]) for f in r.body["failed"]] == [(hidden[1], "forbidden")]


def test_cleanup_timeline_matches_the_listing(fresh_server):
    """GET /:ws/trash/timeline: today and the next 30 UTC dates, each the items (and their sizeBytes) whose
    scheduledCleanupAt falls on it, exactly as the listing says; later items are left out."""
    c = fresh_server.bootstrap("acme")
    alpha = project(c, "acme", "Alpha", images=2, seed=900)
    c.post("/acme/alpha/versions")
    c.post("/acme/alpha/versions")
    c.delete("/acme/alpha/1")
    c.post("/acme/workflows", {"name": "Flow"})
    c.post("/_dev/clock", {"advanceSeconds": 3 * DAY + 5})
    c.delete("/acme/alpha/2")
    c.delete("/acme/workflows/flow")
    project(c, "acme", "Beta", images=1, seed=910)
    owner = session_for(fresh_server, "owner@example.com")  # shortening the retention needs the web app
    assert owner.patch("/acme", {"retentionDays": 5}).status == 200
    c.delete("/acme/beta?deleteImages=true")
    assert owner.patch("/acme", {"retentionDays": 60}).status == 200
    project(c, "acme", "Later", images=1, seed=920)
    c.delete("/acme/later")  # 60 days away: outside the timeline
    c.post("/_dev/clock", {"advanceSeconds": DAY})

    def expected(listing, today):
        by_day = {}
        for it in listing:
            day = max(it["scheduledCleanupAt"][:10], today)
            n, b = by_day.get(day, (0, 0))
            by_day[day] = (n + 1, b + it["sizeBytes"])
        return by_day

    r = c.get("/acme/trash/timeline")
    assert r.status == 200, r.body
    t = r.body
    assert t["timeZone"] == "UTC" and len(t["days"]) == 31
    today = t["now"][:10]
    assert t["days"][0]["date"] == today
    dates = [d["date"] for d in t["days"]]
    assert dates == sorted(dates) and len(set(dates)) == 31
    listing = trash_items(c, "acme")["items"]
    assert len(listing) == 5
    inside = [i for i in listing if i["scheduledCleanupAt"][:10] <= dates[-1]]
    assert len(inside) == 4  # "Later" is 60 days away
    want = expected(inside, today)
    got = {d["date"]: (d["items"], d["bytes"]) for d in t["days"] if d["items"]}
    assert got == want
    assert all(d["bytes"] == 0 for d in t["days"] if d["items"] == 0)
    assert sum(d["items"] for d in t["days"]) == 4
    assert len(got) >= 3  # Beta (5 days), the first version (30 days), the second version and the workflow (33)

    # A restored item leaves its day; the listing and the timeline still agree.
    r = c.post("/acme/trash/restore", {"type": "version", "id": "2", "parentId": alpha["projectId"]})
    assert r.status == 200, r.body
    t2 = c.get("/acme/trash/timeline").body
    listing = trash_items(c, "acme")["items"]
    want = expected([i for i in listing if i["scheduledCleanupAt"][:10] <= t2["days"][-1]["date"]], t2["now"][:10])
    assert {d["date"]: (d["items"], d["bytes"]) for d in t2["days"] if d["items"]} == want
    assert sum(d["items"] for d in t2["days"]) == 3

    # Like the listing, it needs view_trash.
    role = c.post("/acme/roles", {"name": "Uploader", "permissions": ["upload_images"]})
    fresh_server.member_add("acme", "uploader@example.com", role=role.body["id"])
    s = session_for(fresh_server, "uploader@example.com")
    assert s.get("/acme/trash/timeline").code == "forbidden"
    assert s.get("/acme/trash").code == "forbidden"

    # With a 30-day retention, what is deleted now is on the last day of the timeline.
    assert owner.patch("/acme", {"retentionDays": 30}).status == 200
    c.post("/acme/workflows", {"name": "Fresh"})
    c.delete("/acme/workflows/fresh")
    t3 = c.get("/acme/trash/timeline").body
    fresh = next(i for i in trash_items(c, "acme")["items"] if i["name"] == "Fresh")
    assert fresh["scheduledCleanupAt"][:10] == t3["days"][-1]["date"]
    assert t3["days"][-1]["items"] >= 1
