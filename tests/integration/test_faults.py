"""Faults: SIGKILL at random moments during restore-all, uploads and cleanup; a failing disk; a locked
database (the SQLite file, or PostgreSQL tables). After each kill the server restarts and the
invariants are checked through the API and with `limbod fsck`: nothing shared is lost, no file is
orphaned, nothing is half-restored, and the usage counters equal a recount."""
import hashlib
import os
import random
import sqlite3
import struct
import subprocess
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from limbo_test_server import LIMBOD, S3, TEST_DB, Server, blob_names, database_url, drop_database, png, query

DAY = 24 * 3600
WORKFLOWS = 1100
ROUNDS = int(os.environ.get("LIMBO_FAULT_ROUNDS", "4"))
rng = random.Random(int(os.environ.get("LIMBO_FAULT_SEED", str(int(time.time())))))


@pytest.fixture(autouse=True)
def _drop_database(tmp_path):
    """Every test keeps its server's data in tmp_path; on PostgreSQL its database goes afterwards."""
    yield
    if TEST_DB:
        drop_database(database_url(str(tmp_path)))


def blob_files(data):
    return blob_names(data)


def restart(s, c):
    s.kill()
    s = Server(*s.extra, data=s.data, db=s.db).start()
    c.base = s.base
    return s


def kill_during(s, c, method, path, body, max_delay):
    """Sends one request and SIGKILLs the server at a random moment while it runs."""
    t = threading.Thread(target=lambda: c.request(method, path, body), daemon=True)
    t.start()
    time.sleep(rng.uniform(0.0, max_delay))
    return restart(s, c)


def model_bytes(s):
    """The bytes of the server's model files, which usage counts with the images (T16)."""
    if s.blobs:
        out = subprocess.run([LIMBOD, "blobs", "list", "--models", "--data", s.data, "--blobs", s.blobs],
                             capture_output=True, text=True, check=True)
        return sum(int(line.split()[1]) for line in out.stdout.splitlines() if line.strip())
    folder = os.path.join(s.data, "models")
    if not os.path.isdir(folder):
        return 0
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder) if f.endswith(".json"))


def recount(s, c, ws, purging=0):
    """Usage counters against a recount of what the API lists and the model files on disk. `purging`:
    how many Trash items may be in the middle of their permanent removal (counted in usage, hidden
    from the listing)."""
    images = c.get(f"/{ws}/images?limit=500").body["images"]
    trash, cursor = [], ""
    while True:
        page = c.get(f"/{ws}/trash?limit=200" + (f"&cursor={cursor}" if cursor else "")).body
        trash += page["items"]
        cursor = page.get("nextCursor")
        if not cursor:
            break
    usage = c.get(f"/{ws}/usage").body
    assert usage["images"] == len(images), usage
    assert usage["storageBytes"] == sum(i["sizeBytes"] for i in images) + model_bytes(s), usage
    assert len(trash) <= usage["trashItems"] <= len(trash) + purging, usage
    for img in images[:20]:
        content = c.get(f"/{ws}/images/{img['id']}/content")
        assert content.status == 200 and hashlib.sha256(content.raw).hexdigest() == img["sha256"]
    return images, trash


def assert_fsck_clean(s):
    report = s.fsck()
    assert report["clean"] is True and not report["missingFiles"] and not report["orphanedFiles"], report


def test_kill_during_restore_all_never_half_restores(tmp_path):
    s = Server(data=str(tmp_path)).start()
    c = s.bootstrap("acme")
    projects = []
    for i in range(20):
        url = c.post("/acme/projects", {"name": f"P{i}", "type": "object-detection", "annotation": "x"}).body["url"]
        assert c.post(f"/acme/{url}/upload", raw=png(i)).status == 201
        for v in (1, 2):
            assert c.post(f"/acme/{url}/versions").status == 201
            assert c.post(f"/acme/{url}/{v}/train").status == 201
        projects.append(url)
    assert c.post("/_dev/clock", {"advanceSeconds": 60}).status == 200  # every model serves
    # Restore-all commits 500 items per transaction: enough workflows make it several transactions.
    with ThreadPoolExecutor(max_workers=6) as pool:
        flows = list(pool.map(lambda i: c.post("/acme/workflows", {"name": f"W{i}"}).body["workflow"]["url"],
                              range(WORKFLOWS)))

    def trash_all():
        with ThreadPoolExecutor(max_workers=6) as pool:
            gone = list(pool.map(lambda u: c.delete(f"/acme/{u}").status, [u for u in projects
                                                                           if c.get(f"/acme/{u}").status == 200]))
            gone += list(pool.map(lambda u: c.delete(f"/acme/workflows/{u}").status, flows))
        assert set(gone) <= {200, 404}

    # Time one whole restore-all, so the kills can land inside one.
    trash_all()
    started = time.monotonic()
    assert len(c.post("/acme/trash/restore-all").body["restored"]) == len(projects) + WORKFLOWS
    took = time.monotonic() - started
    restored_midway = 0
    for round_ in range(ROUNDS):
        trash_all()
        assert c.get("/acme/usage").body["trashItems"] == len(projects) + WORKFLOWS
        s = kill_during(s, c, "POST", "/acme/trash/restore-all", {}, took * 1.2)
        left = c.get("/acme/usage").body["trashItems"]
        if 0 < left < len(projects) + WORKFLOWS:
            restored_midway += 1
        # Every project is either back whole (both versions, both models serving) or still in the Trash.
        trash = {t["url"] for t in c.get("/acme/trash?type=project&limit=500").body["items"]}
        for url in projects:
            r = c.get(f"/acme/{url}")
            if r.status == 200:
                assert url not in trash
                versions = r.body["versions"]
                assert [v["version"] for v in versions] == [1, 2] or sorted(v["version"] for v in versions) == [1, 2]
                assert all(v["model"] and v["model"]["state"] == "serving" for v in versions), versions
                assert r.body["project"]["images"] == 1
            else:
                assert r.status == 404 and r.code == "in_trash" and url in trash, (url, r.status, r.code)
        recount(s, c, "acme")
        # The server finishes the restore-all when asked again.
        assert c.post("/acme/trash/restore-all").status == 200
        assert all(c.get(f"/acme/{u}").status == 200 for u in projects)
        assert c.get("/acme/usage").body["trashItems"] == 0
    print(f"restore-all ({took:.3f} s) interrupted midway in {restored_midway} of {ROUNDS} rounds")
    s.stop()
    assert_fsck_clean(s)


def test_kill_during_uploads_leaves_no_orphan_and_no_dangling_image(tmp_path):
    s = Server(data=str(tmp_path)).start()
    c = s.bootstrap("acme")
    c.post("/acme/projects", {"name": "Up", "type": "object-detection", "annotation": "x"})
    seed = 0
    for round_ in range(ROUNDS):
        seeds = list(range(seed, seed + 40))
        seed += 40
        pool = ThreadPoolExecutor(max_workers=6)
        futures = [pool.submit(c.post, "/acme/up/upload", None, raw=png(n, 40, 30)) for n in seeds]
        time.sleep(rng.uniform(0.01, 0.3))
        s = restart(s, c)
        pool.shutdown(wait=True, cancel_futures=True)
        del futures
        images, _ = recount(s, c, "acme")
        files = blob_files(s.data)
        # Every image has its file; a file without an image is only a queued, unfinished upload.
        assert {i["sha256"] for i in images} <= set(files)
    # Past the upload grace period the collector removes the unfinished uploads' files.
    assert c.post("/_dev/clock", {"advanceSeconds": 3600}).status == 200
    images, _ = recount(s, c, "acme")
    assert set(blob_files(s.data)) == {i["sha256"] for i in images}
    s.stop()
    assert_fsck_clean(s)


def test_kill_during_cleanup_keeps_shared_images(tmp_path):
    s = Server("--cleanup-batch", "1", data=str(tmp_path)).start()
    c = s.bootstrap("acme")
    for name in ("Keep", "Gone"):
        c.post("/acme/projects", {"name": name, "type": "object-detection", "annotation": "x"})
    ids = [c.post("/acme/gone/upload", raw=png(500 + i)).body["image"]["id"] for i in range(120)]
    shared = ids[:7]
    assert c.post("/acme/keep/images", {"images": shared}).status == 200
    c.post("/acme/gone/versions")
    assert c.delete("/acme/gone?deleteImages=true").status == 200
    midway, before = 0, len(ids)
    for round_ in range(ROUNDS):
        s = kill_during(s, c, "POST", "/_dev/clock", {"advanceSeconds": 31 * DAY}, 0.12)
        images, trash = recount(s, c, "acme", purging=1)
        midway += len(shared) < len(images) < before
        before = len(images)
        assert set(shared) <= {i["id"] for i in images}, "a shared image was lost"
        assert {i["sha256"] for i in images} <= set(blob_files(s.data))
        if c.get("/acme/usage").body["trashItems"] == 0:
            break
    print(f"cleanup interrupted midway in {midway} rounds")
    assert c.post("/_dev/clock", {"advanceSeconds": 31 * DAY}).status == 200
    images, trash = recount(s, c, "acme")
    assert trash == [] and sorted(i["id"] for i in images) == sorted(shared)
    assert set(blob_files(s.data)) == {i["sha256"] for i in images}
    s.stop()
    assert_fsck_clean(s)


def incompressible_png(w, h):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + os.urandom(w * 3) for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b""))


@pytest.mark.skipif(bool(S3), reason="a full disk under the blob folder; test_blob_store.py stops the object store")
def test_disk_write_failure_answers_an_error_and_leaves_nothing(tmp_path):
    """The blob folder is a tiny tmpfs filled up (needs root and mount; otherwise the file's fan-out
    folder is made a regular file, which fails even for root, who ignores permission bits)."""
    data = str(tmp_path)
    blobs = os.path.join(data, "blobs")
    os.makedirs(blobs)
    big = incompressible_png(200, 200)  # ~120 kB
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", blobs],
                             capture_output=True).returncode == 0
    blocker = None
    try:
        if mounted:
            with open(os.path.join(blobs, "filler"), "wb") as f:
                f.write(b"\0" * 200 * 1024)
        else:
            blocker = os.path.join(blobs, hashlib.sha256(big).hexdigest()[:2])
            open(blocker, "w").close()
        s = Server(data=data).start()
        try:
            c = s.bootstrap("acme")
            c.post("/acme/projects", {"name": "P", "type": "object-detection", "annotation": "x"})
            r = c.post("/acme/p/upload", raw=big)
            assert r.status == 500 and r.code == "storage_failure", (r.status, r.body)
            assert r.body["error"]["message"]
            assert c.get("/acme/images").body["images"] == []
            assert c.get("/acme/usage").body["storageBytes"] == 0
            leftovers = [f for f in blob_files(data) if f != "filler"]
            assert leftovers == [], leftovers
            # Once there is room again the same upload succeeds.
            if mounted:
                os.remove(os.path.join(blobs, "filler"))
            else:
                os.remove(blocker)
            assert c.post("/acme/p/upload", raw=big).status == 201
            assert blob_files(data) == [hashlib.sha256(big).hexdigest()]
        finally:
            s.stop()
        assert_fsck_clean(s)
    finally:
        if mounted:
            subprocess.run(["umount", blobs], check=False)


def send_writes(pool, c):
    """Four project creations and two uploads to /acme/p at once; their futures."""
    writes = [pool.submit(c.post, "/acme/projects", {"name": f"Q{i}", "type": "object-detection", "annotation": "x"})
              for i in range(4)]
    return writes + [pool.submit(c.post, "/acme/p/upload", None, raw=png(i)) for i in range(2)]


def assert_writes_wait_then_succeed(s, c, held, release, while_waiting=lambda pending: None):
    """Sends those writes while a lock taken at `held` is in place: 1.5 s later none has answered;
    once `release()` lets go, all six answer 201 and the server logged no 500."""
    with ThreadPoolExecutor(max_workers=6) as pool:
        pending = send_writes(pool, c)
        time.sleep(1.5)
        assert not any(f.done() for f in pending)  # waiting, not failed
        while_waiting(pending)
        release()
        released = time.monotonic() - held
        statuses = [f.result().status for f in pending]
    assert statuses == [201] * 6, statuses
    assert released >= 1.5
    assert len(c.get("/acme").body["workspace"]["projects"]) == 5
    assert not [line for line in s.log if '"status":500' in line]


@pytest.mark.skipif(bool(TEST_DB), reason="holds a SQLite write lock")
def test_locked_database_is_retried_not_a_500(tmp_path):
    s = Server(data=str(tmp_path)).start()
    try:
        c = s.bootstrap("acme")
        c.post("/acme/projects", {"name": "P", "type": "object-detection", "annotation": "x"})
        db = sqlite3.connect(os.path.join(s.data, "limbo.db"), timeout=10, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        held = time.monotonic()
        # Reads are not blocked by a writer (WAL).
        assert c.get("/acme/p").status == 200 and c.get("/acme/trash").status == 200
        assert_writes_wait_then_succeed(s, c, held, lambda: db.execute("COMMIT"))
    finally:
        s.stop()
        s.cleanup()


# The tables that creating a project and uploading an image write to.
LOCKED_TABLES = ("workspaces", "projects", "images", "project_images", "blobs", "audit_events")


@pytest.mark.skipif(not TEST_DB, reason="holds PostgreSQL table locks")
@pytest.mark.parametrize("lock_timeout", [None, "300ms"])
def test_locked_tables_are_waited_for_not_a_500(tmp_path, lock_timeout):
    """Another session holds EXCLUSIVE locks (reads allowed, writes blocked) on the tables that
    project creation and uploads write: reads keep answering, the writes wait and then succeed.
    With an operator's lock_timeout the database cuts each wait short (55P03): limbod runs the
    write again instead of answering 500."""
    env = {"PGOPTIONS": f"-c lock_timeout={lock_timeout}"} if lock_timeout else None
    s = Server("--threads", "8", data=str(tmp_path), env=env).start()
    locker = None
    try:
        c = s.bootstrap("acme")
        assert c.post("/acme/projects", {"name": "P", "type": "object-detection", "annotation": "x"}).status == 201
        assert c.post("/acme/p/upload", raw=png(100)).status == 201
        locker = subprocess.Popen(["psql", s.db, "-X", "-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert locker.stdin is not None
        locker.stdin.write(f"BEGIN;\nLOCK TABLE {', '.join(LOCKED_TABLES)} IN EXCLUSIVE MODE;\n")
        locker.stdin.flush()
        names = ", ".join(f"'{t}'" for t in LOCKED_TABLES)
        granted = (f"SELECT count(*) FROM pg_locks l JOIN pg_class r ON r.oid = l.relation WHERE l.granted "
                   f"AND l.mode = 'ExclusiveLock' AND l.pid <> pg_backend_pid() AND r.relname IN ({names})")
        deadline = time.monotonic() + 30
        while query(s.db, granted) != str(len(LOCKED_TABLES)):
            assert locker.poll() is None and time.monotonic() < deadline, locker.stderr.read() if locker.stderr else ""
            time.sleep(0.05)
        held = time.monotonic()
        # Reads only take ACCESS SHARE locks, which EXCLUSIVE allows.
        assert c.get("/acme/p").status == 200 and c.get("/acme/trash").status == 200

        def while_waiting(pending):
            # Each of them waits on the locks in the database (not on something in the server) ...
            waiting = query(s.db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND wait_event_type = 'Lock'")
            # (Between retries after a lock timeout some are sleeping, not waiting.)
            assert int(waiting) >= (1 if lock_timeout else len(pending)), waiting
            # ... and reads still answer meanwhile.
            assert c.get("/acme/p").status == 200 and c.get("/acme/usage").status == 200

        def release():
            locker.stdin.write("COMMIT;\n")
            locker.stdin.close()
            assert locker.wait(timeout=30) == 0

        assert_writes_wait_then_succeed(s, c, held, release, while_waiting)
        assert c.get("/acme/p").body["project"]["images"] == 3
        usage = c.get("/acme/usage").body
        assert usage["images"] == 3, usage
    finally:
        if locker and locker.poll() is None:
            locker.kill()
            locker.wait()
        s.stop()
        s.cleanup()
