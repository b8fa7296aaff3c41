"""A real Prometheus (Debian's `prometheus`) scrapes a real limbod every second, with the metrics token
from a file, and is queried through its HTTP API for a few series after some traffic. Runs as the CTest
entries integration.prometheus(.postgres)."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

import pytest

from limbo_test_server import Server, png

PROMETHEUS = os.environ.get("PROMETHEUS", shutil.which("prometheus") or "/usr/bin/prometheus")
TOKEN = "prometheus-scrape-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(prom: str, promql: str) -> list:
    url = f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=5) as r:
        body = json.loads(r.read())
    assert body["status"] == "success", body
    return body["data"]["result"]


def wait_for(prom: str, promql: str, ok, deadline: float):
    """Polls `promql` until ok(result) holds; returns the result. Fails at the deadline."""
    last = None
    while time.time() < deadline:
        try:
            last = query(prom, promql)
            if ok(last):
                return last
        except OSError as e:  # Prometheus is still starting
            last = e
        time.sleep(0.25)
    pytest.fail(f"{promql}: never held before the deadline; last answer {last}")


@pytest.fixture
def prometheus_and_limbod():
    assert os.path.exists(PROMETHEUS), "install Debian's prometheus (scripts/install-deps.sh --with-tests)"
    work = tempfile.mkdtemp(prefix="limbo-prom-")
    token_file = os.path.join(work, "metrics.token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    limbod = Server("--metrics-token-file", token_file).start()
    target = limbod.base.removeprefix("http://")
    with open(os.path.join(work, "prometheus.yml"), "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: limbo
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: {token_file}
    static_configs:
      - targets: ["{target}"]
""")
    port = free_port()
    prom = subprocess.Popen([PROMETHEUS, f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/data",
                             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "prometheus.log"), "w"))
    try:
        yield limbod, f"http://127.0.0.1:{port}"
    finally:
        prom.terminate()
        try:
            prom.wait(timeout=10)
        except subprocess.TimeoutExpired:
            prom.kill()
            prom.wait()
        limbod.stop()
        limbod.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def test_prometheus_scrapes_limbod_and_answers_queries(prometheus_and_limbod):
    limbod, prom = prometheus_and_limbod
    deadline = time.time() + 30
    c = limbod.bootstrap("acme")
    r = c.post("/acme/projects", {"name": "Cats", "type": "object-detection", "annotation": "a"})
    assert r.status == 201, r.body
    assert c.post("/acme/cats/upload", raw=png(5)).status in (200, 201)
    assert c.delete("/acme/cats").status == 200
    for _ in range(5):
        assert c.get("/acme/trash").status == 200
    trash_items = c.get("/acme/usage").body["trashItems"]
    assert trash_items == 1

    # The scrape works with the token (up == 1) and sees the traffic under the route template.
    wait_for(prom, 'up{job="limbo"}', lambda res: res and res[0]["value"][1] == "1", deadline)
    res = wait_for(prom, 'limbo_http_requests_total{route="/:ws/trash",method="GET",status="200"}',
                   lambda res: res and float(res[0]["value"][1]) == 5, deadline)
    assert res[0]["metric"]["job"] == "limbo"
    # No series carries a workspace name in its route label.
    assert query(prom, 'count(limbo_http_requests_total{route=~".*acme.*"})') == []
    # A Trash gauge equals the API's figure; the histogram is usable by PromQL.
    res = wait_for(prom, 'sum(limbo_trash_items{workspace="acme"})', lambda res: bool(res), deadline)
    assert float(res[0]["value"][1]) == trash_items
    res = wait_for(prom, 'limbo_trash_bytes{workspace="acme"}', lambda res: bool(res), deadline)
    assert float(res[0]["value"][1]) == c.get("/acme/usage").body["trashBytes"]
    wait_for(prom, 'histogram_quantile(0.99, sum by (le) (limbo_http_request_duration_seconds_bucket'
                   '{route="/:ws/trash"}))', lambda res: res and 0 < float(res[0]["value"][1]) <= 10, deadline)
    wait_for(prom, "limbo_build_info", lambda res: res and res[0]["metric"]["version"], deadline)
    # The cleanup-lag expression of docs/OPERATIONS.md's alert (without its threshold): the item is
    # due in 30 days, so the lag is about minus 30 days.
    res = wait_for(prom, "limbo_server_time_seconds - on (instance, job) group_right "
                         "limbo_trash_oldest_cleanup_timestamp_seconds", lambda res: bool(res), deadline)
    assert res[0]["metric"]["workspace"] == "acme"
    assert abs(float(res[0]["value"][1]) + 30 * 86400) < 120
