"""The storage figures of GET /:ws/usage (docs/TRASH.md, "Storage figures") through every path that
changes them, against a real limbod on both databases: each answer holds the invariants, and the
figures are the ones the rows say."""
import os
import sqlite3

from limbo_test_server import Client, png, query

DAY = 24 * 3600


def usage(c, ws):
    r = c.get(f"/{ws}/usage")
    assert r.status == 200, r.body
    u = r.body
    assert u["activeBytes"] + u["trashOnlyBytes"] == u["storageBytes"], u
    assert 0 <= u["reclaimableBytes"] <= u["trashOnlyBytes"] <= u["storageBytes"], u
    assert 0 <= u["activeBytes"] <= u["storageBytes"], u
    assert u["trashBytes"] == u["trashOnlyBytes"], u  # the old name, the new meaning
    assert u["reclaimableStale"] == u["figuresStale"], u
    assert u["figuresStale"] is False, u  # small workspaces answer exactly
    return u


def figures(c, ws):
    u = usage(c, ws)
    return u["storageBytes"], u["activeBytes"], u["trashOnlyBytes"], u["reclaimableBytes"]


def project(c, ws, name, seeds=()):
    r = c.post(f"/{ws}/projects", {"name": name, "type": "object-detection", "annotation": "a"})
    assert r.status == 201, r.body
    ids = []
    for seed in seeds:
        up = c.post(f"/{ws}/{r.body['url']}/upload", raw=png(seed))
        assert up.status in (200, 201), up.body
        ids.append(up.body["image"]["id"])
    return r.body, ids


def session(server, ws):
    s = Client(server.base)
    assert s.login(f"owner-{ws}@example.com").status == 200
    return s


def sql(server, statement):
    if server.db:
        return query(server.db, statement)
    with sqlite3.connect(os.path.join(server.data, "limbo.db")) as db:
        rows = db.execute(statement).fetchall()
    return "\n".join("|".join(str(v) for v in row) for row in rows)


def test_one_image_of_a_trashed_project_and_two_trashed_versions_counts_once(server, ws):
    """The old figures gave trashBytes 26 KB beside storageBytes 8.7 KB here."""
    name, c = ws
    project(c, name, "Drones", seeds=[1500])
    size = len(png(1500))
    for _ in range(2):
        assert c.post(f"/{name}/drones/versions").status == 201
    assert c.delete(f"/{name}/drones/1").status == 200
    assert c.delete(f"/{name}/drones/2").status == 200
    assert c.delete(f"/{name}/drones").status == 200
    old_fields = c.get(f"/{name}/usage").body
    assert old_fields["trashBytes"] == old_fields["storageBytes"] == size, old_fields  # was 3 * size
    u = usage(c, name)
    assert u["storageBytes"] == size and u["trashBytes"] == size and u["trashOnlyBytes"] == size
    assert u["activeBytes"] == 0
    assert u["reclaimableBytes"] == 0  # trashed without "also delete images": the image stays
    # Each item's sizeBytes still says what it references; together they overlap.
    items = c.get(f"/{name}/trash").body["items"]
    assert sorted(i["sizeBytes"] for i in items) == [size, size, size]


def test_every_path_keeps_the_figures_adding_up(server, ws):
    name, c = ws
    s = session(server, name)
    _, a_ids = project(c, name, "A", seeds=[1601, 1602, 1603])
    a1, a2, a3 = (len(png(x)) for x in (1601, 1602, 1603))
    assert figures(c, name) == (a1 + a2 + a3, a1 + a2 + a3, 0, 0)  # upload

    _, _ = project(c, name, "B", seeds=[1601])  # the same bytes: one image, linked twice
    assert figures(c, name) == (a1 + a2 + a3, a1 + a2 + a3, 0, 0)
    assert c.post(f"/{name}/b/images", {"images": [a_ids[1]]}).status == 200  # link
    assert c.post(f"/{name}/a/versions").status == 201  # a snapshot of A's three images

    # Trash A with its images: a1 and a2 are shared with active B; a3 is only A's.
    assert c.delete(f"/{name}/a?deleteImages=true").status == 200
    total = a1 + a2 + a3
    assert figures(c, name) == (total, a1 + a2, a3, a3)
    # Restore, then trash A without its images: held by the Trash, not reclaimable.
    a_id = c.get(f"/{name}/trash").body["items"][0]["id"]
    assert c.post(f"/{name}/trash/restore", {"type": "project", "id": a_id}).status == 200
    assert figures(c, name) == (total, total, 0, 0)
    assert c.delete(f"/{name}/a").status == 200
    assert figures(c, name) == (total, a1 + a2, a3, 0)

    # B goes to the Trash with its images: everything is held by the Trash now, and a1 and a2 are
    # still not reclaimable (A, trashed without its images, links them).
    assert c.delete(f"/{name}/b?deleteImages=true").status == 200
    assert figures(c, name) == (total, 0, total, 0)
    assert c.post(f"/{name}/trash/restore-all").status == 200
    assert figures(c, name) == (total, total, 0, 0)

    # A training run's model file counts, moves to the Trash with its run and comes back.
    assert c.post(f"/{name}/a/1/train").status == 201
    c.post("/_dev/clock", {"advanceSeconds": 6})
    run = c.get(f"/{name}/a/1/v2/trainings").body["trainings"][0]["trainingId"]
    with_model = usage(c, name)["storageBytes"]
    model = with_model - total
    assert model > 0
    assert c.post(f"/{name}/a/1/v2/trainings/delete", {"trainingId": run}).status == 200
    assert figures(c, name) == (with_model, total, model, model)
    assert c.post(f"/{name}/a/1/v2/trainings/restore", {"trainingId": run}).status == 200
    assert figures(c, name) == (with_model, with_model, 0, 0)
    # A trashed version holds its run's model file; its images are its active project's.
    assert c.delete(f"/{name}/a/1").status == 200
    assert figures(c, name) == (with_model, total, model, model)

    # Permanent deletion (web app) of the version, then of B trashed with its images: a1 and a2
    # stay (A links them), B's own nothing.
    a_project = c.get(f"/{name}/a").body["project"]
    d = s.post(f"/app/api/{name}/trash/delete",
               {"items": [{"type": "version", "id": "1", "parentId": a_project["projectId"]}]})
    assert d.status == 200 and not d.body["failed"], d.body
    c.post("/_dev/clock", {"advanceSeconds": 1})
    assert figures(c, name) == (total, total, 0, 0)

    # Empty Trash: A trashed with its images frees a3 only; a1 and a2 stay with B.
    assert c.delete(f"/{name}/a?deleteImages=true").status == 200
    before = figures(c, name)
    assert before == (total, a1 + a2, a3, a3)
    e = s.post(f"/app/api/{name}/trash/empty", {"confirm": name})
    assert e.status == 200, e.body
    c.post("/_dev/clock", {"advanceSeconds": 1})
    assert figures(c, name) == (a1 + a2, a1 + a2, 0, 0)

    # Automatic cleanup at the end of the retention, of B without its images: they stay, active.
    assert c.delete(f"/{name}/b").status == 200
    assert figures(c, name) == (a1 + a2, 0, a1 + a2, 0)
    c.post("/_dev/clock", {"advanceSeconds": 31 * DAY})
    assert c.get(f"/{name}/trash").body["items"] == []
    assert figures(c, name) == (a1 + a2, a1 + a2, 0, 0)
    assert usage(c, name)["images"] == 2


def test_fsck_reports_a_corrupted_figure_and_repairs_it(fresh_server):
    s = fresh_server
    c = s.bootstrap("acme", email="owner-acme@example.com")
    project(c, "acme", "Cats", seeds=[1701, 1702])
    assert c.delete("/acme/cats?deleteImages=true").status == 200
    c.post("/_dev/clock", {"advanceSeconds": 1})  # the background pass recounts the figures
    exact = figures(c, "acme")
    s.stop()
    assert s.fsck()["clean"] is True
    ws_id = int(sql(s, "SELECT id FROM workspaces WHERE url = 'acme'"))
    sql(s, f"UPDATE workspaces SET trash_only_bytes = trash_only_bytes + 12345 WHERE id = {ws_id}")
    report = s.fsck()
    assert report["clean"] is False and report["wrongFigures"] == [ws_id], report
    repaired = s.fsck(repair=True)
    assert repaired["wrongFigures"] == [ws_id] and repaired["repaired"] >= 1, repaired
    again = s.fsck()
    assert again["clean"] is True and again["wrongFigures"] == [] and again["staleFigures"] == 0, again
    s.start()
    c.base = s.base
    assert figures(c, "acme") == exact
