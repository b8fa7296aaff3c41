"""`limbod backup` while a server uploads and cleans up, `limbod restore-backup` into a fresh folder,
and the refusals of both (docs/OPERATIONS.md, "Backups")."""
import hashlib
import json
import os
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from limbo_test_server import LIMBOD, TEST_DB, Client, Server, database_for, drop_database, png, query

DAY = 24 * 3600
IMAGES = int(os.environ.get("LIMBO_BACKUP_IMAGES", "600"))


def blob_files(data):
    return sum(1 for _, _, files in os.walk(os.path.join(data, "blobs")) for f in files if not f.startswith("."))


def backup_cmd(s, dest, *extra):
    return [LIMBOD, "backup", *s._storage(), "--to", str(dest), *extra]


def run(args):
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def restore(src, data):
    """restore-backup into `data` (and, on PostgreSQL, the empty database of that folder)."""
    args = [LIMBOD, "restore-backup", "--from", str(src), "--data", str(data)]
    db = database_for(str(data)) if TEST_DB else ""
    return run(args + (["--db", db] if db else [])), db


def images_in_backup(data, db):
    """(id, sha256) of every image row of a restored database."""
    if db:
        out = query(db, "SELECT id || ' ' || sha256 FROM images ORDER BY id")
        return [tuple(line.split(" ")) for line in out.splitlines() if line]
    con = sqlite3.connect(os.path.join(data, "limbo.db"))
    try:
        return [tuple(r) for r in con.execute("SELECT id, sha256 FROM images ORDER BY id")]
    finally:
        con.close()


def test_backup_during_uploads_and_cleanup_restores_every_image_intact(tmp_path):
    live = tmp_path / "live"
    live.mkdir()
    s = Server("--cleanup-batch", "50", data=str(live)).start()
    restored = None
    try:
        c = s.bootstrap("acme")
        c.post("/acme/projects", {"name": "Big", "type": "object-detection", "annotation": "x"})
        c.post("/acme/projects", {"name": "Keep", "type": "object-detection", "annotation": "x"})
        uploaded = {}  # sha256 -> seed, every image ever sent

        def upload(project, seed):
            body = png(seed)
            uploaded[hashlib.sha256(body).hexdigest()] = seed
            return c.post(f"/acme/{project}/upload", raw=body).status

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert all(r == 201 for r in pool.map(lambda i: upload("big", 20_000 + i), range(IMAGES)))
        shared = [i["id"] for i in c.get("/acme/images?project=big&limit=10").body["images"]]
        assert c.post("/acme/keep/images", {"images": shared}).status == 200
        # A finished training of the project: its model file belongs in the backup too.
        assert c.post("/acme/big/versions").status == 201
        run_id = c.post("/acme/big/1/train").body["job"]["id"]
        c.post("/_dev/clock", {"advanceSeconds": 6})  # the demo trainer (5 s) finishes
        assert c.get(f"/acme/jobs/{run_id}").body["job"]["state"] == "finished"
        model = live / "models" / f"{run_id}.json"
        assert model.exists()
        big = c.delete("/acme/big?deleteImages=true").body
        assert blob_files(live) == IMAGES

        # Uploads go on for the whole backup.
        stop = threading.Event()
        during = []

        def keep_uploading():
            seed = 50_000
            while not stop.is_set():
                during.append(upload("keep", seed))
                seed += 1

        uploader = threading.Thread(target=keep_uploading, daemon=True)
        uploader.start()

        # The backup pauses between its snapshot and copying the files; in that window the server
        # purges the trashed project and runs its blob collection, which must not take the files
        # the snapshot still lists.
        dest = tmp_path / "backup"
        b = subprocess.Popen(backup_cmd(s, dest, "--pause-after-snapshot-ms", "4000"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        for line in b.stderr:
            if "backup_snapshot" in line:
                break
        else:
            raise AssertionError("the backup ended before its snapshot: " + b.stdout.read())
        assert c.post("/_dev/clock", {"advanceSeconds": 31 * DAY}).status == 200
        assert c.get("/acme/big").status == 404  # purged on the live server...
        assert blob_files(live) >= IMAGES  # ...but no file went while the backup holds
        assert model.exists()
        out, err = b.communicate(timeout=300)
        stop.set()
        uploader.join(timeout=60)
        assert b.returncode == 0, err
        assert during and all(r == 201 for r in during)
        manifest = json.loads(out)
        on_disk = json.loads((dest / "backup.json").read_text())
        assert on_disk["counts"] == manifest["counts"] and manifest["backend"] == ("postgresql" if TEST_DB else "sqlite")
        assert manifest["counts"]["images"] >= IMAGES and manifest["schemaVersion"] > 0
        assert manifest["bytes"]["blobs"] > 0 and manifest["version"] and manifest["time"].endswith("Z")
        assert not os.path.exists(str(dest) + ".partial")
        assert (dest / "models" / f"{run_id}.json").read_bytes() and manifest["counts"]["models"] == 1
        assert not model.exists()  # kept for the backup only, removed when it ended

        # With the hold given up, the collector takes the purged project's files.
        assert c.post("/_dev/clock", {"advanceSeconds": 60}).status == 200
        assert blob_files(live) == c.get("/acme/usage").body["images"] == len(shared) + len(during)
        s.stop()
        assert s.fsck()["clean"] is True

        # Restore into a fresh folder: fsck is clean, and every image of the backup's database
        # downloads with the bytes that were uploaded.
        new = tmp_path / "restored"
        r, db = restore(dest, new)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["clean"] is True
        restored = Server(data=str(new), db=db)
        assert restored.fsck()["clean"] is True
        rows = images_in_backup(str(new), db)
        assert len(rows) == manifest["counts"]["images"]
        assert len(rows) >= IMAGES
        restored.start()
        rc = Client(restored.base, c.key)  # the API key came back with the database
        # The project the live server purged after the snapshot is in the backup's Trash.
        assert rc.post("/acme/trash/restore", {"type": "project", "id": big["projectId"]}).status == 200
        assert rc.get("/acme/big").status == 200
        assert [t["trainingId"] for t in rc.get("/acme/big/1/v2/trainings").body["trainings"]] == [run_id]
        assert (new / "models" / f"{run_id}.json").exists()
        for image_id, sha in rows:
            got = rc.get(f"/acme/images/{image_id}/content")
            assert got.status == 200, (image_id, got.status)
            assert hashlib.sha256(got.raw).hexdigest() == sha and sha in uploaded
        restored.stop()
        assert restored.fsck()["clean"] is True
    finally:
        s.cleanup()
        if restored:
            restored.cleanup()


def test_refusals_and_a_killed_backup(tmp_path):
    live = tmp_path / "live"
    live.mkdir()
    s = Server(data=str(live)).start()
    try:
        c = s.bootstrap("acme")
        c.post("/acme/projects", {"name": "P", "type": "object-detection", "annotation": "x"})
        for i in range(20):
            assert c.post("/acme/p/upload", raw=png(70_000 + i)).status == 201

        # A data folder that does not exist.
        r = run([LIMBOD, "backup", "--data", str(tmp_path / "nope"), "--to", str(tmp_path / "b0")])
        assert r.returncode == 1 and "does not exist" in r.stderr
        assert not os.path.exists(tmp_path / "b0") and not os.path.exists(tmp_path / "nope")

        # An existing, non-empty destination is never written over.
        taken = tmp_path / "taken"
        taken.mkdir()
        (taken / "x").write_text("keep me")
        r = run(backup_cmd(s, taken))
        assert r.returncode == 1 and "not empty" in r.stderr
        assert os.listdir(taken) == ["x"]

        # Killed mid-backup: only DEST.partial is left, and a rerun replaces it.
        dest = tmp_path / "b1"
        b = subprocess.Popen(backup_cmd(s, dest, "--pause-after-snapshot-ms", "30000"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        for line in b.stderr:
            if "backup_snapshot" in line:
                break
        # While it runs, a second backup to the same place is refused.
        r = run(backup_cmd(s, dest))
        assert r.returncode == 1 and "another limbod backup is writing" in r.stderr
        b.kill()
        b.wait()
        assert not os.path.exists(dest) and os.path.isdir(str(dest) + ".partial")
        r = run([LIMBOD, "restore-backup", "--from", str(dest) + ".partial", "--data", str(tmp_path / "r0")])
        assert r.returncode == 1 and "not a finished backup" in r.stderr
        r = run(backup_cmd(s, dest))
        assert r.returncode == 0, r.stderr
        assert "backup_partial_replaced" in r.stderr
        assert not os.path.exists(str(dest) + ".partial")
        assert json.loads((dest / "backup.json").read_text())["counts"]["images"] == 20

        # restore-backup into a folder that is not empty.
        full = tmp_path / "full"
        full.mkdir()
        (full / "limbo.db").write_text("")
        r = run([LIMBOD, "restore-backup", "--from", str(dest), "--data", str(full)])
        assert r.returncode == 1 and "not empty" in r.stderr
        assert os.listdir(full) == ["limbo.db"]
        # Into a database that is not empty (PostgreSQL), or with the wrong kind of target.
        if TEST_DB:
            r = run([LIMBOD, "restore-backup", "--from", str(dest), "--data", str(tmp_path / "r1"), "--db", s.db])
            assert r.returncode == 1 and "already holds" in r.stderr
            r = run([LIMBOD, "restore-backup", "--from", str(dest), "--data", str(tmp_path / "r1")])
            assert r.returncode == 1 and "PostgreSQL dump" in r.stderr
        assert not os.path.exists(tmp_path / "r1") or os.listdir(tmp_path / "r1") == []

        # A damaged blob in the backup is found by the restore, which leaves the folder empty.
        blob = next(os.path.join(d, f) for d, _, fs in os.walk(dest / "blobs") for f in fs if not f.startswith("."))
        with open(blob, "r+b") as f:
            f.seek(10)
            f.write(b"\x00\x01\x02")
        r, db = restore(dest, tmp_path / "r2")
        assert r.returncode == 1 and "do not match" in r.stderr
        assert os.listdir(tmp_path / "r2") == []
        if db:
            drop_database(db)
    finally:
        s.cleanup()
