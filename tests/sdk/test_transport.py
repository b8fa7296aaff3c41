"""Timeouts, retries and error decoding, against tiny loopback HTTP servers (no limbod)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from typing import Callable, List, Tuple

import pytest

import limbo

Handler = Callable[[str, str, int], Tuple[int, bytes]]


class FakeServer:
    """Answers each request with ``handler(method, path, count)`` and records the requests."""

    def __init__(self, handler: Handler) -> None:
        self.requests: List[Tuple[str, str, dict]] = []
        fake = self

        class Handle(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                fake.requests.append((self.command, self.path, dict(self.headers)))
                status, body = handler(self.command, self.path, len(fake.requests))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake():
    servers: List[FakeServer] = []

    def make(handler: Handler) -> FakeServer:
        servers.append(FakeServer(handler))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def js(obj) -> bytes:
    return json.dumps(obj).encode()


UNAVAILABLE = js({"error": {"code": "unavailable", "message": "Try again."}})


def test_get_is_retried_after_two_503_answers(fake):
    def handler(method, path, n):
        if n <= 2:
            return 503, UNAVAILABLE
        if path == "/":
            return 200, js({"welcome": "hi", "workspace": "acme"})
        return 200, js({"workspace": {"url": "acme", "name": "Acme", "projects": []}})

    srv = fake(handler)
    ws = limbo.Limbo(api_key="lk_test", api_url=srv.url, backoff=0.01).workspace()
    assert ws.url == "acme" and ws.name == "Acme"
    assert [p for _, p, _ in srv.requests] == ["/", "/", "/", "/acme"]
    assert srv.requests[0][2]["Authorization"] == "Bearer lk_test"


def test_backoff_grows_exponentially(fake):
    srv = fake(lambda m, p, n: (503, UNAVAILABLE) if n <= 3 else (200, js({"jobs": []})))
    lb = limbo.Limbo(api_key="k", api_url=srv.url, max_retries=3, backoff=0.1)
    started = time.monotonic()
    ws = limbo.Workspace(lb._http, {"url": "acme"})
    assert ws.jobs() == []
    assert time.monotonic() - started >= 0.1 + 0.2 + 0.4 - 0.05
    assert len(srv.requests) == 4


def test_retries_give_up_with_a_server_error(fake):
    srv = fake(lambda m, p, n: (503, UNAVAILABLE))
    lb = limbo.Limbo(api_key="k", api_url=srv.url, max_retries=2, backoff=0.01)
    with pytest.raises(limbo.ServerError) as info:
        lb.workspace("acme")
    assert info.value.status == 503 and info.value.code == "unavailable"
    assert len(srv.requests) == 3


def test_changes_are_never_repeated(fake):
    srv = fake(lambda m, p, n: (503, UNAVAILABLE))
    lb = limbo.Limbo(api_key="k", api_url=srv.url, max_retries=5, backoff=0.01)
    ws = limbo.Workspace(lb._http, {"url": "acme"})
    with pytest.raises(limbo.ServerError):
        ws.create_workflow("w")
    with pytest.raises(limbo.ServerError):
        ws.restore_all()
    with pytest.raises(limbo.ServerError):
        ws.restore_from_trash("project", "p_1")
    assert [m for m, _, _ in srv.requests] == ["POST", "POST", "POST"]


def test_client_errors_are_not_retried_and_keep_code_and_hint(fake):
    body = js({"error": {"code": "restore_conflict", "message": "The url is taken.", "hint": "Pass url."}})
    srv = fake(lambda m, p, n: (409, body))
    lb = limbo.Limbo(api_key="k", api_url=srv.url, backoff=0.01)
    with pytest.raises(limbo.ConflictError) as info:
        lb.workspace("acme")
    err = info.value
    assert (err.status, err.code, err.message, err.hint) == (409, "restore_conflict", "The url is taken.", "Pass url.")
    assert isinstance(err, limbo.LimboError)
    assert len(srv.requests) == 1


def test_a_body_that_is_not_json_still_raises_a_typed_error(fake):
    srv = fake(lambda m, p, n: (502, b"<html>bad gateway</html>"))
    lb = limbo.Limbo(api_key="k", api_url=srv.url, max_retries=1, backoff=0.01)
    with pytest.raises(limbo.ServerError) as info:
        lb.workspace("acme")
    assert info.value.status == 502 and info.value.code == "http_502"


@pytest.mark.parametrize("status,code,cls", [
    (400, "invalid_request", limbo.ValidationError),
    (401, "unauthorized", limbo.AuthenticationError),
    (403, "forbidden", limbo.PermissionDeniedError),
    (403, "storage_quota_exceeded", limbo.QuotaExceededError),
    (404, "in_trash", limbo.NotFoundError),
    (404, "not_in_trash", limbo.NotFoundError),
    (409, "parent_in_trash", limbo.ConflictError),
    (413, "payload_too_large", limbo.ValidationError),
    (415, "unsupported_media_type", limbo.ValidationError),
    (429, "too_many_attempts", limbo.RateLimitError),
    (500, "internal", limbo.ServerError),
])
def test_each_status_maps_to_its_exception(fake, status, code, cls):
    srv = fake(lambda m, p, n: (status, js({"error": {"code": code, "message": "No."}})))
    lb = limbo.Limbo(api_key="k", api_url=srv.url, max_retries=0)
    with pytest.raises(cls) as info:
        lb.workspace("acme")
    assert info.value.status == status and info.value.code == code


def test_a_refused_connection_is_retried_then_raised():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps: List[float] = []
    lb = limbo.Limbo(api_key="k", api_url=f"http://127.0.0.1:{port}", max_retries=3, backoff=0.01)
    lb._http._sleep = sleeps.append
    with pytest.raises(limbo.APIConnectionError) as info:
        lb.workspace("acme")
    assert info.value.status is None and info.value.code == "connection_error"
    assert sleeps == [0.01, 0.02, 0.04]


def test_a_slow_server_times_out(fake):
    def slow(m, p, n):
        time.sleep(1.0)
        return 200, js({})

    srv = fake(slow)
    lb = limbo.Limbo(api_key="k", api_url=srv.url, timeout=0.2, max_retries=0)
    with pytest.raises(limbo.APITimeoutError) as info:
        lb.workspace("acme")
    assert info.value.status is None and isinstance(info.value, limbo.APIConnectionError)


def test_key_and_url_come_from_the_environment(fake, monkeypatch):
    srv = fake(lambda m, p, n: (200, js({"workspace": {"url": "acme", "name": "Acme"}})))
    monkeypatch.setenv("LIMBO_API_KEY", "lk_from_env")
    monkeypatch.setenv("LIMBO_API_URL", srv.url + "/")
    lb = limbo.Limbo()
    assert lb.api_url == srv.url
    assert lb.workspace("acme").name == "Acme"
    assert srv.requests[0][2]["Authorization"] == "Bearer lk_from_env"


def test_defaults_without_environment(monkeypatch):
    monkeypatch.delenv("LIMBO_API_URL", raising=False)
    monkeypatch.delenv("LIMBO_API_KEY", raising=False)
    assert limbo.Limbo(api_key="k").api_url == "http://127.0.0.1:8080"
    assert limbo.Limbo(api_key="k").timeout == 30
    with pytest.raises(limbo.AuthenticationError) as info:
        limbo.Limbo()
    assert info.value.code == "missing_api_key"


def test_path_segments_are_escaped(fake):
    srv = fake(lambda m, p, n: (200, js({"project": {"id": "p_1", "url": "x"}})))
    ws = limbo.Workspace(limbo.Limbo(api_key="k", api_url=srv.url)._http, {"url": "acme"})
    ws.project("../a b/c")
    assert srv.requests[0][1] == "/acme/..%2Fa%20b%2Fc"


def test_trash_follows_cursors_and_stops_at_limit(fake):
    pages = {
        None: {"items": [{"id": "p_1", "type": "project", "name": "a"}], "counts": {"total": 3}, "nextCursor": "c1"},
        "c1": {"items": [{"id": "p_2", "type": "project", "name": "b"}], "counts": {"total": 3}, "nextCursor": "c2"},
        "c2": {"items": [{"id": "2", "type": "version", "name": "v2", "parentId": "p_1"}],
               "counts": {"total": 3}, "nextCursor": None},
    }

    def handler(m, p, n):
        cursor = p.split("cursor=")[1].split("&")[0] if "cursor=" in p else None
        return 200, js(pages[cursor])

    srv = fake(handler)
    ws = limbo.Workspace(limbo.Limbo(api_key="k", api_url=srv.url)._http, {"url": "acme"})
    items = ws.trash()
    assert [i.id for i in items] == ["p_1", "p_2", "2"]
    # The SDK pages with a limit of its own (a listing without one is the server's 1 000).
    assert "limit=100" in srv.requests[0][1]
    assert items[2].reference() == {"type": "version", "id": "2", "parentId": "p_1"}
    assert len(ws.trash(limit=2)) == 2
    # A page never asks for more than is still wanted, so the last cursor is where the next items start.
    assert all("limit=100" in r[1] for r in srv.requests[:3]), srv.requests  # the SDK's page size
    limited = ws.trash(limit=2)
    assert limited["nextCursor"] == "c2" and "limit=1" in srv.requests[-1][1]
    assert limited["counts"] == {"total": 3} and [i.id for i in limited["items"]] == ["p_1", "p_2"]
    assert items["nextCursor"] is None and [i["id"] for i in items["sections"]["versions"]] == ["2"]
    assert [p.next_cursor for p in ws.trash_pages(type="project")] == ["c1", "c2", None]
    assert "type=project" in srv.requests[-1][1]


def test_images_and_audit_follow_cursors(fake):
    def handler(m, p, n):
        second = "cursor=next" in p
        if p.startswith("/acme/images"):
            return 200, js({"images": [{"id": "i_2" if second else "i_1"}], "nextCursor": None if second else "next"})
        return 200, js({"events": [{"id": "e2" if second else "e1", "action": "trash"}],
                        "nextCursor": None if second else "next"})

    srv = fake(handler)
    ws = limbo.Workspace(limbo.Limbo(api_key="k", api_url=srv.url)._http, {"url": "acme"})
    assert [i.id for i in ws.images(project="cats")] == ["i_1", "i_2"]
    assert "project=cats" in srv.requests[0][1]
    assert [e.id for e in ws.audit()] == ["e1", "e2"]
    assert [e.id for e in ws.audit(limit=1)] == ["e1"]
    assert ws.images(limit=0) == []
