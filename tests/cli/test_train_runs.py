"""Training runs through the CLI: `limbo train list|delete|restore` and trainings in the Trash (T16)."""


def finished_run(ws, images, project="cats"):
    """A version `project/1` with one finished run; returns the run's training id."""
    ws.project(project)
    ws.ok("image", "upload", *images(1), "--project", project)
    ws.ok("version", "create", project)
    job = ws.ok("train", "start", f"{project}/1", "--json").json()["job"]
    for _ in range(60):
        if ws.ok("train", "status", "--job", job["id"], "--json").json()["job"]["state"] == "finished":
            break
        ws.advance_clock(1)
    runs = ws.ok("train", "list", f"{project}/1", "--json").json()["trainings"]
    assert len(runs) == 1 and runs[0]["status"] == "finished", runs
    return runs[0]["trainingId"]


def test_train_list_delete_and_restore(ws, images):
    run = finished_run(ws, images)
    table = ws.ok("train", "list", f"{ws.name}/cats/1").stdout
    assert "TRAINING" in table and run in table and "finished" in table

    refused = ws.run("train", "delete", "cats/1")  # no terminal, no --yes
    assert refused.returncode == 1 and "--yes" in refused.stderr, str(refused)
    assert len(ws.ok("train", "list", "cats/1", "--json").json()["trainings"]) == 1

    moved = ws.ok("train", "delete", "cats/1", "--yes")  # the version's only run
    assert f"Moved training run {run} of {ws.name}/cats/1 to the Trash" in moved.stdout
    assert f"limbo train restore {ws.name}/cats/1 --id {run}" in moved.stdout
    assert ws.ok("train", "list", "cats/1", "--json").json()["trainings"] == []
    assert "No training runs" in ws.ok("train", "list", "cats/1").stdout
    status, version = ws.api("GET", f"/{ws.name}/cats/1")
    assert status == 200 and version["version"]["model"] is None

    listing = ws.ok("trash", "list", "--json").json()
    assert [i["id"] for i in listing["sections"]["trainings"]] == [run]
    assert listing["counts"]["trainings"] == 1
    table = ws.ok("trash", "list").stdout
    assert "Trainings (1)" in table and run in table and "30 days" in table
    assert "Trainings (1)" in ws.ok("trash", "list", "--type", "training").stdout

    restored = ws.ok("train", "restore", "cats/1", "--id", run)
    assert f"Restored training run {run} of {ws.name}/cats/1." in restored.stdout
    assert [r["trainingId"] for r in ws.ok("train", "list", "cats/1", "--json").json()["trainings"]] == [run]
    status, version = ws.api("GET", f"/{ws.name}/cats/1")
    assert version["version"]["model"]["state"] == "serving"

    again = ws.run("train", "restore", "cats/1", "--id", run, "--json")
    assert again.returncode == 3 and again.json()["error"]["code"] == "not_in_trash", str(again)


def test_refusals_read_with_a_hint(ws, images):
    run = finished_run(ws, images)
    ws.ok("version", "create", "cats")
    ws.ok("train", "start", "cats/2")
    busy = ws.run("train", "delete", "cats/2", "--yes")  # its only run is queued or running
    assert busy.returncode == 1 and "in progress" in busy.stderr, str(busy)
    assert "limbo train cancel" in busy.stderr, str(busy)
    ws.ok("train", "cancel", "cats/2")

    ws.ok("train", "start", "cats/1")
    ws.ok("train", "cancel", "cats/1")
    several = ws.run("train", "delete", "cats/1", "--yes")
    assert several.returncode == 1 and "MULTIPLE_TRAININGS" in several.stderr and run in several.stderr, str(several)
    assert "--id" in several.stderr

    by_id = ws.run("train", "delete", "cats/1", "--id", run, "--yes", "--json")
    assert by_id.returncode == 0, str(by_id)
    assert by_id.json()["trainingId"] == run and by_id.json()["inTrash"] is True

    ws.ok("version", "delete", "cats/1", "--yes")
    blocked = ws.run("train", "restore", "cats/1", "--id", run, "--json")
    assert blocked.returncode != 0, str(blocked)
    assert blocked.json()["error"]["code"] == "parent_in_trash", str(blocked)
    blocked = ws.run("trash", "restore", f"training:{ws.name}/{run}")
    assert blocked.returncode == 1 and "parent_in_trash" in blocked.stdout, str(blocked)
    assert "restore blocked" in ws.ok("trash", "list", "--type", "training").stdout


def test_trash_restore_takes_training_runs(ws, images):
    run = finished_run(ws, images)
    ws.ok("train", "delete", "cats/1", "--yes")
    # The REF the listing shows is what `trash restore` takes.
    row = next(line for line in ws.ok("trash", "list", "--type", "training").stdout.splitlines() if run in line)
    ref = row.split()[0]
    assert ref in (f"{ws.name}/cats/1/{run}", f"training:{ws.name}/{run}"), row
    out = ws.ok("trash", "restore", ref).stdout
    assert f"Restored training {ws.name}" in out and run in out
    assert [r["trainingId"] for r in ws.ok("train", "list", "cats/1", "--json").json()["trainings"]] == [run]

    ws.ok("train", "delete", "cats/1", "--yes")
    ws.ok("trash", "restore", f"training:{ws.name}/{run}")
    ws.ok("train", "delete", "cats/1", "--yes")
    ws.ok("project", "delete", "cats", "--yes")
    out = ws.ok("trash", "restore", "--all").stdout
    assert "Restored project" in out and "Restored training" in out, out
    assert [r["trainingId"] for r in ws.ok("train", "list", "cats/1", "--json").json()["trainings"]] == [run]
    missing = ws.run("trash", "restore", f"training:{ws.name}/{run}")
    assert missing.returncode == 3, str(missing)
