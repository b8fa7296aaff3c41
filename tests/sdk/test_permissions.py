"""Typed errors for permissions, quota and web-only routes, against limbod."""

from __future__ import annotations

import pytest

import limbo
from conftest import WORKSPACE, unique_png


def test_a_member_cannot_use_the_trash(server, slug):
    owner_ws = server.client().workspace(WORKSPACE)
    project = owner_ws.create_project("Guarded", "object-detection", "x", url=slug)
    member_ws = server.client(api_key=server.member_key("member")).workspace(WORKSPACE)

    with pytest.raises(limbo.PermissionDeniedError) as info:
        member_ws.trash()
    assert info.value.status == 403 and info.value.code == "forbidden"
    with pytest.raises(limbo.PermissionDeniedError):
        member_ws.project(slug).delete()
    assert owner_ws.project(slug).project_id == project.project_id

    project.delete()
    result = member_ws.restore_many([("project", project.project_id)])
    assert result.restored == []
    assert [f["error"]["code"] for f in result.failed] == ["forbidden"]
    project.restore()


def test_upload_over_the_quota_is_refused(fresh_server, slug):
    ws = fresh_server.client().workspace(WORKSPACE)
    project = ws.create_project("Quota", "object-detection", "x", url=slug)
    project.upload(unique_png(), name="a.png")
    used = ws.usage().storage_bytes
    second = unique_png()
    # Room for the second image only if the trashed project's bytes stopped counting.
    status, body, _ = fresh_server.api("PATCH", f"/{WORKSPACE}", {"storageQuotaBytes": used + len(second) - 1})
    assert status == 200, body
    project.delete()  # trashed bytes still count (T5)
    other = ws.create_project("Quota 2", "object-detection", "x", url=slug + "-2")
    with pytest.raises(limbo.QuotaExceededError) as info:
        other.upload(second, name="b.png")
    assert info.value.status == 403 and info.value.code == "storage_quota_exceeded"
    assert ws.images(project=other) == []


def test_the_server_refuses_permanent_deletion_with_an_api_key(server):
    # The SDK cannot make these calls at all; this shows the server refuses them too (T11).
    for path, body in ((f"/app/api/{WORKSPACE}/trash/empty", {"confirm": WORKSPACE}),
                       (f"/app/api/{WORKSPACE}/trash/delete", {"items": []})):
        status, answer, _ = server.api("POST", path, body)
        assert status == 403 and answer["error"]["code"] == "web_only", (path, status, answer)
