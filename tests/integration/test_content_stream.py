"""GET /:ws/images/:id/content streamed from the blob store, with Range (docs/API.md, "Image content").

Every range shape against the uploaded bytes, 416, If-None-Match and If-Range, HEAD; a 20 MiB image
downloaded whole and by ranges while limbod's peak resident memory (VmHWM) grows far less than the
image; a client that hangs up mid-download (the read of the blob stops and the server keeps serving);
on S3, the store failing after the headers were sent (a short body, a closed connection, the process
lives). Runs on both databases and, in the `.s3` entries, with the blobs in the tests' S3 server."""
import hashlib
import http.client
import os
import socket
import struct
import threading
import time
import urllib.parse

import pytest

from limbo_test_server import S3, Client, Server, png

BIG = 20 * 1024 * 1024


def bmp(width: int, height: int, seed: int) -> bytes:
    """A 24-bit BMP of pseudo-random pixels (incompressible, so the file is as large as its pixels)."""
    row = width * 3
    assert row % 4 == 0
    pixels = hashlib.shake_256(seed.to_bytes(8, "big")).digest(row * height)
    header = b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels


def big_image(seed: int = 1) -> bytes:
    data = bmp(4096, BIG // (4096 * 3) + 1, seed)
    assert len(data) > BIG
    return data


def status_of(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak(pid: int) -> None:
    """Sets limbod's VmHWM back to its current resident size (Linux's clear_refs, value 5)."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def fetch(base: str, key: str, path: str, headers: dict[str, str] | None = None,
          method: str = "GET") -> tuple[int, dict[str, str], str, int]:
    """Streams an answer: (status, headers, SHA-256 of the body, body length), never holding it whole."""
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    try:
        conn.request(method, path, headers={"Authorization": f"Bearer {key}", **(headers or {})})
        r = conn.getresponse()
        h = hashlib.sha256()
        n = 0
        while piece := r.read(1 << 20):
            h.update(piece)
            n += len(piece)
        return r.status, dict(r.getheaders()), h.hexdigest(), n
    finally:
        conn.close()


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


@pytest.fixture(scope="module")
def setup(server):
    c = server.bootstrap("stream", email="owner-stream@example.com")
    assert c.post("/stream/projects", {"name": "P", "type": "object-detection", "annotation": "x"}).status == 201
    small = png(7, w=40, h=30)
    r = c.post("/stream/p/upload?name=small.png", raw=small)
    assert r.status == 201, r.body
    return server, c, small, r.body["image"]


def test_ranges_of_every_shape_are_the_bytes_uploaded(setup):
    _, c, data, img = setup
    n = len(data)
    path = f"/stream/images/{img['id']}/content"
    whole = c.get(path)
    assert whole.status == 200 and sha(whole.raw) == img["sha256"] == sha(data)
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["ETag"] == f'"{img["sha256"]}"'
    assert whole.headers["Content-Length"] == str(n)
    assert whole.headers["Content-Type"] == "image/png"
    assert "Content-Range" not in whole.headers
    shapes = {
        "bytes=0-0": (0, 0),
        "bytes=0-99": (0, 99),
        "bytes=100-": (100, n - 1),
        f"bytes={n - 1}-": (n - 1, n - 1),
        "bytes=-100": (n - 100, n - 1),
        "bytes=-1": (n - 1, n - 1),
        f"bytes=-{n * 3}": (0, n - 1),
        f"bytes=50-{n + 500}": (50, n - 1),
        f"bytes=10-{n - 1}": (10, n - 1),
        "bytes=0-99999999999999999999999": (0, n - 1),
        "Bytes= 7-8": (7, 8),
    }
    for header, (first, last) in shapes.items():
        r = c.get(path, headers={"Range": header})
        assert r.status == 206, (header, r.status, r.body)
        assert r.raw == data[first:last + 1], header
        assert r.headers["Content-Range"] == f"bytes {first}-{last}/{n}", header
        assert r.headers["Content-Length"] == str(last - first + 1), header
        assert r.headers["Accept-Ranges"] == "bytes" and r.headers["ETag"] == f'"{img["sha256"]}"', header
        assert r.headers["Content-Type"] == "image/png", header  # the image's type, also for a middle slice
    # Pieces put together are the image.
    pieces = b"".join(c.get(path, headers={"Range": f"bytes={a}-{min(a + 99, n - 1)}"}).raw for a in range(0, n, 100))
    assert sha(pieces) == img["sha256"]


def test_an_unsatisfiable_range_is_416_with_the_size(setup):
    _, c, data, img = setup
    n = len(data)
    path = f"/stream/images/{img['id']}/content"
    for header in (f"bytes={n}-", f"bytes={n}-{n + 10}", "bytes=-0", "bytes=99999999999999999999-"):
        r = c.get(path, headers={"Range": header})
        assert r.status == 416, (header, r.status)
        assert r.code == "range_not_satisfiable" and r.body["error"]["message"], r.body
        assert r.headers["Content-Range"] == f"bytes */{n}"
        assert r.headers["Accept-Ranges"] == "bytes"


def test_malformed_and_multiple_ranges_get_the_whole_image(setup):
    _, c, data, img = setup
    path = f"/stream/images/{img['id']}/content"
    for header in ("bytes=5-4", "items=0-1", "bytes=0-1,4-5", "bytes=a-b", "bytes", "bytes=-", "bytes=1-2-3",
                   "bytes=0-1, 99999-"):
        r = c.get(path, headers={"Range": header})
        assert r.status == 200 and r.raw == data, (header, r.status)
        assert "Content-Range" not in r.headers


def test_conditional_requests(setup):
    _, c, data, img = setup
    path = f"/stream/images/{img['id']}/content"
    tag = f'"{img["sha256"]}"'
    for inm in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        r = c.get(path, headers={"If-None-Match": inm})
        assert r.status == 304 and r.raw == b"", (inm, r.status)
        assert r.headers["ETag"] == tag
    assert c.get(path, headers={"If-None-Match": '"other"'}).status == 200
    # If-Range: the range only while the tag still names these bytes.
    r = c.get(path, headers={"Range": "bytes=0-9", "If-Range": tag})
    assert r.status == 206 and r.raw == data[:10]
    r = c.get(path, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert r.status == 200 and r.raw == data
    r = c.get(path, headers={"Range": "bytes=0-9", "If-Range": f"W/{tag}"})  # a weak tag never matches If-Range
    assert r.status == 200 and r.raw == data


def test_head_answers_the_headers_of_the_get(setup):
    server, c, data, img = setup
    path = f"/stream/images/{img['id']}/content"
    status, headers, _, length = fetch(server.base, c.key, path, method="HEAD")
    assert status == 200 and length == 0
    assert headers["Content-Length"] == str(len(data)) and headers["Content-Type"] == "image/png"
    assert headers["Accept-Ranges"] == "bytes"
    status, headers, _, length = fetch(server.base, c.key, path, {"Range": "bytes=10-19"}, method="HEAD")
    assert status == 206 and length == 0
    assert headers["Content-Length"] == "10" and headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    # The connection stays usable after a HEAD (nothing of a body was sent on it).
    u = urllib.parse.urlsplit(server.base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    auth = {"Authorization": f"Bearer {c.key}"}
    conn.request("HEAD", path, headers=auth)
    r = conn.getresponse()
    assert r.status == 200 and r.read() == b""
    conn.request("GET", path, headers={**auth, "Range": "bytes=0-3"})
    r = conn.getresponse()
    assert r.status == 206 and r.read() == data[:4]
    conn.close()


def test_other_workspaces_and_unknown_images_answer_as_before(setup):
    server, c, _, img = setup
    other = server.bootstrap("stream-other", email="owner-stream-other@example.com")
    for headers in ({}, {"Range": "bytes=0-9"}, {"Range": "bytes=999999-"}, {"If-None-Match": "*"}):
        r = other.get(f"/stream-other/images/{img['id']}/content", headers=headers)
        assert r.status == 404 and r.code, (headers, r.status)
        r = other.get(f"/stream/images/{img['id']}/content", headers=headers)
        assert r.status in (403, 404) and r.code, (headers, r.status)
        r = c.get("/stream/images/i_nosuchimage/content", headers=headers)
        assert r.status == 404 and r.code, (headers, r.status)
        r = Client(server.base).get(f"/stream/images/{img['id']}/content", headers=headers)
        assert r.status == 401, (headers, r.status)


def test_a_20_mib_image_streams_with_bounded_memory(setup):
    server, c, _, _ = setup
    data = big_image(1)
    up = c.post("/stream/p/upload?name=big.bmp", raw=data)
    assert up.status == 201, up.body
    img = up.body["image"]
    path = f"/stream/images/{img['id']}/content"
    pid = server.proc.pid
    # Warm up (first-use allocations of a download), then measure from the resident size now.
    assert fetch(server.base, c.key, path, {"Range": "bytes=0-1048575"})[0] == 206
    reset_peak(pid)
    before = status_of(pid, "VmHWM")
    status, headers, digest, length = fetch(server.base, c.key, path)
    assert status == 200 and length == len(data) and digest == img["sha256"]
    assert headers["Content-Type"] == "image/bmp"
    # By ranges of 5 MiB, put together.
    h = hashlib.sha256()
    step = 5 * 1024 * 1024
    u = urllib.parse.urlsplit(server.base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    for first in range(0, len(data), step):
        last = min(first + step, len(data)) - 1
        conn.request("GET", path, headers={"Authorization": f"Bearer {c.key}", "Range": f"bytes={first}-{last}"})
        r = conn.getresponse()
        assert r.status == 206 and r.getheader("Content-Range") == f"bytes {first}-{last}/{len(data)}"
        body = r.read()
        assert len(body) == last - first + 1
        h.update(body)
    conn.close()
    assert h.hexdigest() == img["sha256"]
    # Three at once.
    results: list[tuple] = []
    threads = [threading.Thread(target=lambda: results.append(fetch(server.base, c.key, path))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r[2] for r in results] == [img["sha256"]] * 3
    growth_kib = status_of(pid, "VmHWM") - before
    print(f"limbod peak RSS growth over 5 downloads of {len(data)} bytes: {growth_kib} KiB")
    assert growth_kib < 8 * 1024, f"peak RSS grew by {growth_kib} KiB while serving a {len(data) >> 20} MiB image"


def test_a_client_that_hangs_up_mid_download_stops_the_read(setup):
    server, c, _, _ = setup
    data = big_image(2)
    up = c.post("/stream/p/upload?name=big2.bmp", raw=data)
    assert up.status == 201, up.body
    img = up.body["image"]
    path = f"/stream/images/{img['id']}/content"
    pid = server.proc.pid
    threads_before = status_of(pid, "Threads")
    cuts_before = sum("download_cut" in line and "client_gone" in line for line in server.log)
    u = urllib.parse.urlsplit(server.base)
    for _ in range(3):
        s = socket.create_connection((u.hostname, u.port), timeout=30)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {c.key}\r\n\r\n".encode())
        got = b""
        while len(got) < 256 * 1024:
            piece = s.recv(65536)
            assert piece
            got += piece
        assert got.startswith(b"HTTP/1.1 200")
        s.close()  # with bytes unread: the kernel resets the connection
    deadline = time.time() + 15
    while time.time() < deadline:
        cuts = sum("download_cut" in line and "client_gone" in line for line in server.log)
        if cuts - cuts_before >= 3 and status_of(pid, "Threads") <= threads_before:
            break
        time.sleep(0.1)
    assert cuts - cuts_before >= 3, server.log[-20:]
    # The reads stopped: no thread is left reading the object (S3's transfers were aborted).
    assert status_of(pid, "Threads") <= threads_before
    assert server.proc.poll() is None
    status, _, digest, _ = fetch(server.base, c.key, path)
    assert status == 200 and digest == img["sha256"]


@pytest.mark.skipif(not S3, reason="needs the tests' S3 server (LIMBO_TEST_S3_DIR)")
def test_a_store_that_fails_mid_download_closes_the_connection(tmp_path):
    from test_blob_store import Relay

    endpoint = urllib.parse.urlsplit(S3["LIMBO_TEST_S3_ENDPOINT"])
    relay = Relay((endpoint.hostname, endpoint.port)).start()
    blobs = (f"s3://{S3['LIMBO_TEST_S3_BUCKET']}/midway-{os.getpid()}-{tmp_path.name}"
             f"?endpoint=http://127.0.0.1:{relay.port}")
    s = Server(data=str(tmp_path), blobs=blobs).start()
    try:
        c = s.bootstrap("acme")
        assert c.post("/acme/projects", {"name": "P", "type": "object-detection", "annotation": "x"}).status == 201
        data = big_image(3)
        up = c.post("/acme/p/upload?name=big.bmp", raw=data)
        assert up.status == 201, up.body
        path = f"/acme/images/{up.body['image']['id']}/content"
        u = urllib.parse.urlsplit(s.base)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        conn.connect()
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)  # little in flight to us
        conn.request("GET", path, headers={"Authorization": f"Bearer {c.key}"})
        r = conn.getresponse()
        assert r.status == 200 and r.getheader("Content-Length") == str(len(data))
        first = r.read(64 * 1024)
        relay.cut()  # the store goes away with the headers sent
        got = len(first)
        try:
            while piece := r.read(1 << 20):  # b"" once the server closed the connection
                got += len(piece)
        except (http.client.IncompleteRead, ConnectionError):
            pass
        conn.close()
        assert got < len(data), "the whole body arrived"
        deadline = time.time() + 15
        while time.time() < deadline and not any("download_cut" in line and "source_failed" in line for line in s.log):
            time.sleep(0.1)
        assert any("download_cut" in line and "source_failed" in line for line in s.log), s.log[-20:]
        assert any("blob_read_failed" in line for line in s.log)
        assert s.proc.poll() is None
        assert Client(s.base).get("/healthz").status == 200
        # Before the first byte, the same failure is a 503 as before.
        again = c.get(path)
        assert again.status == 503 and again.code == "blob_store_unavailable", (again.status, again.body)
        relay.start()
        status, _, digest, _ = fetch(s.base, c.key, path)
        assert status == 200 and digest == up.body["image"]["sha256"]
    finally:
        s.stop()
        s.cleanup()
        relay.cut()
