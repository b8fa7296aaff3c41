"""The Trash rules through the REST API and the web-only routes, against a real limbod."""
import threading
import urllib.parse

import pytest

from limbo_test_server import Client, png

DAY = 24 * 3600


def project(c, ws, name, images=0, seed=0, **extra):
    r = c.post(f"/{ws}/projects", {"name": name, "type": "object-detection", "annotation": "a", **extra})
    assert r.status == 201, r.body
    p = r.body["project"]
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


def test_delete_answers_the_roboflow_shape_and_hides_everything(server, ws):
    name, c = ws
    p = project(c, name, "Cats", images=2, seed=100)
    c.post(f"/{name}/cats/versions")
    r = c.delete(f"/{name}/cats?deleteImages=true")
    assert r.status == 200
    b = r.body
    assert b["deleted"] is True and b["type"] == "project" and b["workspace"] == name and b["trash"] is True
    assert b["project"] == "cats" and b["projectId"] == p["id"] and b["scheduledCleanupAt"].endswith("Z")
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
    assert item["id"] == p["id"] and item["daysRemaining"] == 30 and item["cleanupDeleteImages"] is True
    assert item["sizeBytes"] == len(png(100)) + len(png(101))
    assert listing["sections"]["projects"][0]["id"] == p["id"]
    assert listing["counts"] == {"projects": 1, "versions": 0, "workflows": 0, "total": 1}
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
    assert len(items) == 1 and items[0]["id"] == "2" and items[0]["parentId"] == p["id"]
    assert items[0]["parentUrl"] == "cats" and items[0]["location"]["project"]["id"] == p["id"]
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
    r = c.post(f"/{name}/trash/restore", {"type": "project", "id": p["id"]})
    assert r.status == 200 and r.body == {"restored": True, "type": "project", "id": p["id"]}
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
    r = c.post(f"/{name}/trash/restore", {"type": "version", "id": "1", "parentId": p["id"]})
    assert r.status == 409 and r.code == "parent_in_trash"
    v = trash_items(c, name, type="version")["items"][0]
    assert v["parentInTrash"] is True and v["restorable"] is False and v["blockedReason"] == "parent_in_trash"
    assert c.post(f"/{name}/trash/restore", {"type": "version", "id": "1"}).status == 400
    r = c.post(f"/{name}/trash/restore", {"items": [{"type": "version", "id": 1, "parentId": p["id"]},
                                                      {"type": "project", "id": p["id"]}]})
    assert r.status == 200 and len(r.body["restored"]) == 2 and r.body["failed"] == []
    assert r.body["restored"][0]["type"] == "project"  # projects first
    assert c.get(f"/{name}/cats/1").status == 200
    assert c.post(f"/{name}/trash/restore", {"type": "project", "id": p["id"]}).code == "not_in_trash"
    assert c.post(f"/{name}/trash/restore", {"type": "planet", "id": "x"}).status == 400
    assert c.post(f"/{name}/trash/restore", {"items": "nope"}).status == 400

    # T10: a new project took the url; restore needs a new url and never overwrites.
    c.delete(f"/{name}/cats")
    newer = project(c, name, "Cats")
    r = c.post(f"/{name}/trash/restore", {"type": "project", "id": p["id"]})
    assert r.status == 409 and r.code == "restore_conflict"
    assert trash_items(c, name)["items"][0]["blockedReason"] == "restore_conflict"
    r = c.post(f"/{name}/trash/restore", {"type": "project", "id": p["id"], "url": "cats-old"})
    assert r.status == 200
    assert c.get(f"/{name}/cats-old").body["project"]["id"] == p["id"]
    assert c.get(f"/{name}/cats").body["project"]["id"] == newer["id"]


def test_restore_all_brings_back_projects_with_their_separately_trashed_versions(server, ws):
    name, c = ws
    ids = []
    for i in range(3):
        p = project(c, name, f"P{i}", images=1, seed=500 + i)
        ids.append(p["id"])
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
    assert [x["id"] for x in r.body["restored"]] == [p["id"]]
    assert r.body["failed"][0]["id"] == wf["id"] and r.body["failed"][0]["error"]["code"] == "forbidden"
    assert s.delete(f"/{name}/cats").code == "forbidden"
    d = s.post(f"/app/api/{name}/trash/delete", {"items": [{"type": "workflow", "id": wf["id"]}]})
    assert d.status == 200 and d.body["failed"][0]["error"]["code"] == "forbidden"


def test_permanent_deletion_is_web_only(server, ws):
    name, c = ws
    p = project(c, name, "Cats", images=1, seed=600)
    c.delete(f"/{name}/cats")
    body = {"items": [{"type": "project", "id": p["id"]}]}
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
    assert r.status == 200 and r.body["deleted"] == [{"type": "project", "id": p["id"]}]
    assert trash_items(c, name)["items"] == []
    assert c.post(f"/{name}/trash/restore", {"type": "project", "id": p["id"]}).code == "not_in_trash"
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
            results["restore"] = c.post(f"/{name}/trash/restore", {"type": "project", "id": p["id"]})

        def delete():
            results["delete"] = s.post(f"/app/api/{name}/trash/delete", {"items": [{"type": "project", "id": p["id"]}]})

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
