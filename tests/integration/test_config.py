"""limbod's configuration by flags, LIMBO_* variables and a --config file, on the real binary:
every flag of `limbod serve` has its variable, the precedence holds when the server really runs,
`limbod config check` reports and fails as documented, and a database password is never printed."""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
import urllib.request

from limbo_test_server import LIMBOD, TEST_DB, database_for, drop_database

# Any LIMBO_* variable of the test run itself (LIMBO_TEST_DB, ...) is no flag of limbod.
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith("LIMBO_")}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([LIMBOD, *args], capture_output=True, text=True, timeout=60, env={**BASE_ENV, **(env or {})})


def check(*args: str, env: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """`limbod config check`: key -> (value, source)."""
    out = run("config", "check", *args, env=env)
    assert out.returncode == 0, out.stderr
    settings = {}
    for line in out.stdout.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r"(\S+) = (.*?)\s+# (.*)$", line)
        assert m, line
        settings[m.group(1)] = (m.group(2), m.group(3))
    return settings


def serve_flags() -> list[str]:
    """The flags `limbod serve --help` lists (the hidden ones too would be fine; they are configurable)."""
    out = run("serve", "--help")
    flags = re.findall(r"^\s+(?:-\w,)?--([a-z][a-z0-9-]*)", out.stdout, re.M)
    return [f for f in flags if f not in ("help", "help-all", "config")]


def test_every_serve_flag_has_a_limbo_variable():
    flags = serve_flags()
    assert {"data", "db", "listen", "sweep-interval", "threads", "trusted-proxy", "dev-clock"} <= set(flags)
    defaults = check("--data", "/srv/limbo")
    help_text = run("serve", "--help").stdout
    # Each flag's variable, set alone (to the flag's default, a sample, or "1"), is read: it becomes that
    # flag's source, or its value is refused naming the variable. A flag added later is covered too.
    samples = {"db": "sqlite:///tmp/limbo-config-test.db", "trusted-proxy": "10.0.0.0/8", "data": "/srv/env"}
    for flag in flags:
        name = "LIMBO_" + flag.upper().replace("-", "_")
        assert f"(env {name})" in help_text, flag
        value = samples.get(flag) or defaults[flag][0].strip('"')
        if value in ("", "[]"):
            value = "1"
        env = {name: value} if flag == "data" else {name: value, "LIMBO_DATA": "/srv/limbo"}
        out = run("config", "check", env=env)
        if out.returncode == 0:
            assert re.search(rf"^{re.escape(flag)} = .*# env {name}$", out.stdout, re.M), (flag, out.stdout)
        else:
            assert name in out.stderr, (flag, out.stderr)


def test_precedence_flag_env_file_default():
    with tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "limbod.toml")
        with open(conf, "w") as f:
            f.write('data = "/srv/file"\nthreads = 6\nsweep-interval = "5m"\ncleanup-batch = 77\n')
        env = {"LIMBO_THREADS": "7", "LIMBO_SWEEP_INTERVAL": "2m", "LIMBO_LISTEN": "127.0.0.1:9"}
        got = check("--config", conf, "--threads", "9", "--listen", "127.0.0.1:10", env=env)
        assert got["threads"] == ("9", "flag")                                 # flag > env > file
        assert got["listen"] == ('"127.0.0.1:10"', "flag")                     # flag > env
        assert got["sweep-interval"] == ('"2m"', "env LIMBO_SWEEP_INTERVAL")  # env > file
        assert got["cleanup-batch"] == ("77", f"file {conf}:4")               # file > default
        assert got["data"] == ('"/srv/file"', f"file {conf}:1")
        assert got["max-image-pixels"][1] == "default"
        got = check("--config", conf, "--cleanup-batch", "5")
        assert got["cleanup-batch"] == ("5", "flag")                           # flag > file


def test_the_server_runs_with_the_file_and_the_environment():
    """The precedence is the one the running server uses, not only the report's."""
    with tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "limbod.toml")
        data = os.path.join(d, "data")
        with open(conf, "w") as f:
            f.write(f'data = "{data}"\nlisten = "127.0.0.1:1"\n')
        env = {"LIMBO_LISTEN": "127.0.0.1:0", "LIMBO_CONFIG": conf}
        if TEST_DB:
            env["LIMBO_DB"] = database_for(data)
        proc = subprocess.Popen([LIMBOD, "serve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**BASE_ENV, **env})
        try:
            line = proc.stdout.readline()
            m = re.search(r"listening on (http://\S+)", line)
            assert m, line + proc.stderr.read()
            with urllib.request.urlopen(m.group(1) + "/healthz", timeout=10) as r:
                assert r.status == 200
            assert os.path.exists(os.path.join(data, "blobs"))  # the data folder came from the file
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if TEST_DB:
                drop_database(env["LIMBO_DB"])


def test_check_fails_with_a_clear_message():
    with tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "limbod.toml")
        cases = [
            ('data = "/d"\nlisten_addr = "x"\n', "line 2: unknown key 'listen_addr'"),
            ('data = "/d"\nthreads = "four"\n', "line 2: 'threads' must be an integer"),
            ('data = "/d"\nlisten = "nowhere"\n', "line 2: --listen: must be HOST:PORT"),
            ('data = "/d"\nsweep-interval = "soon"\n', "line 2: --sweep-interval: must be a duration"),
            ('data = "/d"\ntrusted-proxy = ["10.0.0.0/8", "bogus"]\n', "'bogus' is not an address range"),
            ('data = "/d"\nthreads = 4\nthreads = 5\n', "line 3"),
            ('threads = 4\n', "--data is required"),
        ]
        for text, message in cases:
            with open(conf, "w") as f:
                f.write(text)
            out = run("config", "check", "--config", conf)
            assert out.returncode != 0, text
            assert message in out.stderr, (text, out.stderr)
            out = run("serve", "--config", conf)  # the server refuses the same file the same way
            assert out.returncode != 0 and message in out.stderr, (text, out.stderr)


def test_secrets_are_masked_and_never_printed():
    url = "postgresql://limbo:Sup3rSecretPw@127.0.0.1:1/limbo"
    got = check("--data", "/d", env={"LIMBO_DB": url})
    assert got["db"] == ('"postgresql://limbo:****@127.0.0.1:1/limbo"', "env LIMBO_DB")
    with tempfile.TemporaryDirectory() as d:
        # A server that cannot reach its database says so without the password.
        out = run("serve", "--data", d, "--listen", "127.0.0.1:0", env={"LIMBO_DB": url})
        assert out.returncode != 0
        assert "Sup3rSecretPw" not in out.stderr + out.stdout, out.stderr
        out = run("serve", "--data", d, "--db", url, "--listen", "127.0.0.1:0")
        assert out.returncode != 0
        assert "Sup3rSecretPw" not in out.stderr + out.stdout, out.stderr


def test_config_is_accepted_by_every_subcommand_with_data():
    with tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "limbod.toml")
        data = os.path.join(d, "data")
        with open(conf, "w") as f:
            f.write(f'data = "{data}"\nthreads = 2\n')
        env = {"LIMBO_DB": database_for(data)} if TEST_DB else {}
        out = run("bootstrap", "--config", conf, "--workspace", "acme", "--email", "o@example.com", "--password",
                  "correct horse battery", env=env)
        assert out.returncode == 0, out.stderr
        out = run("fsck", "--config", conf, env=env)
        assert out.returncode == 0, out.stderr
        assert '"clean":true' in out.stdout
        if TEST_DB:
            drop_database(env["LIMBO_DB"])
