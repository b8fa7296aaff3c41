"""The Trash through the CLI: listing, restoring, and no way to delete permanently."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def fill_trash(ws, images):
    """Trashes a project (kept: 'cats'), a version of another project and a workflow."""
    ws.project("cats")
    ws.project("dogs")
    ws.ok("image", "upload", *images(1), "--project", "dogs")
    ws.ok("version", "create", "dogs")
    ws.ok("workflow", "create", "Count", "--url", "count")
    ws.ok("project", "delete", "cats", "--yes")
    ws.ok("version", "delete", "dogs/1", "--yes")
    ws.ok("workflow", "delete", "count", "--yes")


def test_trash_list_groups_by_type_with_days_remaining(ws, images):
    fill_trash(ws, images)
    table = ws.ok("trash", "list").stdout
    assert "Projects (1)" in table and "Versions (1)" in table and "Workflows (1)" in table
    assert f"{ws.name}/cats" in table and f"{ws.name}/dogs/1" in table and f"{ws.name}/count" in table
    assert table.count("30 days") == 3

    only = ws.ok("trash", "list", "--type", "workflow").stdout
    assert "Workflows (1)" in only and "Projects" not in only

    listing = ws.ok("trash", "list", "--json").json()
    assert listing["counts"]["total"] == 3
    assert {s: len(v) for s, v in listing["sections"].items()} == {"projects": 1, "versions": 1, "workflows": 1,
                                                                  "trainings": 0}
    assert all(item["daysRemaining"] == 30 for item in listing["items"])

    ws.advance_clock(10 * 86400)
    assert all(item["daysRemaining"] == 20 for item in ws.trash_items())
    assert "20 days" in ws.ok("trash", "list").stdout


def test_trash_restore_batch_prints_each_item(ws, images):
    fill_trash(ws, images)
    result = ws.ok("trash", "restore", f"{ws.name}/cats", f"{ws.name}/dogs/1", f"{ws.name}/count")
    assert f"Restored project {ws.name}/cats" in result.stdout
    assert f"Restored version {ws.name}/dogs/1" in result.stdout
    assert f"Restored workflow {ws.name}/count" in result.stdout
    assert ws.trash_items() == []
    assert ws.ok("trash", "list").stdout == f"The Trash of {ws.name} is empty.\n"


def test_trash_restore_json_and_unknown_refs(ws, images):
    fill_trash(ws, images)
    missing = ws.run("trash", "restore", f"{ws.name}/cats", f"{ws.name}/nothing")
    assert missing.returncode == 3, str(missing)
    assert len(ws.trash_items()) == 3, "nothing is restored when a reference is unknown"

    answer = ws.ok("trash", "restore", "project:cats", "workflow:count", f"{ws.name}/cats", "--json").json()
    assert sorted(r["type"] for r in answer["restored"]) == ["project", "workflow"]
    assert answer["failed"] == []


def test_version_restore_needs_its_project_and_restore_all_brings_both(ws, images):
    ws.project("cats")
    ws.ok("image", "upload", *images(1), "--project", "cats")
    ws.ok("version", "create", "cats")
    ws.ok("version", "delete", "cats/1", "--yes")
    ws.ok("project", "delete", "cats", "--yes")

    blocked = ws.run("version", "restore", f"{ws.name}/cats/1", "--json")
    assert blocked.returncode == 1, str(blocked)
    assert blocked.json()["error"]["code"] == "parent_in_trash"
    assert "project" in ws.ok("trash", "list").stdout.lower()

    result = ws.ok("trash", "restore", "--all")
    assert f"Restored project {ws.name}/cats" in result.stdout
    assert f"Restored version {ws.name}/cats/1" in result.stdout
    assert ws.trash_items() == []
    assert [v["version"] for v in ws.ok("version", "list", "cats", "--json").json()["versions"]] == [1]


def test_restore_conflict_needs_a_new_url(ws):
    ws.project("cats")
    ws.ok("project", "delete", "cats", "--yes")
    ws.project("cats")
    conflict = ws.run("project", "restore", "cats", "--json")
    assert conflict.returncode == 1, str(conflict)
    assert conflict.json()["error"]["code"] == "restore_conflict"
    ws.ok("project", "restore", "cats", "--url", "cats-old")
    urls = sorted(p["url"] for p in ws.ok("project", "list", "--json").json()["projects"])
    assert urls == ["cats", "cats-old"]


def test_trash_empty_and_delete_only_point_to_the_web_app(ws, images):
    fill_trash(ws, images)
    page = f"{ws.server.url}/app/{ws.name}/settings/trash"
    for args in (["trash", "empty"], ["trash", "empty", "--yes"], ["trash", "delete", f"{ws.name}/cats"],
                 ["trash", "delete", "--all", "--yes"]):
        result = ws.run(*args)
        assert result.returncode == 1, str(result)
        assert page in result.stdout + result.stderr
        assert "web app" in result.stderr
    as_json = ws.run("trash", "empty", "--json")
    assert as_json.returncode == 1
    assert as_json.json()["error"]["url"] == page

    # Nothing was deleted, and the audit log records no permanent deletion.
    assert len(ws.trash_items()) == 3
    status, audit = ws.api("GET", f"/{ws.name}/audit")
    assert status == 200, audit
    actions = {event["action"] for event in audit["events"]}
    assert not actions & {"delete_permanently", "empty_trash"}
    ws.ok("trash", "restore", "--all")


def test_the_cli_has_no_permanent_deletion_path(ws):
    sources = list((REPO / "cli").glob("*.cc")) + list((REPO / "src" / "client").glob("*.cc"))
    assert sources
    for source in sources:
        text = source.read_text()
        assert "/app/api" not in text, f"{source} mentions a web-only route"
    help_text = ws.ok("trash", "--help", with_key=False).stdout
    assert "Not available here" in help_text


def test_automatic_cleanup_removes_items_and_restore_then_says_not_found(ws):
    ws.project("cats")
    ws.ok("project", "delete", "cats", "--yes")
    ws.advance_clock(31 * 86400)
    assert ws.trash_items() == []
    result = ws.run("project", "restore", "cats")
    assert result.returncode == 3, str(result)


def test_same_url_deleted_twice_is_ambiguous_until_an_id_is_given(ws):
    first = ws.ok("project", "create", "Birds", "--url", "birds", "--json").json()["projectId"]
    ws.ok("project", "delete", "birds", "--yes")
    ws.ok("project", "create", "Birds again", "--url", "birds")
    ws.ok("project", "delete", "birds", "--yes")

    ambiguous = ws.run("project", "restore", "birds")
    assert ambiguous.returncode == 1, str(ambiguous)
    assert first in ambiguous.stderr and "--id" in ambiguous.stderr
    assert ws.run("trash", "restore", f"{ws.name}/birds").returncode == 1
    assert len(ws.trash_items("project")) == 2

    ws.ok("project", "restore", "birds", "--id", first)
    projects = ws.ok("project", "list", "--json").json()["projects"]
    assert [(p["projectId"], p["name"]) for p in projects] == [(first, "Birds")]


def test_delete_images_is_shown_in_the_trash_listing(ws, images):
    ws.project("cats")
    ws.ok("image", "upload", *images(2), "--project", "cats")
    ws.ok("project", "delete", "cats", "--yes", "--delete-images")
    item = ws.trash_items("project")[0]
    assert item["cleanupDeleteImages"] is True
    assert "images removed at cleanup" in ws.ok("trash", "list").stdout


def test_trash_list_follows_cursors_past_one_page(ws):
    for i in range(120):
        status, body = ws.api("POST", f"/{ws.name}/workflows", {"name": f"Flow {i}", "url": f"flow-{i}"})
        assert status == 201, body
        status, body = ws.api("DELETE", f"/{ws.name}/workflows/flow-{i}")
        assert status == 200, body
    listing = ws.ok("trash", "list", "--json").json()
    assert listing["counts"]["workflows"] == 120
    assert len({item["id"] for item in listing["items"]}) == 120
    assert "Workflows (120)" in ws.ok("trash", "list").stdout


def test_trashing_cancels_training_and_restore_leaves_it_cancelled(ws, images):
    ws.project("cats")
    ws.ok("image", "upload", *images(1), "--project", "cats")
    ws.ok("version", "create", "cats")
    job = ws.ok("train", "start", "cats/1", "--json").json()["job"]
    ws.ok("project", "delete", "cats", "--yes")
    ws.ok("project", "restore", "cats")
    after = ws.ok("train", "status", "--job", job["id"], "--json").json()["job"]
    assert after["state"] == "cancelled" and after["cancelReason"] == "moved_to_trash"
    assert "moved_to_trash" in ws.ok("train", "status", "cats/1").stdout
