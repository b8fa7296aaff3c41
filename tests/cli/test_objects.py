"""Projects, versions, workflows, images and training through the CLI."""

import json
import os
import subprocess

LIMBO = os.environ.get("LIMBO", "")  # the binary under test (conftest.py checks it is set)


def test_project_create_list_and_json(ws):
    url = ws.project("cats")
    assert url == "cats"
    projects = ws.ok("project", "list", "--json").json()["projects"]
    assert [p["url"] for p in projects] == ["cats"]
    table = ws.ok("project", "list").stdout
    assert "PROJECT" in table and f"{ws.name}/cats" in table
    # The server answers a create with the bare project: `id` is "workspace/slug", the opaque id `projectId`.
    created = ws.ok("project", "create", "Dogs", "--url", "dogs", "--json").json()
    assert created["id"] == f"{ws.name}/dogs" and created["projectId"].startswith("p_")
    said = ws.ok("project", "create", "Birds", "--url", "birds").stdout
    assert said.startswith(f"Created project {ws.name}/birds (p_") and said.endswith(").\n"), said


def test_delete_asks_and_refuses_without_a_terminal(ws, images):
    ws.project("cats")
    ws.ok("image", "upload", *images(1), "--project", "cats")
    ws.ok("version", "create", "cats")
    ws.ok("workflow", "create", "Count", "--url", "count")
    for args in (["project", "delete", f"{ws.name}/cats"], ["version", "delete", "cats/1"],
                 ["workflow", "delete", "count"], ["project", "delete", "cats", "--json"]):
        result = ws.run(*args, stdin="y\n")
        assert result.returncode == 1, str(result)
        assert "--yes" in result.stderr
    assert ws.run("project", "delete", "cats", "--json").json()["error"]["code"] == "confirmation_required"
    assert [p["url"] for p in ws.ok("project", "list", "--json").json()["projects"]] == ["cats"]
    assert ws.trash_items() == []


def test_project_delete_moves_to_trash_and_restore_brings_it_back(ws):
    ws.project("cats")
    answer = ws.ok("project", "delete", f"{ws.name}/cats", "--yes", "--json").json()
    assert answer["deleted"] is True and answer["trash"] is True and answer["type"] == "project"
    assert ws.ok("project", "list", "--json").json()["projects"] == []
    gone = ws.run("version", "list", f"{ws.name}/cats", "--json")
    assert gone.returncode == 3, str(gone)
    assert gone.json()["error"]["code"] == "in_trash"

    items = ws.trash_items("project")
    assert [(i["type"], i["url"], i["daysRemaining"]) for i in items] == [("project", "cats", 30)]

    restored = ws.ok("project", "restore", f"{ws.name}/cats")
    assert "Restored project" in restored.stdout
    assert [p["url"] for p in ws.ok("project", "list", "--json").json()["projects"]] == ["cats"]
    assert ws.trash_items() == []


def test_workspace_option_and_short_references(ws):
    ws.ok("project", "create", "Dogs", "--url", "dogs", "--workspace", ws.name)
    ws.ok("project", "delete", "dogs", "--workspace", ws.name, "--yes")
    ws.ok("project", "restore", "dogs")  # the key's workspace
    conflict = ws.run("project", "delete", f"{ws.name}/dogs", "--workspace", "other", "--yes")
    assert conflict.returncode == 1, str(conflict)


def test_missing_objects_exit_3(ws):
    assert ws.run("project", "delete", f"{ws.name}/nope", "--yes").returncode == 3
    assert ws.run("version", "list", f"{ws.name}/nope").returncode == 3
    assert ws.run("project", "restore", f"{ws.name}/nope").returncode == 3
    assert ws.run("workflow", "delete", f"{ws.name}/nope", "--yes").returncode == 3
    result = ws.run("version", "delete", f"{ws.name}/nope/1", "--yes", "--json")
    assert result.returncode == 3
    assert result.json()["error"]["code"] in ("not_found", "in_trash")


def test_bad_references_exit_1(ws):
    assert ws.run("version", "delete", f"{ws.name}/cats", "--yes").returncode == 1
    assert ws.run("project", "delete", "a/b/c", "--yes").returncode == 1


def test_image_upload_in_parallel_when_piped(ws, images, tmp_path):
    ws.project("cats")
    files = images(6)
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    result = ws.run("image", "upload", *files, str(text), "--project", f"{ws.name}/cats", "--json")
    assert result.returncode == 1, str(result)
    answer = result.json()
    assert len(answer["uploaded"]) == 6
    assert [f["error"]["code"] for f in answer["failed"]] == ["unsupported_media_type"]
    assert all(u["image"]["id"] for u in answer["uploaded"])

    plain = ws.ok("image", "upload", files[0], "--project", "cats")
    assert plain.stdout == f"Uploaded 1 of 1 images to {ws.name}/cats (1 already in the Asset Library).\n", \
        "only a summary when stdout is not a terminal"
    verbose = ws.ok("image", "upload", files[1], "--project", "cats", "--verbose")
    assert verbose.stdout.startswith(f"duplicate  {files[1]}  i_")

    project = ws.ok("project", "list", "--json").json()["projects"][0]
    assert project["images"] == 6


def test_upload_to_a_missing_project_exits_3(ws, images):
    result = ws.run("image", "upload", *images(1), "--project", "nope")
    assert result.returncode == 3, str(result)


def test_version_create_delete_restore(ws, images):
    ws.project("cats")
    ws.ok("image", "upload", *images(2), "--project", "cats")
    created = ws.ok("version", "create", f"{ws.name}/cats", "--json").json()["version"]
    assert created["version"] == 1 and created["images"] == 2

    listed = ws.ok("version", "list", f"{ws.name}/cats", "--json").json()["versions"]
    assert [v["version"] for v in listed] == [1]
    # The CREATED column is the ISO `createdAt` as a date; `created` is Roboflow's epoch seconds.
    row = ws.ok("version", "list", f"{ws.name}/cats").stdout.splitlines()[1]
    assert row.endswith(listed[0]["createdAt"][:10] + " " + listed[0]["createdAt"][11:16] + " UTC"), row

    ws.ok("version", "delete", f"{ws.name}/cats/1", "--yes")
    assert ws.ok("version", "list", "cats", "--json").json()["versions"] == []
    items = ws.trash_items("version")
    assert [(i["url"], i["id"]) for i in items] == [("cats", "1")]

    ws.ok("version", "restore", "cats/1")
    assert [v["version"] for v in ws.ok("version", "list", "cats", "--json").json()["versions"]] == [1]


def test_workflow_lifecycle(ws, tmp_path):
    config = tmp_path / "flow.json"
    config.write_text(json.dumps({"steps": [{"type": "detect"}]}))
    created = ws.ok("workflow", "create", "Count cats", "--url", "count-cats", "--config", f"@{config}",
                    "--json").json()["workflow"]
    assert created["url"] == "count-cats"
    assert created["config"] == {"steps": [{"type": "detect"}]}
    assert "count-cats" in ws.ok("workflow", "list").stdout

    ws.ok("workflow", "delete", f"{ws.name}/count-cats", "--yes")
    assert ws.ok("workflow", "list", "--json").json()["workflows"] == []
    ws.ok("workflow", "restore", f"{ws.name}/count-cats")
    assert [w["url"] for w in ws.ok("workflow", "list", "--json").json()["workflows"]] == ["count-cats"]


def test_train_start_status_cancel(ws, images):
    ws.project("cats")
    ws.ok("image", "upload", *images(1), "--project", "cats")
    ws.ok("version", "create", "cats")
    job = ws.ok("train", "start", f"{ws.name}/cats/1", "--json").json()["job"]
    assert job["state"] in ("queued", "running")

    again = ws.run("train", "start", f"{ws.name}/cats/1", "--json")
    assert again.returncode == 1 and again.json()["error"]["code"] == "job_active", str(again)

    jobs = ws.ok("train", "status", "cats/1", "--json").json()["jobs"]
    assert [j["id"] for j in jobs] == [job["id"]]
    one = ws.ok("train", "status", "--job", job["id"], "--json").json()["job"]
    assert one["id"] == job["id"]
    assert job["id"] in ws.ok("train", "status").stdout

    cancelled = ws.ok("train", "cancel", "cats/1", "--json").json()["job"]
    assert cancelled["state"] == "cancelled" and cancelled["cancelReason"] == "user"


def test_training_finishes_on_the_server_clock(ws, images):
    ws.project("cats")
    ws.ok("image", "upload", *images(1), "--project", "cats")
    ws.ok("version", "create", "cats")
    job = ws.ok("train", "start", "cats/1", "--json").json()["job"]
    ws.advance_clock(10)
    for _ in range(50):
        state = ws.ok("train", "status", "--job", job["id"], "--json").json()["job"]["state"]
        if state == "finished":
            break
        ws.advance_clock(1)
    assert state == "finished"


def run_in_terminal(ws, command, stdin=""):
    """Runs a limbo command line with a pseudo-terminal as stdin and stdout (util-linux `script`)."""
    done = subprocess.run(["script", "-qec", command, "/dev/null"], input=stdin, capture_output=True, text=True,
                          timeout=120, env=ws.env())
    return done.returncode, done.stdout


def test_delete_on_a_terminal_asks_first(ws):
    ws.project("cats")
    code, out = run_in_terminal(ws, f"{LIMBO} project delete cats", stdin="n\n")
    assert code == 1 and "[y/N]" in out and "Cancelled" in out
    assert ws.trash_items() == []
    code, out = run_in_terminal(ws, f"{LIMBO} project delete cats", stdin="y\n")
    assert code == 0 and "Moved project" in out, out
    assert [i["url"] for i in ws.trash_items()] == ["cats"]


def test_upload_on_a_terminal_draws_a_progress_bar(ws, images):
    ws.project("cats")
    files = " ".join(images(5, size=64))
    code, out = run_in_terminal(ws, f"{LIMBO} image upload {files} --project cats")
    assert code == 0, out
    assert "[###" in out and "5/5 files" in out
    assert "Uploaded 5 of 5 images" in out
