"""The SDK uses only the standard library and installs with pip without a network."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

SDK_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "sdk", "python"))


def imported_modules(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def test_only_the_standard_library_is_imported():
    folders = [os.path.join(SDK_DIR, "limbo"), os.path.join(SDK_DIR, "buildsys")]
    outside = set()
    for folder in folders:
        for name in os.listdir(folder):
            if name.endswith(".py"):
                outside |= {m for m in imported_modules(os.path.join(folder, name))
                            if m not in sys.stdlib_module_names and m != "__future__"}
    assert outside == set()


def test_pip_installs_it_without_an_index(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS="", PIP_DISABLE_PIP_VERSION_CHECK="1")
    install = subprocess.run([python, "-m", "pip", "install", "--no-index", SDK_DIR],
                             capture_output=True, text=True, env=env, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run([python, "-c", "import limbo, sys; print(limbo.__file__); print(limbo.Limbo)"],
                           capture_output=True, text=True, cwd=str(tmp_path), env=env)
    assert check.returncode == 0, check.stderr
    assert str(venv) in check.stdout.splitlines()[0]
