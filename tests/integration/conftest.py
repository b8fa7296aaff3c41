import itertools
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from limbo_test_server import Server  # noqa: E402

_names = itertools.count(1)


@pytest.fixture(scope="module")
def server():
    """One limbod per test module; tests that move the clock use `fresh_server` instead."""
    s = Server().start()
    yield s
    s.stop()
    s.cleanup()


@pytest.fixture
def fresh_server():
    s = Server().start()
    yield s
    s.stop()
    s.cleanup()


@pytest.fixture
def ws(server):
    """A new workspace with its owner's API key: (name, client)."""
    name = f"ws{next(_names)}-{os.getpid()}"
    return name, server.bootstrap(name, email=f"owner-{name}@example.com")
