"""Fixtures that run a real limbod for the SDK tests.

``LIMBOD`` names the server binary. Each server gets a fresh data directory, a workspace
``acme`` bootstrapped with an owner, ``--dev-clock`` (so tests move time with
``POST /_dev/clock``) and a 5-second demo trainer. With ``LIMBO_TEST_DB`` set (postgresql://...),
each server keeps its metadata in a PostgreSQL database of its own, dropped when the server stops.
Tests that need no server run without it.
"""

from __future__ import annotations

import json
import os
import queue
import re
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
import zlib
from typing import Any, Dict, List, Optional, Tuple

import pytest

SDK_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "sdk", "python"))
sys.path.insert(0, SDK_DIR)

import limbo  # noqa: E402

# The integration tests' harness knows how to give a data folder its own PostgreSQL database.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "integration")))
from limbo_test_server import TEST_DB, database_for, drop_database  # noqa: E402

WORKSPACE = "acme"
OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "correct horse battery"
LISTENING = re.compile(r"listening on (http://\S+)")
START_TIMEOUT_SECONDS = 30


class Server:
    """A running limbod and the raw HTTP calls tests make outside the SDK."""

    def __init__(self, limbod: str, proc: subprocess.Popen, url: str, api_key: str, data_dir: str, db: str,
                 log: List[str]):
        self.limbod = limbod
        self.proc = proc
        self.url = url
        self.api_key = api_key
        self.data_dir = data_dir
        self.db = db
        self.log = log

    def api(
        self,
        method: str,
        path: str,
        body: Any = None,
        key: Optional[str] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> Tuple[int, Any, Dict[str, str]]:
        """One raw request; returns (status, decoded JSON or None, response headers)."""
        hdrs = {"Accept": "application/json"}
        if key is not False:
            hdrs["Authorization"] = f"Bearer {key or self.api_key}"
        hdrs.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data, headers=hdrs, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, raw, resp_headers = resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as err:
            status, raw, resp_headers = err.code, err.read(), dict(err.headers)
        try:
            payload = json.loads(raw) if raw.strip() else None
        except ValueError:
            payload = None
        return status, payload, resp_headers

    def advance(self, seconds: float) -> None:
        """Moves the server's clock forward (and lets its sweep run) with the raw API."""
        status, payload, _ = self.api("POST", "/_dev/clock", {"advanceSeconds": seconds})
        assert status == 200, (status, payload)

    def client(self, api_key: Optional[str] = None) -> limbo.Limbo:
        return limbo.Limbo(api_key=api_key or self.api_key, api_url=self.url, timeout=30, backoff=0.05)

    def bootstrap(self, workspace: str) -> str:
        """Creates another workspace for the same owner while the server runs; returns its key."""
        return _bootstrap(self.limbod, self.data_dir, self.db, workspace)["apiKey"]

    def member_key(self, role: str = "member") -> str:
        """Adds a member with ``role`` and returns an API key of theirs (made in a web session)."""
        email = f"m-{uuid.uuid4().hex[:8]}@example.com"
        password = "another long passphrase"
        # The API only invites (SPEC T17); members with a password come from `limbod member add`.
        added = subprocess.run(
            [self.limbod, "member", "add", *_storage(self.data_dir, self.db), "--workspace", WORKSPACE,
             "--email", email, "--name", "Member", "--password", password, "--role", role],
            capture_output=True, text=True, timeout=60,
        )
        assert added.returncode == 0, f"member add failed: {added.stdout}{added.stderr}"
        status, payload, headers = self.api(
            "POST", "/app/api/login", {"email": email, "password": password}, key=False
        )
        assert status == 200, (status, payload)
        cookie = next(v for k, v in headers.items() if k.lower() == "set-cookie").split(";")[0]
        status, payload, _ = self.api(
            "POST", f"/{WORKSPACE}/api-keys", {"name": "member key"}, key=False,
            headers={"Cookie": cookie, "X-CSRF-Token": payload["csrfToken"]},
        )
        assert status == 201, (status, payload)
        return payload["key"]


def _storage(data_dir: str, db: str) -> List[str]:
    """The arguments that point a limbod command at a data folder and, if any, its database."""
    return ["--data", data_dir] + (["--db", db] if db else [])


def _bootstrap(limbod: str, data_dir: str, db: str, workspace: str) -> Dict[str, str]:
    boot = subprocess.run(
        [limbod, "bootstrap", *_storage(data_dir, db), "--workspace", workspace,
         "--email", OWNER_EMAIL, "--password", OWNER_PASSWORD],
        capture_output=True, text=True, timeout=60,
    )
    assert boot.returncode == 0, f"bootstrap failed: {boot.stdout}{boot.stderr}"
    line = next(l for l in boot.stdout.splitlines() if l.strip().startswith("{"))
    info = json.loads(line)
    assert info["workspace"] == workspace and info["email"] == OWNER_EMAIL and info["apiKey"]
    return info


def _start_server(limbod: str, data_dir: str) -> Server:
    db = database_for(data_dir) if TEST_DB else ""
    try:
        return _serve(limbod, data_dir, db)
    except BaseException:
        if db:
            drop_database(db)
        raise


def _serve(limbod: str, data_dir: str, db: str) -> Server:
    info = _bootstrap(limbod, data_dir, db, WORKSPACE)

    proc = subprocess.Popen(
        [limbod, "serve", *_storage(data_dir, db), "--listen", "127.0.0.1:0",
         "--dev-clock", "--demo-train-seconds", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    log: List[str] = []
    lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def drain() -> None:
        # Keeps reading so a chatty server never blocks on a full pipe.
        for out in proc.stdout:
            log.append(out)
            lines.put(out)
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        remaining = deadline - time.monotonic()
        try:
            out = lines.get(timeout=max(remaining, 0.01))
        except queue.Empty:
            out = None
        if out is None:
            proc.kill()
            raise AssertionError("limbod did not announce where it listens:\n" + "".join(log))
        match = LISTENING.search(out)
        if match:
            if db and os.path.exists(os.path.join(data_dir, "limbo.db")):
                proc.kill()
                raise AssertionError("limbod made a SQLite database despite --db")
            return Server(limbod, proc, match.group(1).rstrip("/"), info["apiKey"], data_dir, db, log)


def _stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()
    if server.db:
        drop_database(server.db)


def _limbod() -> str:
    path = os.environ.get("LIMBOD")
    if not path:
        pytest.skip("LIMBOD is not set: these tests need a limbod binary")
    return path


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    """A limbod shared by the tests of the session (each test uses its own names)."""
    srv = _start_server(_limbod(), str(tmp_path_factory.mktemp("limbo-data")))
    yield srv
    _stop_server(srv)


@pytest.fixture
def fresh_server(tmp_path) -> Server:
    """A limbod of the test's own, for tests that move time far or change workspace settings."""
    srv = _start_server(_limbod(), str(tmp_path / "data"))
    yield srv
    _stop_server(srv)


@pytest.fixture(scope="session")
def lb(server) -> limbo.Limbo:
    return server.client()


@pytest.fixture
def ws(lb) -> limbo.Workspace:
    return lb.workspace(WORKSPACE)


@pytest.fixture
def slug() -> str:
    """A url no other test uses."""
    return "t-" + uuid.uuid4().hex[:10]


def png_bytes(seed: int = 0, size: int = 4) -> bytes:
    """A small valid PNG whose pixels (and so its SHA-256) depend on ``seed``."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    r, g, b = (seed >> 16) & 255, (seed >> 8) & 255, seed & 255
    row = b"\x00" + bytes([r, g, b]) * size
    raw = row * size
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def unique_png() -> bytes:
    return png_bytes(seed=uuid.uuid4().int & 0xFFFFFF, size=3 + (uuid.uuid4().int % 5))
