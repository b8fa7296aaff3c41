"""Trainings in the Trash (SPEC T16) through the official client's v2 trainings routes, the Trash
listing and restore, and the web-only permanent deletion, against a real limbod (both databases)."""
import os

from limbo_test_server import Client, Server, png

DAY = 24 * 3600


def make_cats(c, ws, versions=1, seed=0):
    r = c.post(f"/{ws}/projects", {"name": "Cats", "type": "object-detection", "annotation": "a"})
    assert r.status == 201, r.body
    p = r.body.get("project", r.body)
    assert c.post(f"/{ws}/cats/upload", raw=png(seed)).status in (200, 201)
    for _ in range(versions):
        assert c.post(f"/{ws}/cats/versions").status == 201
    return p


def project_id(p):
    return p.get("projectId", p["id"])


def finished_run(c, ws, version=1):
    r = c.post(f"/{ws}/cats/{version}/train")
    assert r.status == 201, r.body
    c.post("/_dev/clock", {"advanceSeconds": 6})  # the demo trainer (5 s) finishes
    job = c.get(f"/{ws}/jobs/{r.body['job']['id']}").body["job"]
    assert job["state"] == "finished", job
    return job["id"]


def trainings(c, ws, version=1):
    r = c.get(f"/{ws}/cats/{version}/v2/trainings")
    assert r.status == 200, r.body
    return r.body["trainings"]


def delete(c, ws, body, version=1):
    return c.post(f"/{ws}/cats/{version}/v2/trainings/delete", body)


def restore(c, ws, training_id, version=1):
    return c.post(f"/{ws}/cats/{version}/v2/trainings/restore", {"trainingId": training_id})


def trash(c, ws, query=""):
    r = c.get(f"/{ws}/trash{query}")
    assert r.status == 200, r.body
    return r.body


def model_file(server, training_id):
    return os.path.join(server.data, "models", training_id + ".json")


def test_the_v2_trainings_routes_answer_the_official_shapes(server, ws):
    name, c = ws
    make_cats(c, name, seed=1)
    assert trainings(c, name) == []
    run = finished_run(c, name)
    [t] = trainings(c, name)
    assert set(t) >= {"trainingId", "status", "modelType", "modelGroup", "modelIds", "start"}
    assert t["trainingId"] == run and t["status"] == "finished"
    assert t["modelType"] == "limbo-demo" and t["modelGroup"] == "demo" and t["modelIds"] == [run]
    assert isinstance(t["start"], int) and t["versionModel"] is True

    r = delete(c, name, {"trainingId": run})
    assert r.status == 200, r.body
    assert r.body["trainingId"] == run and r.body["inTrash"] is True and r.body["alreadyInTrash"] is False
    assert trainings(c, name) == []
    again = delete(c, name, {"trainingId": run})
    assert again.status == 200 and again.body == {"trainingId": run, "inTrash": True, "alreadyInTrash": True}

    r = restore(c, name, run)
    assert r.status == 200 and r.body == {"trainingId": run, "restored": True}
    assert [t["trainingId"] for t in trainings(c, name)] == [run]
    r = restore(c, name, run)
    assert r.status == 404 and r.code == "not_in_trash" and "not in trash" in r.body["error"]["message"]
    # Unknown runs, bad bodies, other versions.
    assert delete(c, name, {"trainingId": "j_nope"}).status == 404
    assert delete(c, name, {"trainingId": 5}).status == 400
    assert restore(c, name, "j_nope").status == 404
    assert c.post(f"/{name}/cats/1/v2/trainings/restore", {}).status == 400
    assert c.get(f"/{name}/cats/9/v2/trainings").status == 404
    assert c.get(f"/{name}/dogs/1/v2/trainings").status == 404


def test_in_progress_and_several_runs_are_refused_with_the_phrases_the_cli_keys_on(server, ws):
    name, c = ws
    make_cats(c, name, versions=2, seed=2)
    job = c.post(f"/{name}/cats/1/train").body["job"]
    r = delete(c, name, {"trainingId": job["id"]})
    assert r.status == 409 and r.code == "training_in_progress" and "in progress" in r.body["error"]["message"]
    r = delete(c, name, {})
    assert r.status == 409 and r.code == "training_in_progress"
    c.post(f"/{name}/cats/1/train/cancel")
    second = finished_run(c, name)
    r = delete(c, name, {})
    assert r.status == 409 and r.code == "multiple_trainings"
    message = r.body["error"]["message"]
    assert "MULTIPLE_TRAININGS" in message and job["id"] in message and second in message
    # With one run, `{}` (or an empty body) means it.
    only = finished_run(c, name, version=2)
    r = c.request("POST", f"/{name}/cats/2/v2/trainings/delete")  # no body at all
    assert r.status == 200 and r.body["trainingId"] == only and r.body["alreadyInTrash"] is False
    assert delete(c, name, {}, version=2).body["alreadyInTrash"] is True


def test_a_trashed_run_is_hidden_and_its_model_passes_to_the_newest_remaining_run(server, ws):
    name, c = ws
    make_cats(c, name, seed=3)
    older = finished_run(c, name)
    newer = finished_run(c, name)
    assert c.get(f"/{name}/cats/1").body["version"]["model"]["state"] == "serving"
    assert c.get(f"/infer/{name}/cats/1").body["model"]["jobId"] == newer
    assert delete(c, name, {"trainingId": newer}).status == 200
    # Hidden from the jobs listing and answering in_trash; the older run's model serves now.
    assert [j["id"] for j in c.get(f"/{name}/jobs").body["jobs"]] == [older]
    r = c.get(f"/{name}/jobs/{newer}")
    assert r.status == 404 and r.code == "in_trash" and "in trash" in r.body["error"]["message"]
    assert c.get(f"/infer/{name}/cats/1").body["model"]["jobId"] == older
    # Restoring the newer one does not displace the model serving now.
    assert restore(c, name, newer).status == 200
    assert c.get(f"/infer/{name}/cats/1").body["model"]["jobId"] == older
    for run in (older, newer):
        assert delete(c, name, {"trainingId": run}).status == 200
    assert c.get(f"/infer/{name}/cats/1").code == "model_not_serving"
    assert c.get(f"/{name}/cats/1").body["version"]["model"] is None
    # With no model left, a restored run's model comes back serving.
    assert c.post(f"/{name}/trash/restore", {"type": "training", "id": older}).body == {
        "restored": True, "type": "training", "id": older}
    assert c.get(f"/infer/{name}/cats/1").body["model"]["jobId"] == older


def test_the_trash_listing_has_a_trainings_section_filter_and_counts(server, ws):
    name, c = ws
    p = make_cats(c, name, seed=4)
    run = finished_run(c, name)
    size = os.path.getsize(model_file(server, run))
    before = c.get(f"/{name}/usage").body
    delete(c, name, {"trainingId": run})
    listing = trash(c, name)
    assert listing["counts"] == {"projects": 0, "versions": 0, "workflows": 0, "trainings": 1, "total": 1}
    [item] = listing["sections"]["trainings"]
    assert listing["items"] == [item]
    assert item["type"] == "training" and item["id"] == run and item["trainingId"] == run
    assert item["parentId"] == project_id(p) and item["parentName"] == "Cats" and item["parentUrl"] == "cats"
    assert item["version"] == 1 and item["location"]["version"] == {"number": 1}
    assert item["location"]["project"]["id"] == project_id(p)
    assert item["daysRemaining"] == 30 and item["deletedByName"] and item["deletedBy"]
    assert item["sizeBytes"] == size and item["restorable"] is True and item["blockedReason"] is None
    assert trash(c, name, "?type=training")["items"] == [item]
    assert trash(c, name, "?type=project")["items"] == []
    assert c.get(f"/{name}/trash?type=run").status == 400
    usage = c.get(f"/{name}/usage").body
    assert usage["trashItems"] == 1 and usage["storageBytes"] == before["storageBytes"]
    assert usage["reclaimableBytes"] == size and usage["trashBytes"] == size
    # With the version in the Trash too, the run is blocked by its parent.
    assert c.delete(f"/{name}/cats/1").status == 200
    [item] = trash(c, name, "?type=training")["items"]
    assert item["parentInTrash"] is True and item["restorable"] is False and item["blockedReason"] == "parent_in_trash"
    r = restore(c, name, run)
    assert r.status == 409 and r.code == "parent_in_trash" and "in trash" in r.body["error"]["message"]
    r = c.post(f"/{name}/trash/restore", {"type": "training", "id": run})
    assert r.status == 409 and r.code == "parent_in_trash"
    # Restore All: the version, then the run.
    r = c.post(f"/{name}/trash/restore-all")
    assert r.status == 200 and r.body["failed"] == []
    assert [i["type"] for i in r.body["restored"]] == ["version", "training"]
    assert [t["trainingId"] for t in trainings(c, name)] == [run]


def test_trashing_the_project_takes_its_runs_and_earlier_trashed_runs_keep_their_rows(server, ws):
    name, c = ws
    p = make_cats(c, name, seed=5)
    kept = finished_run(c, name)
    gone_with_project = finished_run(c, name)
    delete(c, name, {"trainingId": kept})
    assert c.delete(f"/{name}/cats").status == 200
    listing = trash(c, name)
    assert listing["counts"]["trainings"] == 1 and listing["counts"]["projects"] == 1
    assert c.get(f"/{name}/jobs/{gone_with_project}").code == "in_trash"
    assert c.get(f"/{name}/cats/1/v2/trainings").code == "in_trash"
    assert delete(c, name, {"trainingId": kept}).code == "in_trash"
    assert c.post(f"/{name}/trash/restore", {"type": "project", "id": project_id(p)}).status == 200
    assert [t["trainingId"] for t in trainings(c, name)] == [gone_with_project]
    assert [i["id"] for i in trash(c, name, "?type=training")["items"]] == [kept]


def test_permanent_deletion_is_web_only_and_removes_the_run_and_its_model_file(server, ws):
    name, c = ws
    make_cats(c, name, seed=6)
    run = finished_run(c, name)
    other = finished_run(c, name)
    storage = c.get(f"/{name}/usage").body["storageBytes"]
    size = os.path.getsize(model_file(server, run))
    delete(c, name, {"trainingId": run})
    body = {"items": [{"type": "training", "id": run}]}
    r = c.post(f"/app/api/{name}/trash/delete", body)  # an API key
    assert r.status == 403 and r.code == "web_only"
    s = Client(server.base)
    assert s.login(f"owner-{name}@example.com").status == 200
    r = s.post(f"/app/api/{name}/trash/delete", body)
    assert r.status == 200 and r.body["deleted"] == [{"type": "training", "id": run}], r.body
    c.post("/_dev/clock", {"advanceSeconds": 0})  # the cleanup worker runs
    assert trash(c, name)["items"] == []
    assert not os.path.exists(model_file(server, run))
    assert os.path.exists(model_file(server, other))
    assert c.get(f"/{name}/jobs/{run}").status == 404
    usage = c.get(f"/{name}/usage").body
    assert usage["storageBytes"] == storage - size and usage["trashItems"] == 0
    actions = [(e["action"], e["item"]["type"]) for e in c.get(f"/{name}/audit").body["events"]]
    assert actions[:2] == [("delete_permanently", "training"), ("trash", "training")]
    report = server.fsck()
    assert report["clean"] is True and report["orphanedModels"] == [], report


def test_automatic_cleanup_removes_a_run_at_its_cleanup_time(fresh_server):
    c = fresh_server.bootstrap("acme")
    make_cats(c, "acme", seed=7)
    run = finished_run(c, "acme")
    delete(c, "acme", {"trainingId": run})
    c.post("/_dev/clock", {"advanceSeconds": 30 * DAY - 60})
    assert [i["id"] for i in trash(c, "acme")["items"]] == [run]
    c.post("/_dev/clock", {"advanceSeconds": 120})
    c.post("/_dev/clock", {"advanceSeconds": 0})
    assert trash(c, "acme")["items"] == []
    assert not os.path.exists(model_file(fresh_server, run))
    events = c.get("/acme/audit").body["events"]
    assert events[0]["action"] == "auto_cleanup" and events[0]["item"]["type"] == "training"
    assert events[0]["actor"] is None


def test_permissions_trash_training_and_restore_training(server, ws):
    name, c = ws
    make_cats(c, name, seed=8)
    run = finished_run(c, name)
    roles = {}
    for perms in (["trash_version"], ["trash_training"], ["restore_training"]):
        r = c.post(f"/{name}/roles", {"name": "Role " + "+".join(perms), "permissions": perms})
        assert r.status == 201, r.body
        roles[perms[0]] = r.body["id"]
    clients = {}
    for key, role in roles.items():
        email = f"{key}-{name}@example.com"
        server.member_add(name, email, role=role)
        s = Client(server.base)
        assert s.login(email).status == 200
        clients[key] = s
    assert delete(clients["trash_version"], name, {"trainingId": run}).code == "forbidden"
    assert delete(clients["trash_training"], name, {"trainingId": run}).status == 200
    assert restore(clients["trash_training"], name, run).code == "forbidden"
    assert restore(clients["restore_training"], name, run).status == 200
    [owner] = [r for r in c.get(f"/{name}/roles").body if r["id"] == "owner"]
    assert {"trash_training", "restore_training"} <= set(owner["permissions"])


def test_a_model_file_without_its_training_is_removed_at_the_next_start():
    """What a crash between a purge's commit and the unlink of its model file leaves behind."""
    s = Server()
    try:
        os.makedirs(os.path.join(s.data, "models"))
        orphan = model_file(s, "j_leftbyacrash")
        with open(orphan, "w") as f:
            f.write('{"job": "j_leftbyacrash"}\n')
        assert s.fsck()["orphanedModels"] == ["j_leftbyacrash"]
        s.start()
        assert not os.path.exists(orphan)
        c = s.bootstrap("acme")
        make_cats(c, "acme", seed=9)
        run = finished_run(c, "acme")
        s.stop()
        s.start()  # a live training's file stays
        assert os.path.exists(model_file(s, run))
        report = s.fsck()
        assert report["clean"] is True and report["orphanedModels"] == [], report
    finally:
        s.stop()
        s.cleanup()
