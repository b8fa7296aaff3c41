"""The HTTP server under hostile input and load: over-limit trailers and headers, bad Content-Length
values, descriptor exhaustion, and bodies that are never read before the caller is known to be
allowed to send them. Each test talks raw HTTP over a socket so that it controls every byte."""
import hashlib
import json
import os
import socket
import threading
import time
import urllib.parse

import pytest

from limbo_test_server import Server, png

MIB = 1024 * 1024


def port_of(server):
    return urllib.parse.urlsplit(server.base).port


def exchange(port, data, timeout=10.0, read_timeout=None):
    """Sends `data`, then reads until the server closes (or the read times out). Returns the bytes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.settimeout(read_timeout or timeout)
    try:
        s.sendall(data)
    except OSError:
        pass  # the server may answer and close before taking everything
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out and _complete(out):
                break
    except OSError:
        pass
    s.close()
    return out


def _complete(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            return len(body) >= int(v.strip())
    return False


def parse(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines and lines[0].startswith("HTTP/1.1 "), raw[:200]
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, json.loads(body) if body else None


def alive(server):
    assert server.proc.poll() is None, "limbod exited:\n" + "".join(server.log[-20:])
    status, _, body = parse(exchange(port_of(server), b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
    assert status == 200 and body["status"] == "ok"


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(field)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_trailer_over_64_kib_is_431_and_the_server_survives(server):
    """Item 1: a >64 KiB chunked-trailer field made Beast throw outside any handler and abort limbod."""
    port = port_of(server)
    # The reproducer as filed (POST /healthz), then on a route that takes a body.
    for path in (b"/healthz", b"/app/api/login"):
        raw = exchange(port, b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"0\r\nX: " + b"a" * 70000 + b"\r\n\r\n")
        alive(server)
        status, headers, body = parse(raw)
        assert status in (405, 431), raw[:300]
        assert headers.get("x-content-type-options") == "nosniff" and "error" in body
    status, headers, body = parse(raw)
    assert status == 431 and body["error"]["code"] == "headers_too_large"
    assert headers.get("connection") == "close"
    # Many small trailer fields add up to the same limit; a header field over the limit likewise.
    many = b"".join(b"T%d: vvvvvvvv\r\n" % i for i in range(3000))
    raw = exchange(port, b"POST /app/api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"2\r\n{}\r\n0\r\n" + many + b"\r\n")
    assert parse(raw)[0] == 431
    raw = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 70000 + b"\r\n\r\n")
    assert parse(raw)[0] == 431
    # A small trailer is fine, and its fields never reach the API (no credentials from a trailer).
    raw = exchange(port, b"POST /app/api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-T: 1\r\n\r\n")
    assert parse(raw)[0] == 400 and parse(raw)[2]["error"]["code"] == "invalid_request"
    alive(server)


@pytest.mark.parametrize("lengths", [["18446744073709551616"], ["-1"], ["12abc"], ["1", "2"], ["3, 4"]])
def test_bad_content_length_is_a_json_400(server, lengths):
    """Item 13: a Content-Length of 2^64, -1, text or two different values closed without an answer."""
    head = b"POST /app/api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += b"".join(b"Content-Length: " + v.encode() + b"\r\n" for v in lengths)
    raw = exchange(server and port_of(server), head + b"\r\n{}")
    status, headers, body = parse(raw)
    assert status == 400 and body["error"]["code"] == "invalid_request" and body["error"]["message"]
    assert headers.get("x-content-type-options") == "nosniff" and headers.get("connection") == "close"
    # Other malformed requests get the same kind of answer.
    status, _, body = parse(exchange(port_of(server), b"GET / HTTP/9.9\r\n\r\n"))
    assert status == 400 and body["error"]["code"] == "invalid_request"
    alive(server)


@pytest.mark.parametrize("extra,event", [([], "connection_cap"), (["--max-connections", "5000"], "accept_failed")])
def test_idle_connections_cannot_starve_the_server(extra, event):
    """Item 4: 1 100 idle connections at a 1 024 descriptor limit made every request time out while
    the accept loop spun on EMFILE. Here: a 256 limit and 400 idle connections, with the default cap
    (derived from the limit) and with a cap above the limit (so that accept meets EMFILE)."""
    s = Server(*extra, prefix=["prlimit", "--nofile=256:256", "--"]).start()
    idle = []
    try:
        port = port_of(s)
        for _ in range(400):
            try:
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError:
                break
        # Let the server take all it can; then half of them send the start of a header and stall.
        time.sleep(1.0)
        for c in idle[::2]:
            try:
                c.sendall(b"GET /healthz HTTP/1.1\r\n")
            except OSError:
                pass
        before = cpu_seconds(s.proc.pid)
        t0 = time.monotonic()
        time.sleep(2.0)
        cpu = (cpu_seconds(s.proc.pid) - before) / (time.monotonic() - t0)
        assert cpu < 0.2, f"limbod used {cpu:.0%} of a core with only idle connections"
        for _ in range(5):
            t0 = time.monotonic()
            status, _, body = parse(exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                             timeout=5))
            assert status == 200 and body["status"] == "ok"
            assert time.monotonic() - t0 < 2.0
        assert any(f'"event":"{event}"' in line for line in s.log), "".join(s.log[-5:])
        assert sum(f'"event":"{event}"' in line for line in s.log) <= 2  # once per interval, not per failure
        assert s.proc.poll() is None
    finally:
        for c in idle:
            c.close()
        s.stop()
        s.cleanup()


def _closed_after(sock, t0):
    """Seconds from t0 until the server closed `sock` (EOF or reset)."""
    try:
        while sock.recv(100):
            pass
    except OSError:
        pass
    return time.monotonic() - t0


def test_a_stalled_header_is_dropped_after_10_seconds(server):
    """Item 4: a connection that sends nothing, or a header byte by byte, was kept for 60 s."""
    port = port_of(server)
    t0 = time.monotonic()
    quiet = socket.create_connection(("127.0.0.1", port), timeout=30)
    drip = socket.create_connection(("127.0.0.1", port), timeout=30)

    def trickle():
        for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 40:
            try:
                drip.sendall(bytes([b]))
            except OSError:
                return
            time.sleep(0.25)  # each byte well within any per-read timeout; the header as a whole is not

    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    assert 9 < _closed_after(quiet, t0) < 13
    assert 9 < _closed_after(drip, t0) < 13
    quiet.close()
    drip.close()
    alive(server)


def make_project(c, ws, name):
    r = c.post(f"/{ws}/projects", {"name": name, "type": "object-detection", "annotation": "x"})
    assert r.status == 201, r.body
    return r.body["url"]


def _send_body(port, head, total, results, i):
    """Sends `head` then `total` bytes of body in 1 MiB pieces, then reads the answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    piece = b"\0" * MIB
    try:
        s.sendall(head)
        for _ in range(total // MIB):
            s.sendall(piece)
    except OSError:
        pass
    out = b""
    try:
        while b"\r\n\r\n" not in out or not _complete(out):
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    s.close()
    results[i] = out


def test_unauthenticated_bodies_are_not_read(server, ws):
    """Item 5: bodies were buffered whole before credentials were checked (40 unauthenticated uploads
    took RSS from 14 MB to 1.3 GB). Without credentials a 32 MiB upload is refused after its header."""
    name, c = ws
    project = make_project(c, name, "Unread")
    port = port_of(server)
    pid = server.proc.pid
    # Answered at once, before any of the announced body arrives.
    for creds in (b"", b"Authorization: Bearer not-a-key\r\n", b"Cookie: limbo_session=nope\r\n"):
        raw = exchange(port, f"POST /{name}/{project}/upload HTTP/1.1\r\nHost: x\r\n".encode() + creds +
                       f"Content-Type: image/png\r\nContent-Length: {32 * MIB}\r\n\r\n".encode(), read_timeout=3)
        status, headers, body = parse(raw)
        assert status == 401 and body["error"]["code"] == "unauthorized", raw[:300]
        assert headers.get("x-content-type-options") == "nosniff"
    # A client that waits for "100 Continue" gets the refusal instead; with valid credentials, the go-ahead.
    expect = f"POST /{name}/{project}/upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n" \
             f"Content-Length: {32 * MIB}\r\n"
    assert parse(exchange(port, (expect + "\r\n").encode(), read_timeout=3))[0] == 401
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    s.sendall((expect + f"Authorization: Bearer {c.key}\r\n\r\n").encode())
    assert s.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
    s.close()
    base = rss_kib(pid)
    n = 10
    results = [None] * n
    head = f"POST /{name}/{project}/upload HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n" \
           f"Content-Length: {32 * MIB}\r\n\r\n".encode()
    chunked = f"POST /{name}/{project}/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" \
              f"{32 * MIB:x}\r\n".encode()
    threads = [threading.Thread(target=_send_body, args=(port, head if i % 2 else chunked, 32 * MIB, results, i))
               for i in range(n)]
    peak = base
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss_kib(pid))
        time.sleep(0.02)
    for t in threads:
        t.join()
    for raw in results:
        status, _, body = parse(raw)
        assert status in (401, 413), raw[:300]
    assert peak - base < 48 * 1024, f"RSS grew by {(peak - base) // 1024} MiB for unauthenticated bodies"
    alive(server)


def test_only_the_upload_route_gets_the_upload_limit(server, ws):
    """Item 5: any path ending in /upload got the 32 MiB limit. Now the router decides: an unknown
    /…/upload path is answered at once, and a JSON route keeps its limit."""
    name, c = ws
    port = port_of(server)
    auth = f"Authorization: Bearer {c.key}\r\n".encode()
    for path in ("/foo/upload", f"/{name}/a/b/upload", "/app/api/upload"):
        raw = exchange(port, f"POST {path} HTTP/1.1\r\nHost: x\r\n".encode() + auth +
                       f"Content-Length: {8 * MIB}\r\n\r\n".encode(), read_timeout=3)
        status, _, body = parse(raw)
        assert status in (404, 405), raw[:300]
    # Without credentials a body over 64 KiB is refused; a small one may carry "api_key" (as before).
    raw = exchange(port, f"POST /{name}/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {100 * 1024}\r\n\r\n".encode(), read_timeout=3)
    assert parse(raw)[0] in (401, 413)
    body = json.dumps({"api_key": c.key, "name": "Via Body", "type": "object-detection", "annotation": "x"}).encode()
    raw = exchange(port, f"POST /{name}/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    assert parse(raw)[0] == 201
    # With credentials, a JSON route still takes at most 1 MiB.
    raw = exchange(port, f"POST /{name}/projects HTTP/1.1\r\nHost: x\r\n".encode() + auth +
                   f"Content-Length: {2 * MIB}\r\n\r\n".encode(), read_timeout=3)
    assert parse(raw)[0] == 413


def big_png(size):
    """A valid PNG of about `size` bytes: a tiny image with a large private ancillary chunk."""
    base = png(7, 4, 3)
    import struct
    import zlib
    payload = os.urandom(size)
    chunk = struct.pack(">I", len(payload)) + b"prVt" + payload
    chunk += struct.pack(">I", zlib.crc32(b"prVt" + payload) & 0xFFFFFFFF)
    return base[:33] + chunk + base[33:]  # after the signature and IHDR


def test_authenticated_large_upload_streams_to_disk(server, ws):
    """Item 5: an authenticated upload is streamed to DATA/tmp and hashed on the way; the stored blob
    is that file and its SHA-256 matches. The body never sits in memory."""
    name, c = ws
    project = make_project(c, name, "Large")
    pid = server.proc.pid
    data = big_png(24 * MIB)
    sha = hashlib.sha256(data).hexdigest()
    base = rss_kib(pid)
    peak = [base]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.01)

    t = threading.Thread(target=sample)
    t.start()
    try:
        r = c.post(f"/{name}/{project}/upload?name=large.png", raw=data, headers={"Content-Type": "image/png"})
    finally:
        stop.set()
        t.join()
    assert r.status == 201, r.body
    assert r.body["image"]["sha256"] == sha and r.body["image"]["width"] == 4 and r.body["image"]["sizeBytes"] == len(data)
    assert peak[0] - base < 12 * 1024, f"RSS grew by {(peak[0] - base) // 1024} MiB for a 24 MiB upload"
    blob = os.path.join(server.data, "blobs", sha[:2], sha[2:4], sha)
    with open(blob, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == sha
    got = c.get(r.body["image"]["id"] and f"/{name}/images/{r.body['image']['id']}/content")
    assert got.status == 200 and hashlib.sha256(got.raw).hexdigest() == sha

    # Multipart: the part is taken out of the streamed body, hashed, and stored.
    data2 = big_png(3 * MIB)
    boundary = "----limbo-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + data2 + f"\r\n--{boundary}--\r\n".encode()
    r = c.post(f"/{name}/{project}/upload", raw=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status == 201 and r.body["image"]["sha256"] == hashlib.sha256(data2).hexdigest()
    assert r.body["image"]["name"] == "m.png"

    # Refused uploads and cut-off bodies leave nothing behind in DATA/tmp.
    assert c.post(f"/{name}/{project}/upload", raw=b"GIF89a" + b"\0" * MIB).status == 415
    port = port_of(server)
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"POST /{name}/{project}/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {c.key}\r\n"
              f"Content-Length: {4 * MIB}\r\n\r\n".encode() + b"\0" * MIB)
    deadline = time.monotonic() + 5
    while not os.listdir(os.path.join(server.data, "tmp")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(os.listdir(os.path.join(server.data, "tmp"))) == 1  # the body on its way
    s.close()
    deadline = time.monotonic() + 5
    while os.listdir(os.path.join(server.data, "tmp")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.listdir(os.path.join(server.data, "tmp")) == []
    assert server.fsck()["clean"]


def test_stale_upload_files_are_removed_at_start():
    """Item 5: a body file that a crash left in DATA/tmp is removed when limbod starts."""
    s = Server()
    os.makedirs(os.path.join(s.data, "tmp"))
    stale = os.path.join(s.data, "tmp", "upload-leftover")
    with open(stale, "wb") as f:
        f.write(b"x" * 1000)
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    s.start()
    try:
        assert not os.path.exists(stale)
    finally:
        s.stop()
        s.cleanup()
