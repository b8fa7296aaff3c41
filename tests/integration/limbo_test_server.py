"""Starts a real limbod for tests and talks to it over HTTP (standard library only)."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass, field
from typing import Any

LIMBOD = os.environ.get("LIMBOD", os.path.join(os.path.dirname(__file__), "../../build/src/app/limbod"))
PASSWORD = "correct horse battery"
# When set (postgresql://...), servers keep their metadata in PostgreSQL: each data folder gets a
# database of its own on that server, created through this URL's role (which may CREATE DATABASE).
TEST_DB = os.environ.get("LIMBO_TEST_DB", "")
# When set (the folder of scripts/s3-server.sh), servers keep their blobs and model files in that S3
# server's bucket, each data folder under a prefix of its own; its credentials go to the environment
# every limbod inherits (AWS_*), as an operator's would.
S3_DIR = os.environ.get("LIMBO_TEST_S3_DIR", "")
S3: dict[str, str] = {}
if S3_DIR:
    with open(os.path.join(S3_DIR, "env")) as f:
        S3 = dict(line.strip().split("=", 1) for line in f if "=" in line)
    os.environ.update({k: v for k, v in S3.items() if k.startswith("AWS_")})


def blobs_url(data: str) -> str:
    """The --blobs URL of a data folder: "" (its own blobs folder) unless the tests run on S3."""
    if not S3:
        return ""
    prefix = "t-" + hashlib.sha1(os.path.realpath(data).encode()).hexdigest()[:16]
    return f"s3://{S3['LIMBO_TEST_S3_BUCKET']}/{prefix}?endpoint={S3['LIMBO_TEST_S3_ENDPOINT']}"


def blob_names(data: str, blobs: str | None = None) -> list[str]:
    """The names of the blobs a data folder's server keeps (files under DATA/blobs, or objects), sorted."""
    url = blobs if blobs is not None else blobs_url(data)
    if not url:
        return sorted(f for _, _, files in os.walk(os.path.join(data, "blobs")) for f in files
                      if not f.startswith("."))
    out = subprocess.run([LIMBOD, "blobs", "list", "--data", data, "--blobs", url], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("limbod blobs list failed: " + out.stderr)
    return sorted(out.stdout.split())


def _psql(url: str, sql: str) -> str:
    out = subprocess.run(["psql", url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()}")
    return out.stdout.strip()


def database_url(data: str) -> str:
    """The URL of the PostgreSQL database that belongs to a data folder (which may not exist yet)."""
    name = "limbo_" + hashlib.sha1(os.path.realpath(data).encode()).hexdigest()[:20]
    return urllib.parse.urlsplit(TEST_DB)._replace(path="/" + name).geturl()


def database_for(data: str) -> str:
    """The URL of the PostgreSQL database that belongs to a data folder, created when missing."""
    url = database_url(data)
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if _psql(TEST_DB, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        _psql(TEST_DB, f'CREATE DATABASE "{name}"')
    return url


def drop_database(url: str) -> None:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    _psql(TEST_DB, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str) -> str:
    """Runs one SQL statement on a test database and returns psql's unaligned output."""
    return _psql(url, sql)


def wait_for(what: str, predicate, timeout: float = 60.0, every: float = 0.02):
    """Polls predicate() until it returns something true, and returns that; fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def png(seed: int, w: int = 6, h: int = 5) -> bytes:
    """A small valid PNG whose bytes differ for every seed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(_rows(seed, w, h))) + chunk(b"IEND", b"")


def _rows(seed: int, w: int, h: int) -> bytes:
    out = bytearray()
    for y in range(h):
        out.append(0)
        for x in range(w * 3):
            out.append((seed * 131 + y * 17 + x * 7) % 256)
    out[1:5] = struct.pack(">I", seed)
    return bytes(out)


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""

    @property
    def code(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return self.body["error"].get("code")
        return None


class Client:
    """One caller: an API key, or a browser-like session (cookie + CSRF token)."""

    def __init__(self, base: str, key: str | None = None):
        self.base = base
        self.key = key
        self.cookie: str | None = None
        self.csrf: str | None = None

    def request(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
                headers: dict[str, str] | None = None, csrf: bool = True) -> Reply:
        h = dict(headers or {})
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body).encode() if not isinstance(body, (bytes, str)) else (
                body.encode() if isinstance(body, str) else body)
            h.setdefault("Content-Type", "application/json")
        if self.key:
            h.setdefault("Authorization", f"Bearer {self.key}")
        if self.cookie:
            h["Cookie"] = self.cookie
            if csrf and self.csrf and method not in ("GET", "HEAD"):
                h["X-CSRF-Token"] = self.csrf
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                payload = r.read()
                status, hdrs = r.status, dict(r.headers)
        except urllib.error.HTTPError as e:
            payload = e.read()
            status, hdrs = e.code, dict(e.headers)
        try:
            parsed = json.loads(payload) if payload and hdrs.get("Content-Type", "").startswith("application/json") else None
        except ValueError:
            parsed = None
        return Reply(status, parsed, hdrs, payload)

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw) -> Reply:
        return self.request("POST", path, body if body is not None else {}, **kw)

    def patch(self, path: str, body: Any, **kw) -> Reply:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, body: Any = None, **kw) -> Reply:
        return self.request("DELETE", path, body, **kw)

    def login(self, email: str, password: str = PASSWORD) -> Reply:
        r = self.post("/app/api/login", {"email": email, "password": password})
        if r.status == 200:
            cookie = r.headers.get("Set-Cookie", "")
            self.cookie = cookie.split(";")[0]
            self.csrf = r.body["csrfToken"]
        return r


def invite(session: Client, ws: str, email: str, role: str = "member") -> str:
    """Invites `email` as a signed-in user would in the web app; returns the link's token."""
    r = session.post(f"/{ws}/members", {"email": email, "role": role})
    assert r.status == 201 and "inviteUrl" in r.body, r.body
    return r.body["inviteUrl"].rsplit("/", 1)[1]


def accept(base: str, token: str, client: Client | None = None, **fields: str) -> tuple[Client, Reply]:
    """Accepts an invitation on the invite page (`name` and `password` for a new account, the
    existing password otherwise); the client is signed in afterwards when it worked."""
    c = client or Client(base)
    r = c.post("/app/api/invitations/accept", {"token": token, **fields})
    if r.status == 200 and "Set-Cookie" in r.headers:
        c.cookie = r.headers["Set-Cookie"].split(";")[0]
        c.csrf = r.body["csrfToken"]
    return c, r


class Server:
    """A limbod process on a free loopback port with its own data folder (and, when LIMBO_TEST_DB
    is set, its own PostgreSQL database; pass `db` to share one between servers)."""

    def __init__(self, *extra: str, data: str | None = None, db: str | None = None,
                 env: dict[str, str] | None = None, prefix: list[str] | None = None, blobs: str | None = None):
        self.data = data or tempfile.mkdtemp(prefix="limbo-it-")
        # --blobs: the data folder's own (blobs_url), or another server's to share its store.
        self.blobs = blobs if blobs is not None else blobs_url(self.data)
        self.extra = list(extra)
        self.prefix = list(prefix or [])  # e.g. ["prlimit", "--nofile=256:256", "--"] (it execs limbod)
        self.env = {**os.environ, **env} if env else None
        self.db = db if db is not None else (database_for(self.data) if TEST_DB else "")
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self.log: list[str] = []
        self._drainer: threading.Thread | None = None

    def _storage(self) -> list[str]:
        return (["--data", self.data] + (["--db", self.db] if self.db else []) +
                (["--blobs", self.blobs] if self.blobs else []))

    def start(self) -> "Server":
        args = [*self.prefix, LIMBOD, "serve", *self._storage(), "--listen", "127.0.0.1:0", "--dev-clock",
                "--demo-train-seconds", "5", *self.extra]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            m = re.search(r"listening on (http://\S+)", line)
            if m:
                self.base = m.group(1)
                break
        else:
            raise RuntimeError("limbod exited: " + (self.proc.stderr.read() if self.proc.stderr else ""))
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()
        return self

    def _drain(self) -> None:
        assert self.proc and self.proc.stderr
        for line in self.proc.stderr:
            self.log.append(line)

    def bootstrap(self, workspace: str, email: str = "owner@example.com", password: str = PASSWORD) -> Client:
        out = subprocess.run([LIMBOD, "bootstrap", *self._storage(), "--workspace", workspace, "--email", email,
                              "--password", password], capture_output=True, text=True, check=True)
        return Client(self.base, json.loads(out.stdout)["apiKey"])

    def member_add(self, workspace: str, email: str, role: str = "member", password: str = PASSWORD,
                   name: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """`limbod member add`: adds a member directly, as an operator with access to the data would
        (the API only invites). Returns the process; its stdout is one JSON line."""
        args = [LIMBOD, "member", "add", *self._storage(), "--workspace", workspace, "--email", email,
                "--password", password, "--role", role] + (["--name", name] if name else [])
        return subprocess.run(args, capture_output=True, text=True, check=check)

    def fsck(self, repair: bool = False) -> dict:
        args = [LIMBOD, "fsck", *self._storage()] + (["--repair"] if repair else [])
        out = subprocess.run(args, capture_output=True, text=True)
        return json.loads(out.stdout)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            code = self.proc.wait(timeout=30)
            if self._drainer:
                self._drainer.join(timeout=5)  # the last log lines, written just before exit
            return code
        return self.proc.returncode if self.proc else 0

    def cleanup(self) -> None:
        self.kill()
        shutil.rmtree(self.data, ignore_errors=True)
        if self.db:
            drop_database(self.db)


class Relay:
    """Forwards loopback connections on its own port to the S3 server until cut. With `delay`
    (seconds), each piece a client sends waits that long first: a store at a distance."""

    def __init__(self, target: tuple[str, int], delay: float = 0.0):
        self.target = target
        self.delay = delay
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> "Relay":
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.conns += [client, upstream]
            for a, b, delay in ((client, upstream, self.delay), (upstream, client, 0.0)):
                threading.Thread(target=self._pump, args=(a, b, delay), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, delay: float) -> None:
        try:
            while data := src.recv(65536):
                if delay:
                    time.sleep(delay)
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        """Nothing listens on the port any more, and open connections are reset."""
        assert self.listener
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone does not)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for c in self.conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()
            self.conns = []
