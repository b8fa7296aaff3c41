"""The wire shapes the official `roboflow` Python client and CLI read (SPEC 4.1 "Compatibility").

Each request here is the one that client sends (key in the query string, as it passes it), and each
assertion is a field it reads, with the type it converts it to: `Roboflow(api_key=)` checks the key
with `POST /?api_key=`; `Project(...)` splits `id` as "workspace/slug" and reads `created`/`updated`
as epoch seconds plus `classes`, `colors`, `public`, `splits`, `unannotated`; `Version(...)` reads
`augmentation`, `preprocessing`, `splits`; workflows are created with `POST /:ws/createWorkflow`;
the Trash is listed without `limit`.
"""
import datetime
import json
import os
import urllib.parse

from limbo_test_server import Client, png


def iso_seconds(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def keyed(c):
    """A client that passes the key only as `?api_key=`, as the roboflow client does."""
    anon = Client(c.base)

    def call(method, path, body=None):
        sep = "&" if "?" in path else "?"
        return anon.request(method, f"{path}{sep}api_key={c.key}", body)

    return call


def assert_project_shape(p, ws, slug):
    # `Project.__init__`: id.rsplit("/") gives (workspace, project); times via fromtimestamp().
    assert p["id"] == f"{ws}/{slug}" and p["id"].rsplit("/") == [ws, slug]
    assert isinstance(p["projectId"], str) and p["projectId"].startswith("p_")
    assert p["url"] == slug
    for key in ("created", "updated"):
        assert isinstance(p[key], (int, float)) and not isinstance(p[key], bool), key
        datetime.datetime.fromtimestamp(p[key])
        assert abs(p[key] - iso_seconds(p[key + "At"])) < 0.002, key
    assert isinstance(p["classes"], dict) and isinstance(p["colors"], dict)
    assert p["public"] is False
    assert isinstance(p["unannotated"], int) and p["unannotated"] == p["images"]
    assert p["splits"] == {"train": p["images"], "valid": 0, "test": 0}
    for key in ("annotation", "name", "type", "images"):
        assert key in p


def assert_version_shape(v, ws, slug, number):
    # `Project.version(n)`: os.path.basename(v["id"]) == str(n); `Version.__init__` reads these.
    assert v["id"] == f"{ws}/{slug}/{number}" and os.path.basename(v["id"]) == str(number)
    assert v["version"] == number
    assert isinstance(v["created"], (int, float)) and abs(v["created"] - iso_seconds(v["createdAt"])) < 0.002
    assert v["augmentation"] == {} and v["preprocessing"] == {} and v["exports"] == []
    assert v["splits"] == {"train": v["images"], "valid": 0, "test": 0}


def test_post_root_checks_the_key_like_get(server, ws):
    name, c = ws
    anon = Client(server.base)
    # `requests.post(API_URL + "/?api_key=" + key)`: no body, no Content-Type.
    r = anon.request("POST", f"/?api_key={c.key}")
    assert r.status == 200 and r.body == {"welcome": "Welcome to the Limbo API", "workspace": name}
    assert r.body == c.get("/").body == c.post("/").body
    # A wrong key is a 401, which the client raises at once instead of retrying.
    r = anon.request("POST", "/?api_key=lk_wrong")
    assert r.status == 401 and r.code == "unauthorized"


def test_projects_carry_roboflow_fields_and_the_opaque_id_as_project_id(ws):
    name, c = ws
    call = keyed(c)
    # `Workspace.create_project` posts these four fields and reads the bare answer as the project.
    r = call("POST", f"/{name}/projects",
             {"name": "Road Signs", "type": "object-detection", "license": "MIT", "annotation": "signs"})
    assert r.status == 201, r.body
    created = r.body
    assert "project" not in created
    assert_project_shape(created, name, "road-signs")
    assert created["images"] == 0 and created["versions"] == 0 and created["annotation"] == "signs"
    assert created["multilabel"] is False

    assert call("POST", f"/{name}/road-signs/upload?name=a.png", None).status in (400, 415)
    for seed in (1, 2):
        assert c.post(f"/{name}/road-signs/upload?name=s{seed}.png", raw=png(seed),
                      headers={"Content-Type": "image/png"}).status == 201

    # `rfapi.get_workspace` → `Workspace(...)`: projects listed with the same shape.
    listed = call("GET", f"/{name}").body["workspace"]["projects"]
    assert [p["id"] for p in listed] == [f"{name}/road-signs"]
    assert_project_shape(listed[0], name, "road-signs")
    assert listed[0]["images"] == 2 and listed[0]["unannotated"] == 2
    assert c.get(f"/{name}/projects").body["projects"] == listed

    # `rfapi.get_project` / `Roboflow.project()` read `["project"]` and `["versions"]`.
    detail = call("GET", f"/{name}/road-signs").body
    assert_project_shape(detail["project"], name, "road-signs")
    assert detail["project"]["projectId"] == created["projectId"]
    assert detail["project"]["splits"] == {"train": 2, "valid": 0, "test": 0}
    # One API whichever way the key comes: the same answer with a Bearer header.
    assert c.get(f"/{name}/road-signs").body == detail

    # The Trash keeps the opaque id: that is what restores the project.
    deleted = call("DELETE", f"/{name}/road-signs").body
    assert deleted["projectId"] == created["projectId"]
    trashed = call("GET", f"/{name}/trash").body["sections"]["projects"]
    assert [t["id"] for t in trashed] == [created["projectId"]] and trashed[0]["url"] == "road-signs"
    r = call("POST", f"/{name}/trash/restore", {"type": "project", "id": trashed[0]["id"]})
    assert r.status == 200 and r.body["id"] == created["projectId"]


def test_multilabel_follows_the_project_type(ws):
    name, c = ws
    r = c.post(f"/{name}/projects", {"name": "Tags", "type": "multi-label-classification", "annotation": "t"})
    assert r.status == 201 and r.body["multilabel"] is True


def test_versions_carry_augmentation_preprocessing_and_splits(ws):
    name, c = ws
    call = keyed(c)
    assert call("POST", f"/{name}/projects", {"name": "Cats", "type": "object-detection",
                                              "annotation": "cat"}).status == 201
    assert c.post(f"/{name}/cats/upload?name=c.png", raw=png(7), headers={"Content-Type": "image/png"}).status == 201
    generated = c.post(f"/{name}/cats/versions").body["version"]
    assert_version_shape(generated, name, "cats", 1)
    versions = call("GET", f"/{name}/cats").body["versions"]
    assert len(versions) == 1
    assert_version_shape(versions[0], name, "cats", 1)
    assert versions[0]["splits"] == {"train": 1, "valid": 0, "test": 0} and versions[0]["model"] is None
    one = call("GET", f"/{name}/cats/1").body["version"]
    assert_version_shape(one, name, "cats", 1)
    assert call("GET", f"/{name}/cats/versions").body["versions"] == versions


def test_create_workflow_takes_its_fields_in_the_query_string(ws):
    name, c = ws
    call = keyed(c)
    config = {"specification": {"version": "1.0", "steps": [{"type": "detect"}]}}
    query = urllib.parse.urlencode({"name": "Count Birds", "url": "count-birds", "template": "{}",
                                    "config": json.dumps(config, separators=(",", ":"))})
    # `rfapi.create_workflow`: everything in the query string, no body.
    r = call("POST", f"/{name}/createWorkflow?{query}")
    assert r.status == 201, r.body
    w = r.body["workflow"]
    assert w["url"] == "count-birds" and w["name"] == "Count Birds" and w["config"] == config
    assert w["id"].startswith("w_")
    assert c.get(f"/{name}/workflows/count-birds").body["workflow"] == w
    # The client's default config is "{}"; the url may be left to the server.
    r = call("POST", f"/{name}/createWorkflow?name=Empty&template=%7B%7D&config=%7B%7D")
    assert r.status == 201 and r.body["workflow"]["config"] == {} and r.body["workflow"]["url"] == "empty"
    # Refusals name the parameter; nothing is created.
    r = call("POST", f"/{name}/createWorkflow?name=Bad&config=%7Bnot%20json")
    assert r.status == 400 and r.code == "invalid_request" and "config" in r.body["error"]["message"]
    r = call("POST", f"/{name}/createWorkflow?name=Bad&config=%5B1%5D")
    assert r.status == 400 and r.code == "invalid_request"
    r = call("POST", f"/{name}/createWorkflow?url=nameless")
    assert r.status == 400 and r.code == "invalid_request" and "name" in r.body["error"]["message"]
    r = call("POST", f"/{name}/createWorkflow?{query}")
    assert r.status == 409 and r.code == "url_taken"
    assert sorted(x["url"] for x in c.get(f"/{name}/workflows").body["workflows"]) == ["count-birds", "empty"]


def test_trash_listing_without_limit_answers_up_to_a_thousand_items(ws):
    name, c = ws
    for i in range(1001):
        r = c.post(f"/{name}/workflows", {"name": f"W{i}"})
        assert r.status == 201, r.body
        assert c.delete(f"/{name}/workflows/w{i}").status == 200
    # `rfapi.list_trash` sends no `limit` and never follows `nextCursor`.
    page = keyed(c)("GET", f"/{name}/trash").body
    assert len(page["items"]) == 1000 and len(page["sections"]["workflows"]) == 1000
    assert page["counts"]["workflows"] == 1001 and page["nextCursor"]
    rest = c.get(f"/{name}/trash?cursor={page['nextCursor']}").body
    assert len(rest["items"]) == 1 and rest["nextCursor"] is None
    # Limbo's own clients page with a limit of their own.
    assert len(c.get(f"/{name}/trash?limit=100").body["items"]) == 100
    assert len(c.get(f"/{name}/trash?limit=1000").body["items"]) == 1000
    assert c.get(f"/{name}/trash?limit=1001").code == "invalid_request"
