"""GET /metrics against a real limbod (SQLite and PostgreSQL): counters move with traffic, route labels
are templates, the Trash gauges equal the API's numbers, cleanup and training counters move with the
dev clock, and the token and the separate listener are enforced."""
import datetime
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import time

from limbo_test_server import LIMBOD, TEST_DB, Client, Server, png, query
from metrics_text import parse, series, value

DAY = 24 * 3600
REQS = "limbo_http_requests_total"
DUR = "limbo_http_request_duration_seconds"


def scrape(base: str, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = Client(base).get("/metrics", headers=headers)
    assert r.status == 200, r.raw
    assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(r.raw.decode())


def project(c, ws, name, images=0, seed=0):
    r = c.post(f"/{ws}/projects", {"name": name, "type": "object-detection", "annotation": "a"})
    assert r.status == 201, r.body
    for i in range(images):
        assert c.post(f"/{ws}/{r.body['url']}/upload", raw=png(seed + i)).status in (200, 201)
    return r.body


def route_patterns() -> set[str]:
    out = subprocess.run([LIMBOD, "routes"], capture_output=True, text=True, check=True)
    return {r["pattern"] for r in json.loads(out.stdout)} | {"/_dev/clock", "unmatched"}


def iso_seconds(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_request_counters_and_latency_move_with_traffic_labelled_by_route_template(fresh_server):
    c = fresh_server.bootstrap("acme")
    before = scrape(fresh_server.base)
    for _ in range(3):
        assert c.get("/acme/trash").status == 200
    assert c.get("/acme/no/such/route/at/all/here").status == 404
    assert Client(fresh_server.base).get("/acme/trash").status == 401
    assert c.request("BREW", "/acme/trash").status in (400, 404, 405)
    after = scrape(fresh_server.base)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta(REQS, route="/:ws/trash", method="GET", status="200") == 3
    assert delta(REQS, route="/:ws/trash", method="GET", status="401") == 1
    assert delta(REQS, route="unmatched", method="GET", status="404") == 1
    assert delta(DUR + "_count", route="/:ws/trash", method="GET") == 4
    assert delta(DUR + "_sum", route="/:ws/trash", method="GET") > 0
    # Buckets are cumulative up to +Inf, which equals the count.
    buckets = sorted(((float(l["le"]), v) for (n, ls), v in after.items() if n == DUR + "_bucket"
                      for l in [dict(ls)] if l["route"] == "/:ws/trash" and l["method"] == "GET"))
    assert buckets[0][0] == 0.0005 and buckets[-2][0] == 10 and buckets[-1][0] == float("inf")
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))
    assert buckets[-1][1] == value(after, DUR + "_count", route="/:ws/trash", method="GET")
    # Labels are the route table's templates: no workspace name, id or raw path, and an odd method
    # lands under "other".
    patterns = route_patterns()
    for labels in series(after, REQS) + series(after, DUR + "_count"):
        assert labels["route"] in patterns, labels
        assert labels["method"] in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"), labels
    assert all("acme" not in l["route"] for l in series(after, REQS))
    # The scrape itself is counted on the next one.
    assert value(scrape(fresh_server.base), REQS, route="/metrics", method="GET", status="200") >= 2


def test_trash_gauges_equal_the_api_and_cleanup_counters_move(fresh_server):
    c = fresh_server.bootstrap("acme")
    fresh_server.bootstrap("other", email="other@example.com")
    project(c, "acme", "Doomed", images=2, seed=900)
    project(c, "acme", "Kept", images=1, seed=910)
    assert c.post("/acme/kept/versions").status in (200, 201)
    assert c.post("/acme/kept/1/train").status == 201
    assert c.delete("/acme/doomed?deleteImages=true").status == 200
    assert c.post("/acme/workflows", {"name": "Flow"}).status in (200, 201)
    assert c.delete("/acme/workflows/flow").status == 200
    c.post("/_dev/clock", {"advanceSeconds": 0})
    usage = c.get("/acme/usage").body
    items = c.get("/acme/trash").body["items"]
    m = scrape(fresh_server.base)
    trashed = {t: value(m, "limbo_trash_items", workspace="acme", type=t)
               for t in ("project", "version", "workflow", "training")}
    assert sum(trashed.values()) == usage["trashItems"] == len(items)
    assert trashed["project"] == 1
    assert value(m, "limbo_trash_bytes", workspace="acme") == usage["trashBytes"]
    assert ("limbo_trash_reclaimable_bytes", frozenset({("workspace", "acme")})) in m
    oldest = min(iso_seconds(i["scheduledCleanupAt"]) for i in items)
    assert abs(value(m, "limbo_trash_oldest_cleanup_timestamp_seconds", workspace="acme") - oldest) < 0.002
    # A workspace with an empty Trash has counters at 0 and no oldest item.
    assert value(m, "limbo_trash_items", workspace="other", type="project") == 0
    assert ("limbo_trash_oldest_cleanup_timestamp_seconds", frozenset({("workspace", "other")})) not in m
    assert value(m, "limbo_training_jobs", state="running") + value(m, "limbo_training_jobs", state="queued") == 1
    assert value(m, "limbo_cleanup_leader") in (0, 1)
    assert value(m, "limbo_metrics_database_up") == 1
    assert value(m, "limbo_build_info", version=c.get("/healthz").body["version"],
                 commit=c.get("/healthz").body["commit"]) == 1
    assert 0 < value(m, "process_start_time_seconds") <= time.time()

    # The training finishes (5 s of demo training: 5 credits), then retention empties the Trash.
    c.post("/_dev/clock", {"advanceSeconds": 6})
    m2 = scrape(fresh_server.base)
    assert value(m2, "limbo_training_jobs", state="finished") == 1
    assert value(m2, "limbo_training_credits_metered_total") - value(m, "limbo_training_credits_metered_total") == 5
    c.post("/_dev/clock", {"advanceSeconds": 31 * DAY})
    assert c.get("/acme/trash").body["items"] == []
    m3 = scrape(fresh_server.base)

    def delta(name):
        return value(m3, name) - value(m, name)

    assert delta("limbo_trash_swept_items_total") == len(items)
    assert delta("limbo_cleanup_items_purged_total") == len(items)
    assert delta("limbo_cleanup_batches_total") >= len(items)
    assert delta("limbo_blobs_collected_total") == 2  # the doomed project's two images
    assert value(m3, "limbo_trash_items", workspace="acme", type="project") == 0
    assert value(m3, "limbo_trash_purging_items", workspace="acme") == 0
    assert value(m3, "limbo_blob_queue_length") == 0
    assert value(m3, "limbo_blob_queue_oldest_age_seconds") == 0
    assert value(m3, "limbo_database_errors_total", kind="internal") == 0
    assert value(m3, "limbo_blob_store_errors_total", op="remove") == 0


def test_a_failing_blob_store_is_counted(fresh_server):
    c = fresh_server.bootstrap("acme")
    project(c, "acme", "P")
    blobs = os.path.join(fresh_server.data, "blobs")
    os.rename(blobs, blobs + ".aside")
    open(blobs, "w").close()
    try:
        assert c.post("/acme/p/upload", raw=png(77)).status >= 500
        assert c.get("/readyz").status == 503
    finally:
        os.remove(blobs)
        os.rename(blobs + ".aside", blobs)
    m = scrape(fresh_server.base)
    assert value(m, "limbo_blob_store_errors_total", op="put") >= 1
    assert value(m, "limbo_blob_store_errors_total", op="probe") >= 1


def test_a_failing_database_is_counted(fresh_server):
    c = fresh_server.bootstrap("acme")
    project(c, "acme", "P")
    before = value(scrape(fresh_server.base), "limbo_database_errors_total", kind="internal")
    # The audit log's table disappears: every change that writes an audit event fails in the database.
    if TEST_DB:
        query(fresh_server.db, "DROP TABLE audit_events")
    else:
        with sqlite3.connect(os.path.join(fresh_server.data, "limbo.db")) as db:
            db.execute("DROP TABLE audit_events")
    r = c.delete("/acme/p")
    assert r.status == 500 and r.code == "internal", r.body
    after = scrape(fresh_server.base)
    assert value(after, "limbo_database_errors_total", kind="internal") == before + 1
    assert value(after, "limbo_metrics_database_up") == 1  # the figures do not read the audit log


def test_the_token_is_required_when_set():
    with tempfile.NamedTemporaryFile("w", suffix=".token", delete=False) as f:
        f.write("s3cret-metrics-token\n")
    s = Server("--metrics-token-file", f.name).start()
    try:
        anon = Client(s.base)
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer s3cret-metrics-toke"},
                        {"Authorization": "Basic czNjcmV0LW1ldHJpY3MtdG9rZW4="}):
            r = anon.get("/metrics", headers=headers)
            assert r.status == 401 and r.code == "metrics_token_required", (headers, r.body)
            assert r.body["error"]["message"] and r.headers.get("WWW-Authenticate", "").startswith("Bearer")
        m = scrape(s.base, token="s3cret-metrics-token")  # the file's trailing newline is not the token's
        assert value(m, REQS, route="/metrics", method="GET", status="401") == 4
        r = anon.get("/metrics", headers={"Authorization": "bearer   s3cret-metrics-token"})
        assert r.status == 200
    finally:
        s.stop()
        s.cleanup()
        os.unlink(f.name)


def test_a_separate_metrics_listener_and_404_on_the_main_one():
    s = Server("--metrics-listen", "127.0.0.1:0").start()
    try:
        port = None
        deadline = time.time() + 10
        while port is None and time.time() < deadline:
            for line in list(s.log):
                found = re.search(r'"event":"metrics_listening","port":(\d+)', line)
                if found:
                    port = int(found.group(1))
            time.sleep(0.05)
        assert port, s.log
        c = s.bootstrap("acme")
        r = Client(s.base).get("/metrics")
        assert r.status == 404 and r.code == "route_not_found", r.body
        assert c.get("/acme/trash").status == 200
        m = scrape(f"http://127.0.0.1:{port}")
        assert value(m, REQS, route="/:ws/trash", method="GET", status="200") == 1
        assert value(m, REQS, route="/metrics", method="GET", status="404") == 1
        assert value(m, "limbo_trash_items", workspace="acme", type="project") == 0
        # The metrics listener serves nothing else.
        assert Client(f"http://127.0.0.1:{port}").get("/acme/trash").status == 404
    finally:
        s.stop()
        s.cleanup()


def test_bad_metrics_flags_stop_the_server_at_start():
    data = tempfile.mkdtemp(prefix="limbo-it-")
    empty = os.path.join(data, "empty.token")
    open(empty, "w").close()
    for flags, words in ((["--metrics-token", "a", "--metrics-token-file", empty], "exclusive"),
                         (["--metrics-token-file", empty], "empty"),
                         (["--metrics-token-file", os.path.join(data, "missing")], "cannot read"),
                         (["--metrics-listen", "nowhere"], "HOST:PORT")):
        out = subprocess.run([LIMBOD, "serve", "--data", data, "--listen", "127.0.0.1:0", *flags],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 2 and words in out.stderr, (flags, out.stderr)
