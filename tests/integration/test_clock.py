"""Time never runs backwards: the dev clock's offset is kept with the data, so a
restarted limbod goes on from the advanced time and blob removals queued then are not left waiting a
month; a limbod whose system clock is behind the data keeps the data's time and says so."""
import os
import re
import subprocess

from limbo_test_server import LIMBOD, Client, Server, blob_names, png

DAY = 24 * 3600


def blob_files(data):
    return blob_names(data)


def days_remaining(c, ws):
    items = c.get(f"/{ws}/trash").body["items"]
    assert len(items) == 1, items
    return items[0]["daysRemaining"]


def test_a_restart_goes_on_from_the_advanced_dev_clock_and_collects_what_was_queued(tmp_path):
    data = str(tmp_path)
    s = Server(data=data).start()
    try:
        c = s.bootstrap("acme")
        for name in ("Old", "New"):
            assert c.post("/acme/projects", {"name": name, "type": "object-detection", "annotation": "x"}).status == 201
        assert c.post("/acme/old/upload", raw=png(1)).status == 201
        assert c.delete("/acme/old?deleteImages=true").status == 200
        assert days_remaining(c, "acme") == 30
        r = c.post("/_dev/clock", {"advanceSeconds": 20 * DAY})
        assert r.status == 200
        advanced_now = r.body["now"]
        assert days_remaining(c, "acme") == 10
        # An upload refused by the quota leaves its file queued for collection after the grace period
        # (10 minutes), counted from the advanced clock.
        used = c.get("/acme/usage").body["storageBytes"]
        assert c.patch("/acme", {"storageQuotaBytes": used}).status == 200
        r = c.post("/acme/new/upload", raw=png(2))
        assert r.status == 403 and r.code == "storage_quota_exceeded", r.body
        assert len(blob_files(data)) == 2
        assert s.stop() == 0
        assert s.fsck()["queuedFiles"] == 1

        s = Server(data=data).start()
        c.base = s.base
        # The clock went on from where it was: not back to the system time.
        r = c.post("/_dev/clock", {"advanceSeconds": 0})
        assert r.status == 200 and r.body["now"] >= advanced_now, (r.body, advanced_now)
        assert days_remaining(c, "acme") == 10
        # 11 minutes later (not a month) the queued file is collected; the trashed project's is kept.
        assert c.post("/_dev/clock", {"advanceSeconds": 11 * 60}).status == 200
        assert len(blob_files(data)) == 1
        assert days_remaining(c, "acme") == 10
        # And at the end of the retention the trashed project goes, with its file.
        assert c.post("/_dev/clock", {"advanceSeconds": 10 * DAY}).status == 200
        assert c.get("/acme/trash").body["items"] == []
        assert blob_files(data) == []
        assert s.stop() == 0
        report = s.fsck()
        assert report["clean"] is True and report["queuedFiles"] == 0, report
    finally:
        s.cleanup()


def test_a_server_whose_clock_is_behind_the_data_keeps_the_datas_time_and_logs_it(tmp_path):
    data = str(tmp_path)
    s = Server(data=data).start()
    proc = None
    try:
        c = s.bootstrap("acme")
        assert c.post("/acme/projects", {"name": "Old", "type": "object-detection", "annotation": "x"}).status == 201
        assert c.delete("/acme/old").status == 200
        assert c.post("/_dev/clock", {"advanceSeconds": 20 * DAY}).status == 200
        assert days_remaining(c, "acme") == 10
        assert s.stop() == 0

        # The same data served without --dev-clock: the system clock is 20 days behind the data.
        args = [LIMBOD, "serve", *s._storage(), "--listen", "127.0.0.1:0"]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        base = None
        for line in proc.stdout:
            m = re.search(r"listening on (http://\S+)", line)
            if m:
                base = m.group(1)
                break
        assert base, proc.stderr.read()
        c = Client(base, c.key)
        # Not back to 30 days: the clock stands at the newest time the data has seen.
        assert days_remaining(c, "acme") == 10
        # Nothing trashed now is scheduled behind that time either.
        assert c.post("/acme/projects", {"name": "New", "type": "object-detection", "annotation": "x"}).status == 201
        assert c.delete("/acme/new").status == 200
        items = {i["name"]: i for i in c.get("/acme/trash").body["items"]}
        assert items["New"]["daysRemaining"] == 30
        assert items["New"]["deletedAt"] > items["Old"]["deletedAt"]
        proc.terminate()
        _, err = proc.communicate(timeout=30)
        behind = [line for line in err.splitlines() if '"event":"clock_behind_data"' in line]
        assert behind and '"level":"error"' in behind[0], err[-2000:]
        assert len(behind) == 1  # once per interval, not once per request
    finally:
        if proc and proc.poll() is None:
            proc.kill()
        s.cleanup()
