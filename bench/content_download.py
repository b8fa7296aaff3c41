#!/usr/bin/env python3
"""Download throughput of one 20 MiB image through limbod (GET /:ws/images/:id/content, streamed)
beside `curl` straight from the same bytes: the blob file (file://) on the file store, and Swift's own
API (tempauth token, same proxy) on S3. Also limbod's peak RSS growth over the downloads (VmHWM, reset
before them). docs/PERFORMANCE.md, "Blobs in S3".

Usage: LIMBOD=build/src/app/limbod [LIMBO_TEST_S3_DIR=DIR] bench/content_download.py [--runs N]
(LIMBO_TEST_S3_DIR: the folder of a running `scripts/s3-server.sh start DIR`; without it, the file
store only.) Prints one JSON line per store."""
import json
import os
import statistics
import subprocess
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from limbo_test_server import S3, Server, blobs_url  # noqa: E402
from test_content_stream import big_image, reset_peak, status_of  # noqa: E402


def curl_speed(url: str, headers: list[str]) -> float:
    """MiB/s of one `curl -o /dev/null`."""
    args = ["curl", "-sS", "-o", "/dev/null", "-w", "%{speed_download} %{http_code}", url]
    for h in headers:
        args += ["-H", h]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    assert out[1] in ("200", "206") or url.startswith("file:"), out
    return float(out[0]) / (1 << 20)


def median_of(runs: int, fn) -> float:
    return round(statistics.median(fn() for _ in range(runs)), 1)


def measure(s3: bool, runs: int) -> dict:
    data_dir = None
    s = Server(blobs=None if s3 else "").start()
    try:
        data_dir = s.data
        c = s.bootstrap("bench")
        c.post("/bench/projects", {"name": "P", "type": "object-detection", "annotation": "x"})
        data = big_image(42)
        img = c.post("/bench/p/upload?name=big.bmp", raw=data).body["image"]
        url = f"{s.base}/bench/images/{img['id']}/content"
        auth = [f"Authorization: Bearer {c.key}"]
        curl_speed(url, auth)  # warm
        pid = s.proc.pid
        reset_peak(pid)
        before = status_of(pid, "VmHWM")
        via_limbod = median_of(runs, lambda: curl_speed(url, auth))
        growth = status_of(pid, "VmHWM") - before
        if s3:
            endpoint = S3["LIMBO_TEST_S3_ENDPOINT"]
            req = urllib.request.Request(endpoint + "/auth/v1.0", headers={
                "X-Auth-User": S3["AWS_ACCESS_KEY_ID"], "X-Auth-Key": S3["AWS_SECRET_ACCESS_KEY"]})
            with urllib.request.urlopen(req) as r:
                token, storage = r.headers["X-Auth-Token"], r.headers["X-Storage-Url"]
            prefix = urllib.parse.urlsplit(blobs_url(data_dir)).path.strip("/")
            direct_url = f"{storage}/{S3['LIMBO_TEST_S3_BUCKET']}/{prefix}/blobs/{img['sha256']}"
            direct = median_of(runs, lambda: curl_speed(direct_url, [f"X-Auth-Token: {token}"]))
            direct_name = "curl from Swift"
        else:
            sha = img["sha256"]
            path = os.path.join(data_dir, "blobs", sha[:2], sha[2:4], sha)
            direct = median_of(runs, lambda: curl_speed("file://" + path, []))
            direct_name = "curl file://"
        return {"store": "s3" if s3 else "file", "bytes": len(data), "runs": runs, "limbodMiBps": via_limbod,
                "direct": direct_name, "directMiBps": direct, "ratio": round(via_limbod / direct, 2),
                "peakRssGrowthKiB": growth, "load": open("/proc/loadavg").read().split()[:3]}
    finally:
        s.stop()
        s.cleanup()


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    print(json.dumps(measure(False, runs)))
    if S3:
        print(json.dumps(measure(True, runs)))


if __name__ == "__main__":
    main()
