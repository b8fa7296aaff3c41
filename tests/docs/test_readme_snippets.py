"""Every shell and Python snippet of README.md and sdk/python/README.md runs against a real limbod.

The snippets are read from the Markdown files each time, so a README change is tested as it is
written. Each README gets a limbod of its own started with `--demo` (the data its tour uses) on a
free loopback port, and its snippets run in order, as a reader following it would:

- in a scratch folder holding what a reader has: a copy of `sdk/python` (so `pip install
  ./sdk/python` installs it for real, into a virtual environment whose `bin/` comes first on
  PATH), `build-release/cli/limbo` (the `limbo` of this build) and `photos/cat-001.png`;
- with `http://127.0.0.1:8080` replaced by the server's address and `lk_...` by the API key
  the demo printed (what its output tells a reader to use);
- shell snippets with `bash -e -o pipefail`, one after another in one environment (an `export`
  stays for the next snippet), with `curl` failing on an HTTP error; consecutive Python snippets
  in one interpreter and one namespace, as a reader pastes them into one session.

Snippets that cannot run inside a test are listed in NOT_RUN with the reason; the test fails when
a README gains a snippet that is neither run nor listed, or when a listed one disappears.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from limbo_test_server import TEST_DB, database_for, drop_database  # noqa: E402

LIMBOD = os.environ.get("LIMBOD", "")
LIMBO = os.environ.get("LIMBO", "")
README_URL = "http://127.0.0.1:8080"
SHELL = {"sh", "bash", "shell"}
PYTHON = {"python", "py", "python3"}

# (README, first line of the snippet) -> why the test does not run it.
NOT_RUN = {
    ("README.md", "scripts/run-demo.sh"):
        "it installs packages, builds a Release tree and serves on port 8080 until Ctrl-C; the test "
        "starts what the script ends in, `limbod serve --data DIR --demo` (checked below), on a free port",
    ("README.md", "scripts/test.sh"): "it runs the whole test suite, of which this test is one entry",
    ("sdk/python/README.md", "LIMBOD=/path/to/limbod /usr/bin/python3 -m pytest -q tests/sdk"):
        "it runs the SDK's test suite, which CTest runs as sdk.pytest",
}
READMES = ["README.md", "sdk/python/README.md"]
FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)


def snippets(readme):
    """[(line, language, code)] of the fenced code blocks of a Markdown file, in order."""
    text = (ROOT / readme).read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1).lower(), m.group(2)) for m in FENCE.finditer(text)]


def first_line(code):
    return next((line.strip() for line in code.splitlines() if line.strip()), "")


def png(width=8, height=6):
    rows = b"".join(b"\x00" + bytes((x * 40 + y * 10) % 256 for x in range(width * 3)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class DemoServer:
    """`limbod serve --demo` on a free port; `url` and the demo's `api_key`."""

    def __init__(self, data):
        self.data = data
        self.db = database_for(str(data)) if TEST_DB else ""
        args = [LIMBOD, "serve", "--data", str(data), "--listen", "127.0.0.1:0", "--demo"]
        if self.db:
            args += ["--db", self.db]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.log = []
        self.url = self.api_key = None
        ready = threading.Event()

        def drain():
            for line in self.process.stdout:
                self.log.append(line)
                found = re.search(r"listening on (http://\S+)", line)
                if found:
                    self.url = found.group(1).rstrip("/")
                found = re.search(r"API key\s+(lk_\S+)", line)
                if found:
                    self.api_key = found.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(60) or not self.url or not self.api_key:
            self.stop()
            raise AssertionError("limbod --demo printed no address and API key:\n" + "".join(self.log))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.db:
            drop_database(self.db)


@pytest.fixture
def venv(tmp_path):
    """An empty virtual environment (Debian's Python is externally managed); pip works offline."""
    folder = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=180)
    return folder


def scratch_folder(tmp_path, venv_dir):
    work = tmp_path / "reader"
    (work / "photos").mkdir(parents=True)
    (work / "photos" / "cat-001.png").write_bytes(png())
    shutil.copytree(ROOT / "sdk" / "python", work / "sdk" / "python",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist"))
    (work / "build-release" / "cli").mkdir(parents=True)
    os.symlink(LIMBO, work / "build-release" / "cli" / "limbo")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": f"{venv_dir / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "LANG": "C.UTF-8",
        "VIRTUAL_ENV": str(venv_dir),
        "PIP_NO_INDEX": "1",  # nothing may come from a registry
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return work, env


def localize(code, server):
    return code.replace(README_URL, server.url).replace("lk_...", server.api_key)


def run_shell(code, work, env, env_file, where):
    # The environment a snippet leaves (its exports) is the next snippet's.
    script = (f"[ -f {env_file} ] && . {env_file}\n"
              "curl() { command curl --fail-with-body --silent --show-error \"$@\"; }\n"
              f"{code}\nexport -p > {env_file}\n")
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (f"{where} failed with exit {done.returncode}:\n{code}\n"
                                  f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done.stdout


def run_python(blocks, work, env, venv_dir):
    # One interpreter, one namespace: the snippets run as if pasted into one session.
    runner = ("import json, sys\nns = {'__name__': '__main__'}\n"
              "for where, code in json.loads(sys.stdin.read()):\n"
              "    print('>>> ' + where, flush=True)\n"
              "    exec(compile(code, where, 'exec'), ns)\n")
    done = subprocess.run([str(venv_dir / "bin" / "python3"), "-c", runner], cwd=work, env=env,
                          input=json.dumps(blocks), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (f"Python snippets failed (the last '>>>' line names the one):\n"
                                  f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done.stdout


def test_the_snippets_not_run_are_the_listed_ones():
    listed = set()
    for readme in READMES:
        for line, lang, code in snippets(readme):
            if (readme, first_line(code)) in NOT_RUN:
                listed.add((readme, first_line(code)))
    assert listed == set(NOT_RUN), "a snippet listed in NOT_RUN is gone: " + repr(set(NOT_RUN) - listed)
    # The demo script ends in the server command the fixture starts.
    script = (ROOT / "scripts" / "run-demo.sh").read_text(encoding="utf-8")
    last = [line for line in script.splitlines() if line.strip()][-1]
    assert re.match(r"exec \S*limbod serve --data \S+ .*--demo", last), last


@pytest.mark.parametrize("readme", READMES)
def test_every_snippet_runs(readme, tmp_path, venv):
    if not LIMBOD or not LIMBO:
        pytest.fail("set LIMBOD and LIMBO to the limbod and limbo binaries")
    found = snippets(readme)
    runnable = [(line, lang, code) for line, lang, code in found
                if (lang in SHELL or lang in PYTHON) and (readme, first_line(code)) not in NOT_RUN]
    assert runnable, f"no runnable snippet found in {readme}"
    server = DemoServer(tmp_path / "data")
    try:
        work, env = scratch_folder(tmp_path, venv)
        env_file = tmp_path / "snippet.env"
        pending = []  # consecutive Python snippets, run together
        for line, lang, code in runnable + [(None, None, None)]:
            if lang in PYTHON:
                pending.append([f"{readme}:{line}", localize(code, server)])
                continue
            if pending:
                run_python(pending, work, env, venv)
                pending = []
            if lang in SHELL:
                run_shell(localize(code, server), work, env, env_file, f"{readme}:{line}")
    finally:
        server.stop()
