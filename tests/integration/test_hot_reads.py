"""The reads a client polls (GET /:ws, /:ws/:project, /:ws/usage, /:ws/jobs): what they answer, and
that they never wait for the database's write lock, also in the request that finds its API key's
recorded last use over a minute old (that use is written by the background worker instead)."""
import os
import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime

import pytest

import limbo_test_server
from limbo_test_server import TEST_DB, Server, png, query

HOT = ("/acme", "/acme/p", "/acme/usage", "/acme/jobs", "/acme/trash")


def last_used(c, key_id):
    keys = c.get("/acme/api-keys").body
    at = next(k for k in keys if k["id"] == key_id)["lastUsedAt"]
    return datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None


def wait_for(predicate, seconds=15):
    return limbo_test_server.wait_for("the condition", predicate, timeout=seconds, every=0.1)


def hold_write_lock(s):
    """Another process holds the lock every write needs (SQLite: the database's write lock;
    PostgreSQL: EXCLUSIVE locks on the tables, which let reads through). Returns the release."""
    if not TEST_DB:
        db = sqlite3.connect(os.path.join(s.data, "limbo.db"), timeout=10, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        return lambda: db.execute("COMMIT")
    tables = ("api_keys", "workspaces", "projects", "server_meta")
    locker = subprocess.Popen(["psql", s.db, "-X", "-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert locker.stdin is not None
    locker.stdin.write(f"BEGIN;\nLOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE;\n")
    locker.stdin.flush()
    names = ", ".join(f"'{t}'" for t in tables)
    granted = (f"SELECT count(*) FROM pg_locks l JOIN pg_class r ON r.oid = l.relation WHERE l.granted "
               f"AND l.mode = 'ExclusiveLock' AND l.pid <> pg_backend_pid() AND r.relname IN ({names})")
    wait_for(lambda: query(s.db, granted) == str(len(tables)), 30)

    def release():
        if locker.poll() is None:
            locker.stdin.write("COMMIT;\n")
            locker.stdin.close()
            locker.wait(timeout=30)

    return release


def test_polled_reads_do_not_wait_for_a_write_lock(tmp_path):
    s = Server(data=str(tmp_path)).start()
    try:
        c = s.bootstrap("acme")
        assert c.post("/acme/projects", {"name": "P", "type": "object-detection", "annotation": "x"}).status == 201
        assert c.post("/acme/p/upload", raw=png(1)).status == 201
        key_id = c.get("/acme/api-keys").body[0]["id"]
        first = wait_for(lambda: last_used(c, key_id))  # written by the background worker
        # The key's recorded use is now two minutes old: the next request records a new one.
        assert c.post("/_dev/clock", {"advanceSeconds": 120}).status == 200
        release = hold_write_lock(s)
        try:
            with ThreadPoolExecutor(max_workers=len(HOT)) as pool:
                replies = [pool.submit(c.get, path) for path in HOT]
                # Before: the request that recorded the use waited for the lock (SQLite: 5 s per
                # attempt and 20 attempts; PostgreSQL: until the lock went), and the requests
                # behind it on the same worker thread with it.
                done, _ = wait(replies, timeout=4)
                assert len(done) == len(HOT), "a read waited for the write lock"
                assert [r.result().status for r in replies] == [200] * len(HOT)
        finally:
            release()
        # Once the lock is gone the new use is written.
        later = wait_for(lambda: (lambda t: t if t and (t - first).total_seconds() >= 120 else None)(
            last_used(c, key_id)))
        assert (later - first).total_seconds() < 130
        assert not [line for line in s.log if '"status":500' in line]
    finally:
        s.stop()
        s.cleanup()


def test_polled_reads_answer_what_was_just_written(server, ws):
    """Every change is in the very next read (nothing here is cached between requests)."""
    name, c = ws
    r = c.post(f"/{name}/projects", {"name": "Zebra", "type": "object-detection", "annotation": "z"})
    assert r.status == 201
    assert c.post(f"/{name}/projects", {"name": "Ant", "type": "single-label-classification",
                                        "annotation": "a"}).status == 201
    w = c.get(f"/{name}").body["workspace"]
    assert [p["name"] for p in w["projects"]] == ["Ant", "Zebra"] and w["members"] == 1
    assert c.post(f"/{name}/zebra/upload", raw=png(7)).status == 201
    p = c.get(f"/{name}/zebra").body
    assert p["project"]["images"] == 1 and p["project"]["splits"]["train"] == 1 and p["versions"] == []
    assert p["workspace"]["url"] == name
    assert c.get(f"/{name}/usage").body["images"] == 1
    v = c.post(f"/{name}/zebra/versions", {"name": "v1"})
    assert v.status == 201
    p = c.get(f"/{name}/zebra").body
    assert p["project"]["versions"] == 1 and [x["version"] for x in p["versions"]] == [1]
    assert p["versions"][0]["images"] == 1 and p["versions"][0]["model"] is None
    assert c.post(f"/{name}/zebra/1/train").status == 201
    jobs = c.get(f"/{name}/jobs").body["jobs"]
    assert [j["project"] for j in jobs] == ["zebra"] and jobs[0]["endedAt"] is None
    assert c.delete(f"/{name}/zebra").status == 200
    assert [p["name"] for p in c.get(f"/{name}").body["workspace"]["projects"]] == ["Ant"]
    gone = c.get(f"/{name}/zebra")
    assert gone.status == 404 and gone.code == "in_trash"
    assert c.get(f"/{name}/jobs").body["jobs"] == []
    assert c.get(f"/{name}/usage").body["trashItems"] == 1
