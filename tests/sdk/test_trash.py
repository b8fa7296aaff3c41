"""Trash and restore round trips through the SDK, against limbod (spec section 2)."""

from __future__ import annotations

import collections.abc
import json

import pytest

import limbo
from conftest import WORKSPACE, unique_png


def find(items, type_, id_):
    matches = [i for i in items if i.type == type_ and i.id == str(id_)]
    return matches[0] if matches else None


def test_project_round_trip(server, ws, slug):
    status, group, _ = server.api("POST", f"/{WORKSPACE}/groups", {"name": "Folder " + slug})
    assert status == 201, group
    project = ws.create_project("Round trip", "object-detection", "x", group=group["id"], url=slug)
    image = project.upload(unique_png(), name="a.png")
    project.generate_version()

    answer = project.delete()
    assert answer["deleted"] is True and answer["trash"] is True
    assert answer["type"] == "project" and answer["projectId"] == project.project_id
    assert answer["scheduledCleanupAt"]

    with pytest.raises(limbo.NotFoundError) as info:
        ws.project(slug)
    assert info.value.status == 404 and info.value.code == "in_trash"
    assert slug not in [p.url for p in ws.projects()]
    assert slug not in ws.image(image.id).projects

    item = find(ws.trash(type="project"), "project", project.project_id)
    assert item is not None
    assert item.name == "Round trip" and item.url == slug
    assert item.days_remaining == 30 and item.deleted_at and item.scheduled_cleanup_at
    assert item.deleted_by and item.restorable and item.blocked_reason is None
    assert item.cleanup_delete_images is False
    # Its active versions went with it and are not rows of their own (T9).
    assert [i for i in ws.trash(type="version") if i.parent_id == project.project_id] == []

    assert project.restore()["restored"] is True
    back = ws.project(slug)
    assert back.project_id == project.project_id and back.group["id"] == group["id"]
    assert [v.number for v in back.versions()] == [1]
    assert find(ws.trash(), "project", project.project_id) is None


def test_restore_answer_shape(ws, slug):
    project = ws.create_project("Answer", "object-detection", "x", url=slug)
    project.delete()
    answer = ws.restore_from_trash("project", project.project_id)
    assert answer["restored"] is True and answer["type"] == "project" and answer["id"] == project.project_id


def test_delete_images_is_remembered_for_cleanup(ws, slug):
    project = ws.create_project("Images go too", "object-detection", "x", url=slug)
    project.upload(unique_png(), name="only-here.png")
    project.delete(delete_images=True)
    item = find(ws.trash(type="project"), "project", project.project_id)
    assert item.cleanup_delete_images is True
    item.restore()
    assert ws.project(slug).image_count == 1


def test_version_round_trip(ws, slug):
    project = ws.create_project("Version trash", "object-detection", "x", url=slug)
    project.upload(unique_png(), name="a.png")
    project.generate_version()
    v2 = project.generate_version(name="to trash")

    answer = v2.delete()
    assert answer["deleted"] is True and str(answer["version"]) == "2"
    with pytest.raises(limbo.NotFoundError) as info:
        project.version(2)
    assert info.value.code == "in_trash"
    assert [v.number for v in project.versions()] == [1]

    matches = [i for i in ws.trash(type="version") if i.parent_id == project.project_id]
    assert [i.id for i in matches] == ["2"]
    item = matches[0]
    assert item.name == "to trash" and item.parent_url == slug and item.parent_in_trash is False
    assert item.restorable

    assert v2.restore()["restored"] is True
    assert sorted(v.number for v in project.versions()) == [1, 2]
    assert project.version(2).name == "to trash"


def test_workflow_round_trip(ws, slug):
    wf = ws.create_workflow("Flow", config={"a": 1}, url=slug)
    answer = wf.delete()
    assert answer["type"] == "workflow" and answer["trash"] is True
    with pytest.raises(limbo.NotFoundError) as info:
        ws.workflow(slug)
    assert info.value.code == "in_trash"
    assert slug not in [w.url for w in ws.workflows()]
    item = find(ws.trash(type="workflow"), "workflow", wf.id)
    assert item is not None and item.url == slug
    assert wf.restore()["restored"] is True
    assert ws.workflow(slug).config == {"a": 1}


def test_version_is_blocked_while_its_project_is_in_trash(ws, slug):
    project = ws.create_project("Parent", "object-detection", "x", url=slug)
    project.upload(unique_png(), name="a.png")
    version = project.generate_version()
    version.delete()
    project.delete()

    item = [i for i in ws.trash(type="version") if i.parent_id == project.project_id][0]
    assert item.parent_in_trash is True and item.restorable is False
    assert item.blocked_reason == "parent_in_trash"
    with pytest.raises(limbo.ConflictError) as info:
        version.restore()
    assert info.value.status == 409 and info.value.code == "parent_in_trash"
    with pytest.raises(limbo.ConflictError):
        ws.restore_from_trash("version", 1, parent_id=project.project_id)

    project.restore()
    # The separately trashed version stays in the Trash (T9) and is now restorable.
    item = [i for i in ws.trash(type="version") if i.parent_id == project.project_id][0]
    assert item.restorable is True and item.parent_in_trash is False
    version.restore()
    assert [v.number for v in project.versions()] == [1]


def test_restore_conflict_then_rename(ws, slug):
    old = ws.create_project("Old", "object-detection", "x", url=slug)
    old.delete()
    newer = ws.create_project("Newer", "object-detection", "x", url=slug)

    item = find(ws.trash(type="project"), "project", old.project_id)
    assert item.blocked_reason == "restore_conflict" and item.restorable is False
    with pytest.raises(limbo.ConflictError) as info:
        old.restore()
    assert info.value.status == 409 and info.value.code == "restore_conflict"
    assert ws.project(slug).project_id == newer.project_id  # nothing was overwritten

    old.restore(url=slug + "-old")
    assert old.url == slug + "-old"
    assert ws.project(slug + "-old").project_id == old.project_id
    assert ws.project(slug).project_id == newer.project_id


def test_workflow_restore_conflict_then_rename(ws, slug):
    old = ws.create_workflow("Old flow", url=slug)
    old.delete()
    newer = ws.create_workflow("New flow", url=slug)
    with pytest.raises(limbo.ConflictError) as info:
        old.restore()
    assert info.value.code == "restore_conflict"
    old.restore(url=slug + "-old")
    assert ws.workflow(slug + "-old").id == old.id
    assert ws.workflow(slug).id == newer.id


def test_restoring_what_is_not_in_trash_is_not_found(ws, slug):
    project = ws.create_project("Active", "object-detection", "x", url=slug)
    with pytest.raises(limbo.NotFoundError) as info:
        project.restore()
    assert info.value.status == 404 and info.value.code == "not_in_trash"


def test_restore_many_reports_each_item(ws, slug):
    project = ws.create_project("Many", "object-detection", "x", url=slug)
    wf = ws.create_workflow("Many flow", url=slug)
    project.delete()
    wf.delete()
    result = ws.restore_many([project, find(ws.trash(type="workflow"), "workflow", wf.id),
                              ("project", "p_does_not_exist")])
    assert {(r["type"], r["id"]) for r in result.restored} == {("project", project.project_id), ("workflow", wf.id)}
    assert [(f["type"], f["id"]) for f in result.failed] == [("project", "p_does_not_exist")]
    assert result.failed[0]["error"]["code"] == "not_in_trash"
    assert not result.ok
    assert ws.project(slug).project_id == project.project_id and ws.workflow(slug).id == wf.id


def test_restore_many_restores_projects_before_versions(ws, slug):
    project = ws.create_project("Order", "object-detection", "x", url=slug)
    project.upload(unique_png(), name="a.png")
    version = project.generate_version()
    version.delete()
    project.delete()
    result = ws.restore_many([{"type": "version", "id": 1, "parent_id": project.project_id},
                              {"type": "project", "id": project.project_id}])
    assert result.ok, result.failed
    assert [v.number for v in ws.project(slug).versions()] == [1]


def test_restore_all_brings_back_a_project_and_its_separately_trashed_version(ws, slug):
    project = ws.create_project("All", "object-detection", "x", url=slug)
    project.upload(unique_png(), name="a.png")
    project.generate_version()
    v2 = project.generate_version()
    v2.delete()
    project.delete()
    wf = ws.create_workflow("All flow", url=slug)
    wf.delete()

    result = ws.restore_all()
    restored = {(r["type"], r["id"]) for r in result.restored}
    assert {("project", project.project_id), ("workflow", wf.id)} <= restored
    assert sorted(v.number for v in ws.project(slug).versions()) == [1, 2]
    assert ws.workflow(slug).id == wf.id
    assert not [i for i in ws.trash() if i.id in (project.project_id, wf.id) or i.parent_id == project.project_id]


def test_listing_filters_sorts_and_pages(ws, slug):
    flows = [ws.create_workflow(f"{slug} {n}", url=f"{slug}-{n}") for n in ("c", "a", "b")]
    for wf in flows:
        wf.delete()
    mine = ws.trash(type="workflow", q=slug)
    assert sorted(i.id for i in mine) == sorted(w.id for w in flows)
    by_name = ws.trash(type="workflow", q=slug, sort="name")
    assert [i.name for i in by_name] == [f"{slug} a", f"{slug} b", f"{slug} c"]
    assert len(ws.trash(type="workflow", q=slug, limit=2)) == 2

    pages = list(ws.trash_pages(type="workflow", q=slug, page_size=1))
    assert [len(p.items) for p in pages if p.items] == [1, 1, 1]
    assert pages[0].next_cursor and pages[-1].next_cursor is None
    assert pages[0].counts["workflows"] >= 3  # counts are of the whole Trash, not of the filter
    ids = [i.id for p in pages for i in p.items]
    assert sorted(ids) == sorted(w.id for w in flows)
    assert ws.restore_many([("workflow", i) for i in ids]).ok


def test_trashed_items_still_count_in_usage(ws, slug):
    project = ws.create_project("Usage in trash", "object-detection", "x", url=slug)
    data = unique_png()
    project.upload(data, name="a.png")
    before = ws.usage()
    project.delete()
    after = ws.usage()
    assert after.storage_bytes == before.storage_bytes  # T5
    assert after.trash_items == before.trash_items + 1
    assert after.reclaimable_bytes >= before.reclaimable_bytes
    project.restore()


def test_usage_splits_storage_into_active_and_only_in_the_trash(ws, slug):
    """docs/TRASH.md "Storage figures": one image, a trashed project and two trashed versions count once."""
    project = ws.create_project("Figures " + slug, "object-detection", "x", url=slug)
    data = unique_png()
    project.upload(data, name="a.png")
    project.generate_version()
    project.generate_version()
    before = ws.usage()
    for n in (1, 2):
        project.version(n).delete()
    project.delete(delete_images=True)
    after = ws.usage()
    for u in (before, after):
        assert u.active_bytes + u.trash_only_bytes == u.storage_bytes
        assert 0 <= u.reclaimable_bytes <= u.trash_only_bytes <= u.storage_bytes
        assert u.trash_bytes == u.trash_only_bytes and not u.figures_stale
    size = len(data)
    assert after.storage_bytes == before.storage_bytes
    assert after.trash_only_bytes == before.trash_only_bytes + size  # once, not three times
    assert after.reclaimable_bytes == before.reclaimable_bytes + size
    assert after.active_bytes == before.active_bytes - size
    project.restore()
    assert ws.usage().trash_only_bytes == before.trash_only_bytes


def test_audit_records_trash_and_restore(ws, slug):
    wf = ws.create_workflow("Audited " + slug, url=slug)
    wf.delete()
    wf.restore()
    events = [e for e in ws.audit(limit=50) if e.item.get("id") == wf.id]
    assert [e.action for e in events] == ["restore", "trash"]  # newest first
    assert all(e.actor and e.actor.get("id") for e in events)
    assert events[0].item["type"] == "workflow"
    assert len(ws.audit(limit=1)) == 1


def test_cleanup_after_the_retention_period(fresh_server, slug):
    ws = fresh_server.client().workspace(WORKSPACE)
    project = ws.create_project("Expires", "object-detection", "x", url=slug)
    project.upload(unique_png(), name="a.png")
    project.delete()
    fresh_server.advance(29 * 86400)
    item = find(ws.trash(), "project", project.project_id)
    assert item is not None and item.days_remaining == 1
    fresh_server.advance(1 * 86400 + 60)
    assert find(ws.trash(), "project", project.project_id) is None
    with pytest.raises(limbo.NotFoundError) as info:
        project.restore()
    assert info.value.code == "not_in_trash"
    assert "auto_cleanup" in [e.action for e in ws.audit()]
    assert ws.usage().trash_items == 0


def test_the_trash_reads_as_the_roboflow_clients_answer(server, ws, slug):
    # Code written for the official client reads ws.trash() as the JSON of GET /:ws/trash.
    project = ws.create_project("Read as dict " + slug, "object-detection", "x", url=slug)
    project.upload(unique_png(), name="a.png")
    version = project.generate_version(name="v one")
    version.delete()
    wf = ws.create_workflow("Flow " + slug, url=slug)
    wf.delete()
    project.delete()

    # The Trash names a project by its opaque id (`project_id` once a project's `id` reads workspace/slug).
    project_id = getattr(project, "project_id", None) or project.id
    trash = ws.trash(q=slug)
    assert "items" in trash and "sections" in trash and "counts" in trash
    assert set(trash.keys()) == {"items", "sections", "counts", "nextCursor"}
    assert [i.id for i in trash["items"]] == [i.id for i in trash] and len(trash["items"]) >= 2
    assert [i["id"] for i in trash["sections"]["projects"]] == [project_id]
    assert [i["id"] for i in trash["sections"]["workflows"]] == [wf.id]
    assert trash["sections"]["trainings"] == []
    assert trash.get("items", []) == trash["items"] and trash.get("nope", 7) == 7
    assert trash["nextCursor"] is None
    with pytest.raises(KeyError):
        trash["nope"]
    # The server's counts, of the whole Trash.
    _, raw, _ = server.api("GET", f"/{WORKSPACE}/trash?q={slug}")
    assert trash["counts"] == raw["counts"]
    assert trash.to_dict()["sections"]["projects"] == raw["sections"]["projects"]
    assert json.loads(json.dumps(trash.to_dict()))["items"] == raw["items"]

    # Each item reads as a mapping, by the server's field names, and stays typed.
    names = [item["name"] for item in ws.trash(q=slug)]
    assert "Read as dict " + slug in names and "Flow " + slug in names
    item = trash["sections"]["projects"][0]
    assert isinstance(item, limbo.TrashItem) and isinstance(item, collections.abc.Mapping)
    assert item["deletedAt"] == item.deleted_at and item["type"] == "project"
    assert item.get("parentId") is None and item.get("missing", "x") == "x" and "scheduledCleanupAt" in item
    assert dict(item) == raw["sections"]["projects"][0]
    with pytest.raises(KeyError):
        item["days_remaining"]  # attributes are snake_case, keys are the server's names

    # Integer indexes and slices are the list's; the first page's cursor is kept under a limit.
    assert trash[0].id == trash["items"][0].id and [i.id for i in trash[:1]] == [trash[0].id]
    first = ws.trash(q=slug, limit=1)
    assert len(first) == 1 and first["nextCursor"]
    assert first["counts"] == raw["counts"]
    item.restore()
    assert ws.restore_many(ws.trash(q=slug)).ok


def test_trash_listing_is_revalidated_with_its_etag(server, ws, slug):
    """The SDK sends If-None-Match for the Trash listing: an unchanged page comes back as a 304
    (the server's log shows it) with the same items, and a change is seen at once."""

    def not_modified():
        return sum(1 for line in server.log if '"route":"GET /:ws/trash"' in line and '"status":304' in line)

    project = ws.create_project("Revalidated", "object-detection", "x", url=slug)
    project.delete()
    first = [(i.type, i.id) for i in ws.trash()]
    before = not_modified()
    second = [(i.type, i.id) for i in ws.trash()]
    assert second == first and ("project", project.project_id) in second
    assert not_modified() == before + 1

    other = ws.create_project("Revalidated too", "object-detection", "x", url=slug + "-2")
    other.delete()
    third = [(i.type, i.id) for i in ws.trash()]
    assert ("project", other.project_id) in third and len(third) == len(first) + 1
