"""SIGKILL in the middle of cleaning up a project with thousands of images, then restart (T13)."""
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from limbo_test_server import Server, blob_names, png

DAY = 24 * 3600
IMAGES = int(os.environ.get("LIMBO_CRASH_IMAGES", "2000"))
# Rows per cleanup transaction: small enough that the cleanup of IMAGES images takes many batches.
BATCH = os.environ.get("LIMBO_CRASH_BATCH", "50")


def check_figures(u):
    """docs/TRASH.md, "Storage figures": the invariants of every answer."""
    assert u["activeBytes"] + u["trashOnlyBytes"] == u["storageBytes"], u
    assert 0 <= u["reclaimableBytes"] <= u["trashOnlyBytes"] <= u["storageBytes"], u
    assert 0 <= u["activeBytes"] <= u["storageBytes"], u


def blob_files(data):
    return len(blob_names(data))


def test_kill_during_cleanup_then_restart_finishes_with_nothing_dangling(tmp_path):
    data = str(tmp_path)
    s = Server("--cleanup-batch", BATCH, data=data).start()
    c = s.bootstrap("acme")
    c.post("/acme/projects", {"name": "Big", "type": "object-detection", "annotation": "x"})
    c.post("/acme/projects", {"name": "Keep", "type": "object-detection", "annotation": "x"})
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda i: c.post("/acme/big/upload", raw=png(10_000 + i)).status, range(IMAGES)))
    assert all(r == 201 for r in replies)
    # A few images are shared with a project that stays: they must survive.
    shared = [i["id"] for i in c.get("/acme/images?project=big&limit=10").body["images"]]
    c.post("/acme/keep/images", {"images": shared})
    c.post("/acme/big/versions")
    assert blob_files(data) == IMAGES
    c.delete("/acme/big?deleteImages=true")
    shared_bytes = sum(c.get(f"/acme/images/{i}").body["image"]["sizeBytes"] for i in shared)
    u = c.get("/acme/usage").body
    check_figures(u)
    assert u["activeBytes"] == shared_bytes
    assert u["trashOnlyBytes"] == u["reclaimableBytes"] == u["storageBytes"] - shared_bytes

    rounds = 0
    interrupted_midway = 0
    left = IMAGES
    for attempt in range(12):
        # Move the clock past cleanupAt (a restarted dev clock starts from the system time again),
        # and kill the server while that request runs the cleanup: as soon as a reader sees the
        # image count fall, the cleanup is between two of its batches.
        t = threading.Thread(target=lambda: c.post("/_dev/clock", {"advanceSeconds": 31 * DAY}), daemon=True)
        t.start()
        start_left = left
        deadline = time.time() + 30
        while time.time() < deadline:
            now_left = c.get("/acme/usage").body["images"]
            if now_left < start_left - 2 * int(BATCH) or not t.is_alive():
                break
            time.sleep(random.uniform(0.001, 0.01))
        s.kill()
        rounds += 1
        s = Server("--cleanup-batch", BATCH, data=data).start()
        c.base = s.base
        u = c.get("/acme/usage").body
        check_figures(u)  # after a kill in the middle of the cleanup too
        if not u["figuresStale"]:
            assert u["activeBytes"] == shared_bytes, u
        before, left = left, u["images"]
        if len(shared) < left < before:
            interrupted_midway += 1  # the kill landed inside the cleanup, between two batches
        print(f"round {rounds}: {left} images left")
        if left <= len(shared) or interrupted_midway >= 2:
            break
    # Let the restarted server finish whatever is left.
    r = c.post("/_dev/clock", {"advanceSeconds": 31 * DAY})
    assert r.status == 200
    assert interrupted_midway >= 1, "no kill landed in the middle of the cleanup"
    assert c.get("/acme/trash").body["items"] == []
    images = c.get("/acme/images?limit=100").body["images"]
    assert sorted(i["id"] for i in images) == sorted(shared)
    usage = c.get("/acme/usage").body
    assert usage["images"] == len(shared) and usage["trashItems"] == 0
    assert usage["storageBytes"] == sum(i["sizeBytes"] for i in images)
    check_figures(usage)
    assert usage["activeBytes"] == usage["storageBytes"] == shared_bytes
    assert usage["trashOnlyBytes"] == usage["reclaimableBytes"] == 0 and usage["figuresStale"] is False
    assert blob_files(data) == len(shared)
    assert c.get("/acme/big").status == 404
    s.stop()
    report = s.fsck()
    assert report["clean"] is True, report
    assert report["queuedFiles"] == 0
    assert report["wrongFigures"] == [] and report["staleFigures"] == 0, report
