"""Fixtures for running the `limbo` binary against a real `limbod`.

LIMBOD and LIMBO name the two binaries (CTest sets them). One server runs per test session on
a loopback port with a manual clock; every test gets a workspace of its own from
`limbod bootstrap`, so tests never see each other's projects or Trash. With LIMBO_TEST_DB set
(postgresql://...), the server keeps its metadata in a database of its own on that PostgreSQL
server, created for the session and dropped afterwards.
"""

import http.cookiejar
import itertools
import json
import os
import re
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# The integration tests' harness knows how to give a data folder its own PostgreSQL database.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
from limbo_test_server import TEST_DB, database_for, drop_database  # noqa: E402

LIMBOD = os.environ.get("LIMBOD", "")
LIMBO = os.environ.get("LIMBO", "")
PASSWORD = "correct horse battery"
OWNER = "owner@example.com"


@dataclass
class Server:
    url: str
    data: Path
    db: str
    process: subprocess.Popen
    log: list = field(default_factory=list)


@dataclass
class Result:
    args: list
    returncode: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)

    def __str__(self):
        return f"limbo {' '.join(self.args)} -> {self.returncode}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


def storage(data, db):
    """The arguments that point a limbod command at a data folder and, if any, its database."""
    return ["--data", str(data)] + (["--db", db] if db else [])


def bootstrap(data, db, workspace):
    done = subprocess.run(
        [LIMBOD, "bootstrap", *storage(data, db), "--workspace", workspace, "--email", OWNER,
         "--password", PASSWORD],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"bootstrap failed: {done.stdout}\n{done.stderr}"
    lines = [line for line in done.stdout.splitlines() if line.strip().startswith("{")]
    assert lines, f"bootstrap printed no JSON line: {done.stdout!r}"
    return json.loads(lines[-1])


def member_add(data, db, workspace, email, role):
    """`limbod member add`: the API only invites, so tests add members as an operator would."""
    done = subprocess.run(
        [LIMBOD, "member", "add", *storage(data, db), "--workspace", workspace, "--email", email,
         "--name", "Member", "--password", PASSWORD, "--role", role],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"member add failed: {done.stdout}\n{done.stderr}"


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if not LIMBOD or not LIMBO:
        pytest.fail("set LIMBOD and LIMBO to the limbod and limbo binaries")
    data = tmp_path_factory.mktemp("limbod-data")
    db = database_for(str(data)) if TEST_DB else ""
    try:
        bootstrap(data, db, "acme")
    except BaseException:
        if db:
            drop_database(db)
        raise
    process = subprocess.Popen(
        [LIMBOD, "serve", *storage(data, db), "--listen", "127.0.0.1:0", "--dev-clock",
         "--demo-train-seconds", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = []
    found = threading.Event()
    url_holder = []

    def drain():
        for line in process.stdout:
            log.append(line)
            match = re.search(r"listening on (http://\S+)", line)
            if match and not found.is_set():
                url_holder.append(match.group(1).rstrip("/"))
                found.set()

    threading.Thread(target=drain, daemon=True).start()
    problem = None
    if not found.wait(60):
        problem = "limbod did not report its address:\n" + "".join(log)
    elif db and (data / "limbo.db").exists():
        problem = "limbod made a SQLite database despite --db"
    if problem:
        process.kill()
        if db:
            drop_database(db)
        pytest.fail(problem)
    yield Server(url=url_holder[0], data=data, db=db, process=process, log=log)
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if db:
        drop_database(db)


_counter = itertools.count(1)


class Workspace:
    """A fresh workspace with its owner's API key, and a way to run `limbo` in it."""

    def __init__(self, server, name, api_key, home):
        self.server = server
        self.name = name
        self.api_key = api_key
        self.home = home
        self.config_home = home / "config"

    def env(self, with_key=True, extra=None):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home),
               "XDG_CONFIG_HOME": str(self.config_home), "LANG": "C.UTF-8"}
        if with_key:
            env["LIMBO_API_URL"] = self.server.url
            env["LIMBO_API_KEY"] = self.api_key
        env.update(extra or {})
        return env

    def run(self, *args, with_key=True, env=None, stdin=""):
        done = subprocess.run([LIMBO, *args], capture_output=True, text=True, input=stdin, timeout=120,
                              env=self.env(with_key, env))
        return Result(list(args), done.returncode, done.stdout, done.stderr)

    def ok(self, *args, **kwargs):
        result = self.run(*args, **kwargs)
        assert result.returncode == 0, str(result)
        return result

    def api(self, method, path, body=None):
        """A direct REST call with the API key, to check what the CLI did."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.server.url + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.api_key)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def member_key(self):
        """Adds a member (built-in `member` role: no Trash permissions) and returns an API key of theirs.

        Keys are created by their own user, so this logs the member in to the web app's session API;
        only the test harness does that, never the CLI.
        """
        email = f"member-{self.name}@example.com"
        member_add(self.server.data, self.server.db, self.name, email, "member")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def post(path, payload, headers):
            request = urllib.request.Request(self.server.url + path, data=json.dumps(payload).encode(), method="POST",
                                             headers={"Content-Type": "application/json", **headers})
            with opener.open(request, timeout=30) as response:
                return json.loads(response.read())

        session = post("/app/api/login", {"email": email, "password": PASSWORD}, {})
        created = post(f"/{self.name}/api-keys", {"name": "cli"}, {"X-CSRF-Token": session["csrfToken"]})
        return created["key"]

    def advance_clock(self, seconds):
        status, body = self.api("POST", "/_dev/clock", {"advanceSeconds": seconds})
        assert status == 200, body
        return body

    def project(self, name=None):
        """Creates a project and returns its URL slug."""
        name = name or f"proj-{next(_counter)}"
        created = self.ok("project", "create", name, "--url", name, "--json").json()
        return created["url"]  # the bare project

    def trash_items(self, kind=None):
        args = ["trash", "list", "--json"] + (["--type", kind] if kind else [])
        return self.ok(*args).json()["items"]


@pytest.fixture
def ws(server, tmp_path):
    name = f"ws{os.getpid()}x{next(_counter)}"
    boot = bootstrap(server.data, server.db, name)
    assert boot["workspace"] == name
    home = tmp_path / "home"
    home.mkdir()
    return Workspace(server, name, boot["apiKey"], home)


def png_bytes(width, height, seed):
    """A valid RGB PNG whose pixels depend on `seed`, so every seed is a distinct image."""
    rows = b"".join(b"\x00" + bytes((seed * 7 + x + y) % 256 for x in range(width * 3)) for y in range(height))

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def images(tmp_path):
    """Writes n distinct PNG files and returns their paths."""

    def make(n, size=16):
        folder = tmp_path / f"images-{next(_counter)}"
        folder.mkdir()
        paths = []
        for i in range(n):
            path = folder / f"img{i}.png"
            path.write_bytes(png_bytes(size, size, next(_counter) * 31 + i))
            paths.append(str(path))
        return paths

    return make
