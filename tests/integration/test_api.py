"""The foundation routes of SPEC 4.1 against a real limbod: shapes, validation and errors."""
import json
import re
import urllib.request

from limbo_test_server import Client, png


def make_project(c, ws, name="Cats", **extra):
    r = c.post(f"/{ws}/projects", {"name": name, "type": "object-detection", "annotation": "animals", **extra})
    assert r.status == 201, r.body
    return r.body  # the bare project, as Roboflow's API answers a create


def test_health_welcome_and_unknown_routes(server, ws):
    name, c = ws
    health = Client(server.base).get("/healthz").body
    assert health["status"] == "ok" and re.fullmatch(r"\d+\.\d+\.\d+", health["version"]), health
    assert re.fullmatch(r"[0-9a-f]{12}(-modified)?|unknown", health["commit"]), health
    assert c.get("/").body == {"welcome": "Welcome to the Limbo API", "workspace": name}
    r = c.get(f"/{name}/no/such/route/here")
    assert r.status == 404 and r.code == "route_not_found"
    assert c.request("PUT", f"/{name}/projects", {}).status == 405
    # Every response carries the security headers.
    h = c.get("/healthz").headers
    assert h["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]


def test_authentication_methods(server, ws):
    name, c = ws
    anon = Client(server.base)
    r = anon.get(f"/{name}")
    assert r.status == 401 and r.code == "unauthorized"
    assert Client(server.base, "lk_wrong").get(f"/{name}").status == 401
    assert anon.get(f"/{name}?api_key={c.key}").status == 200
    assert anon.post(f"/{name}/projects", {"api_key": c.key, "name": "Via Body", "type": "object-detection",
                                           "annotation": "x"}).status == 201


def test_workspace_projects_and_slug_rules(ws):
    name, c = ws
    p = make_project(c, name, "My Cats (2024)")
    assert p["url"] == "my-cats-2024" and p["id"] == f"{name}/my-cats-2024" and p["projectId"].startswith("p_")
    for k in ("id", "projectId", "url", "name", "type", "annotation", "group", "images", "versions", "created",
              "updated", "createdAt", "updatedAt"):
        assert k in p
    assert make_project(c, name, "Other", url="custom-url")["url"] == "custom-url"
    r = c.post(f"/{name}/projects", {"name": "Trash", "type": "object-detection", "annotation": "x"})
    assert r.status == 400 and r.code == "reserved_url"
    r = c.post(f"/{name}/projects", {"name": "My Cats 2024", "type": "object-detection", "annotation": "x"})
    assert r.status == 409 and r.code == "url_taken"
    r = c.post(f"/{name}/projects", {"name": "X", "type": "paintings", "annotation": "x"})
    assert r.status == 400
    ws_body = c.get(f"/{name}").body["workspace"]
    assert ws_body["url"] == name and ws_body["members"] == 1
    assert [p["url"] for p in ws_body["projects"]] == ["my-cats-2024", "custom-url"] or len(ws_body["projects"]) == 2
    detail = c.get(f"/{name}/my-cats-2024").body
    assert detail["project"]["projectId"] == p["projectId"] and detail["versions"] == [] and detail["workspace"]["url"] == name


def test_bad_input_gets_clear_errors(ws):
    name, c = ws
    r = c.post(f"/{name}/projects", "{not json")
    assert r.status == 400 and r.code == "invalid_json"
    r = c.post(f"/{name}/projects", "[1, 2]")
    assert r.status == 400 and r.code == "invalid_json"
    r = c.post(f"/{name}/projects", {"name": 42, "type": "object-detection"})
    assert r.status == 400 and "name" in r.body["error"]["message"]
    r = c.post(f"/{name}/projects", {"type": "object-detection"})
    assert r.status == 400
    huge = json.dumps({"name": "x" * (1024 * 1024 + 10)})
    r = c.post(f"/{name}/projects", huge)
    assert r.status == 413 and r.code == "payload_too_large"
    assert c.get(f"/{name}/nope").code == "not_found"
    assert c.get(f"/{name}/images/i_nope").status == 404
    assert c.get(f"/{name}/jobs/j_nope").status == 404


def test_uploads_validate_deduplicate_and_serve_content(ws):
    name, c = ws
    make_project(c, name, "A")
    make_project(c, name, "B")
    r = c.post(f"/{name}/a/upload?name=one.png", raw=png(1), headers={"Content-Type": "image/png"})
    assert r.status == 201, r.body
    img = r.body["image"]
    assert img["width"] == 6 and img["height"] == 5 and img["projects"] == ["a"] and len(img["sha256"]) == 64
    r = c.post(f"/{name}/b/upload", raw=png(1))
    assert r.status == 200 and r.body["duplicate"] is True and r.body["image"]["id"] == img["id"]
    assert sorted(r.body["image"]["projects"]) == ["a", "b"]
    r = c.post(f"/{name}/a/upload", raw=b"this is not an image")
    assert r.status == 415 and r.code == "unsupported_media_type"
    boundary = "LIMBOBOUNDARY"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"two.png\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + png(2) + f"\r\n--{boundary}--\r\n".encode()
    r = c.post(f"/{name}/a/upload", raw=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status == 201 and r.body["image"]["name"] == "two.png"
    content = c.get(f"/{name}/images/{img['id']}/content")
    assert content.status == 200 and content.raw == png(1) and content.headers["Content-Type"] == "image/png"
    listed = c.get(f"/{name}/images?project=a").body["images"]
    assert {i["id"] for i in listed} == {img["id"], r.body["image"]["id"]}
    usage = c.get(f"/{name}/usage").body
    assert usage["storageBytes"] == len(png(1)) + len(png(2)) and usage["trashItems"] == 0
    r = c.post(f"/{name}/b/images", {"images": [listed[0]["id"], listed[1]["id"]]})
    assert r.status == 200 and r.body["project"]["images"] == 2
    assert c.post(f"/{name}/b/images", {"images": ["i_missing"]}).status == 404


def test_upload_over_32_mib_is_refused(ws):
    name, c = ws
    make_project(c, name, "Big")
    r = c.post(f"/{name}/big/upload", raw=b"\x89PNG" + b"\0" * (33 * 1024 * 1024))
    assert r.status == 413 and r.code == "payload_too_large"


def test_versions_training_models_and_jobs(server, ws):
    name, c = ws
    make_project(c, name, "A")
    c.post(f"/{name}/a/upload", raw=png(10))
    v = c.post(f"/{name}/a/versions", {}).body["version"]
    assert v["id"] == f"{name}/a/1" and v["version"] == 1 and v["images"] == 1 and v["model"] is None
    assert c.post(f"/{name}/a/versions", {"name": "second"}).body["version"]["version"] == 2
    job = c.post(f"/{name}/a/1/train").body["job"]
    assert job["state"] == "queued" and job["creditsUsed"] == 0
    for k in ("id", "project", "version", "state", "creditsUsed", "cancelReason", "createdAt", "startedAt", "endedAt"):
        assert k in job
    assert c.post(f"/{name}/a/1/train").code == "job_active"
    assert c.get(f"/infer/{name}/a/1").code == "model_not_serving"
    # Time is the server's: move it past the demo trainer's 5 seconds.
    c.post("/_dev/clock", {"advanceSeconds": 0})
    c.post("/_dev/clock", {"advanceSeconds": 6})
    done = c.get(f"/{name}/jobs/{job['id']}").body["job"]
    assert done["state"] == "finished" and done["creditsUsed"] == 5
    model = c.get(f"/{name}/a/1").body["version"]["model"]
    assert model["state"] == "serving" and model["endpoint"] == f"/infer/{name}/a/1"
    assert c.get(f"/infer/{name}/a/1").status == 200
    j2 = c.post(f"/{name}/a/2/train").body["job"]
    cancelled = c.post(f"/{name}/a/2/train/cancel").body["job"]
    assert cancelled["id"] == j2["id"] and cancelled["state"] == "cancelled" and cancelled["cancelReason"] == "user"
    assert {j["id"] for j in c.get(f"/{name}/jobs").body["jobs"]} == {job["id"], j2["id"]}
    assert c.get(f"/{name}/a/x").status == 404


def test_workflows(ws):
    name, c = ws
    r = c.post(f"/{name}/workflows", {"name": "Count Birds", "config": {"steps": ["detect"]}})
    assert r.status == 201
    w = r.body["workflow"]
    assert w["url"] == "count-birds" and w["config"] == {"steps": ["detect"]} and w["id"].startswith("w_")
    assert c.get(f"/{name}/workflows/count-birds").body["workflow"]["id"] == w["id"]
    assert [x["id"] for x in c.get(f"/{name}/workflows").body["workflows"]] == [w["id"]]
    assert c.get(f"/infer/workflows/{name}/count-birds").status == 200
    assert c.post(f"/{name}/workflows", {"name": "X", "config": [1]}).status == 400
    assert c.post(f"/{name}/workflows", {"name": "Count Birds"}).code == "url_taken"


def test_settings_members_roles_keys_groups(server, ws):
    name, c = ws
    r = c.patch(f"/{name}", {"retentionDays": 45, "name": "Acme Inc"})
    assert r.status == 200 and r.body["workspace"]["retentionDays"] == 45
    assert c.patch(f"/{name}", {"retentionDays": 7}).code == "session_required"  # shorter: web app only
    assert c.patch(f"/{name}", {"retentionDays": 0}).status == 400
    assert c.patch(f"/{name}", {"retentionDays": "7"}).status == 400
    roles = c.get(f"/{name}/roles").body
    assert [r["id"] for r in roles][:2] == ["owner", "member"] and roles[0]["builtin"] is True
    assert c.post(f"/{name}/roles", {"name": "Bad", "permissions": ["fly"]}).code == "invalid_permission"
    role = c.post(f"/{name}/roles", {"name": "Curator", "permissions": ["view_trash", "restore_dataset"]})
    assert role.status == 201 and role.body["builtin"] is False
    role_id = role.body["id"]
    assert c.patch(f"/{name}/roles/{role_id}", {"permissions": ["view_trash"]}).body["permissions"] == ["view_trash"]
    assert c.patch(f"/{name}/roles/owner", {"name": "x"}).status == 403
    email = f"cur-{name}@example.com"
    m = c.post(f"/{name}/members", {"email": email, "role": role_id})
    assert m.status == 201 and m.body["role"] == role_id and m.body["status"] == "invited"
    assert "inviteUrl" not in m.body  # an API key never sees the link (T17)
    assert c.post(f"/{name}/members", {"email": "s@x.io", "password": "short", "role": "member"}).status == 400
    assert {"email": email, "status": "invited"}.items() <= next(
        x for x in c.get(f"/{name}/members").body if x["email"] == email).items()
    assert c.delete(f"/{name}/members/{email}").body == {"revoked": True, "email": email}
    server.member_add(name, email, role=role_id, name="Cur", password="long enough pw")
    assert email in [x["email"] for x in c.get(f"/{name}/members").body if x["status"] == "active"]
    assert c.patch(f"/{name}/members/{email}", {"role": "member"}).body["role"] == "member"
    assert c.delete(f"/{name}/roles/{role_id}").status == 200
    key = c.post(f"/{name}/api-keys", {"name": "ci"})
    assert key.status == 201 and key.body["key"].startswith("lk_")
    listed = c.get(f"/{name}/api-keys").body
    assert all("key" not in k for k in listed) and any(k["id"] == key.body["id"] for k in listed)
    other = Client(server.base, key.body["key"])
    assert other.get(f"/{name}").status == 200
    assert c.delete(f"/{name}/api-keys/{key.body['id']}").status == 200
    assert other.get(f"/{name}").status == 401  # revoked at once
    g = c.post(f"/{name}/groups", {"name": "Wildlife"})
    assert g.status == 201 and g.body["name"] == "Wildlife"
    p = make_project(c, name, "In Group", group=g.body["id"])
    assert p["group"] == {"id": g.body["id"], "name": "Wildlife"}
    assert c.patch(f"/{name}/groups/{g.body['id']}", {"name": "Animals"}).body["name"] == "Animals"
    assert c.get(f"/{name}/groups").body[0]["projects"] == 1
    assert c.delete(f"/{name}/groups/{g.body['id']}").status == 200
    assert c.get(f"/{name}/in-group").body["project"]["group"] is None
    assert c.delete(f"/{name}/members/{email}").status == 200


def test_member_role_limits(server, ws):
    name, c = ws
    email = f"m-{name}@example.com"
    server.member_add(name, email, password="long enough pw")
    m = Client(server.base)
    assert m.login(email, "long enough pw").status == 200
    assert m.patch(f"/{name}", {"retentionDays": 3}).status == 403
    assert m.post(f"/{name}/roles", {"name": "R", "permissions": []}).status == 403
    make_project(c, name, "A")
    r = m.delete(f"/{name}/a")
    assert r.status == 403 and r.code == "forbidden"
    assert m.get(f"/{name}/trash").status == 403
    assert m.post(f"/{name}/projects", {"name": "Mine", "type": "object-detection", "annotation": "x"}).status == 201


def test_tenants_never_see_each_other(server, ws):
    name, c = ws
    other_name = name + "-other"
    other = server.bootstrap(other_name, email=f"other-{name}@example.com")
    make_project(other, other_name, "Secret")
    for path in (f"/{other_name}", f"/{other_name}/secret", f"/{other_name}/trash", f"/{other_name}/usage",
                 f"/{other_name}/members", f"/{other_name}/jobs", f"/{other_name}/images"):
        r = c.get(path)
        assert r.status == 404, path
    assert c.delete(f"/{other_name}/secret").status == 404
    assert c.post(f"/{other_name}/trash/restore-all").status == 404
    # Same user in two workspaces: a key still acts only in its own.
    same_user = server.bootstrap(name + "-mine", email=f"owner-{name}@example.com")
    assert same_user.get(f"/{name}").status == 404
    assert c.get(f"/{name}-mine").status == 404


def test_sessions_csrf_and_logout(server, ws):
    name, c = ws
    s = Client(server.base)
    assert s.login(f"owner-{name}@example.com", "wrong password").status == 401
    r = s.login(f"owner-{name}@example.com")
    assert r.status == 200 and r.body["user"]["email"] == f"owner-{name}@example.com"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    me = s.get("/app/api/session").body
    assert me["csrfToken"] == s.csrf and name in [w["url"] for w in me["workspaces"]]
    assert "view_trash" in me["workspaces"][0]["permissions"]
    assert s.get(f"/{name}").status == 200
    r = s.post(f"/{name}/projects", {"name": "A", "type": "object-detection", "annotation": "x"}, csrf=False)
    assert r.status == 403 and r.code == "csrf_required"
    assert s.post(f"/{name}/projects", {"name": "A", "type": "object-detection", "annotation": "x"}).status == 201
    assert s.post("/app/api/logout").status == 200
    assert s.get(f"/{name}").status == 401
    assert s.get("/app/api/session").status == 401


def test_web_app_is_served_with_a_strict_policy(server):
    c = Client(server.base)
    r = c.get("/app/acme/settings/trash")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    assert b"<script" in r.raw and b"/app/static/" in r.raw
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert c.get("/app/static/no-such-file.js").status == 404
    assert c.get("/app/api/nothing").status == 404


def test_graceful_shutdown_finishes_and_exits_zero(tmp_path):
    from limbo_test_server import Server

    s = Server(data=str(tmp_path)).start()
    c = s.bootstrap("shut")
    assert c.get("/shut").status == 200
    assert s.stop() == 0
    assert any('"stopped"' in line for line in s.log)
