"""Workspaces, projects, images, versions and workflows through the SDK, against limbod."""

from __future__ import annotations

import pytest

import limbo
from conftest import WORKSPACE, unique_png


def test_workspace_defaults_to_the_keys_workspace(lb):
    ws = lb.workspace()
    assert ws.url == WORKSPACE
    assert ws.retention_days == 30
    assert lb.workspace(WORKSPACE).url == WORKSPACE


def test_a_wrong_key_is_an_authentication_error(server):
    with pytest.raises(limbo.AuthenticationError) as info:
        server.client(api_key="lk_wrong").workspace(WORKSPACE)
    assert info.value.status == 401 and info.value.code == "unauthorized"


def test_another_workspace_is_not_found(lb):
    with pytest.raises(limbo.NotFoundError) as info:
        lb.workspace("somebody-else")
    assert info.value.status == 404


def test_a_key_acts_only_in_its_own_workspace(server, lb):
    beta_key = server.bootstrap("beta")
    beta = server.client(api_key=beta_key).workspace()
    assert beta.url == "beta"
    # The owner is a member of both, but each key sees only its own workspace.
    with pytest.raises(limbo.NotFoundError):
        lb.workspace("beta")
    with pytest.raises(limbo.NotFoundError):
        server.client(api_key=beta_key).workspace(WORKSPACE)


def test_create_list_and_read_projects(ws, slug):
    created = ws.create_project("Cats " + slug, "object-detection", "cat", url=slug)
    # The bare project the server answers: `id` as the roboflow client names it, the opaque `project_id`.
    assert created.id == f"{WORKSPACE}/{slug}" and created.project_id.startswith("p_")
    assert created.url == slug and created.type == "object-detection" and created.annotation == "cat"
    assert isinstance(created.created, float) and isinstance(created.updated, float)
    assert created.created_at.endswith("Z") and created.updated_at.endswith("Z")
    assert slug in [p.url for p in ws.projects()]
    again = ws.project(slug)
    assert again.id == created.id and again.project_id == created.project_id and again.name == "Cats " + slug
    assert again.refresh().project_id == created.project_id


def test_create_project_in_a_group(server, ws, slug):
    status, group, _ = server.api("POST", f"/{WORKSPACE}/groups", {"name": "G " + slug})
    assert status == 201, group
    project = ws.create_project("Grouped", "single-label-classification", "animal", group=group["id"], url=slug)
    assert project.group["id"] == group["id"]


def test_taken_and_reserved_urls_are_refused(ws, slug):
    ws.create_project("A", "object-detection", "a", url=slug)
    with pytest.raises(limbo.ConflictError) as info:
        ws.create_project("B", "object-detection", "b", url=slug)
    assert info.value.status == 409 and info.value.code == "url_taken"
    with pytest.raises(limbo.ValidationError) as info:
        ws.create_project("Trash", "object-detection", "t", url="trash")
    assert info.value.status == 400 and info.value.code == "reserved_url"
    with pytest.raises(limbo.ValidationError) as info:
        ws.create_project("Bad", "not-a-type", "x", url=slug + "-bad")
    assert info.value.status == 400


def test_upload_from_path_bytes_and_file(ws, slug, tmp_path):
    project = ws.create_project("Uploads", "object-detection", "x", url=slug)
    path = tmp_path / "first.png"
    path.write_bytes(unique_png())
    first = project.upload(str(path))
    assert first.id and first.name == "first.png" and first.width and first.height
    assert first.size_bytes == path.stat().st_size
    second = project.upload(unique_png(), name="second.png")
    with open(tmp_path / "first.png", "rb") as f:
        again = project.upload(f)
    assert again.duplicate and again.id == first.id
    ids = {i.id for i in ws.images(project=slug)}
    assert ids == {first.id, second.id}
    assert ws.image(second.id).sha256 == second.sha256
    assert project.refresh().image_count == 2


def test_upload_of_a_non_image_is_a_validation_error(ws, slug):
    project = ws.create_project("Text", "object-detection", "x", url=slug)
    with pytest.raises(limbo.ValidationError) as info:
        project.upload(b"just some text, not an image", name="notes.txt")
    assert info.value.status == 415 and info.value.code == "unsupported_media_type"


def test_link_images_to_another_project(ws, slug):
    source = ws.create_project("Source", "object-detection", "x", url=slug)
    target = ws.create_project("Target", "object-detection", "x", url=slug + "-t")
    image = source.upload(unique_png(), name="shared.png")
    answer = target.link_images([image])
    assert answer["linked"] == 1
    assert [i.id for i in ws.images(project=target)] == [image.id]
    assert set(ws.image(image.id).projects) == {slug, slug + "-t"}


def test_generate_list_and_read_versions(ws, slug):
    project = ws.create_project("Versions", "object-detection", "x", url=slug)
    project.upload(unique_png(), name="a.png")
    v1 = project.generate_version()
    v2 = project.generate_version(name="second")
    assert (v1.number, v2.number) == (1, 2)
    assert v2.name == "second" and v1.image_count == 1
    assert sorted(v.number for v in project.versions()) == [1, 2]
    read = project.version(2)
    assert read.name == "second" and read.model is None and read.project is project
    assert project.version("1").number == 1


def test_workflows_create_list_read(ws, slug):
    wf = ws.create_workflow("Count " + slug, config={"steps": [{"kind": "count"}]}, url=slug)
    assert wf.id and wf.url == slug and wf.config == {"steps": [{"kind": "count"}]}
    assert slug in [w.url for w in ws.workflows()]
    assert ws.workflow(slug).id == wf.id


def test_usage_counts_storage(ws, slug):
    before = ws.usage()
    project = ws.create_project("Usage", "object-detection", "x", url=slug)
    data = unique_png()
    project.upload(data, name="u.png")
    after = ws.usage()
    assert after.storage_bytes == before.storage_bytes + len(data)
    assert after.storage_quota_bytes == before.storage_quota_bytes
