"""Security properties a user or an attacker would notice: sign-in throttling, password length,
session lifetime, key revocation, secrets kept out of logs, security headers on every response."""
import os
import socket
import statistics
import time
import urllib.parse

import pytest

from limbo_test_server import PASSWORD, TEST_DB, Client, Server, accept, database_for, invite

DAY = 24 * 3600
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}


def test_login_is_throttled_per_account_then_recovers(fresh_server):
    s = fresh_server
    owner = s.bootstrap("acme", email="owner@acme.io")
    c = Client(s.base)
    for _ in range(5):
        assert c.login("owner@acme.io", "wrong password").status == 401
    r = c.login("owner@acme.io")  # right password, but the account is throttled
    assert r.status == 429 and r.code == "too_many_attempts"
    # 15 minutes of server time later the account may sign in again.
    assert owner.post("/_dev/clock", {"advanceSeconds": 16 * 60}).status == 200
    assert c.login("owner@acme.io").status == 200


def test_login_is_throttled_per_address_across_accounts(fresh_server):
    s = fresh_server
    owner = s.bootstrap("acme", email="owner@acme.io")
    for i in range(5):
        assert Client(s.base).login(f"nobody{i}@acme.io", "guess").status == 401
    r = Client(s.base).login("owner@acme.io")  # another account, same address
    assert r.status == 429 and r.code == "too_many_attempts"
    assert owner.post("/_dev/clock", {"advanceSeconds": 16 * 60}).status == 200
    assert Client(s.base).login("owner@acme.io").status == 200


def login_from(s, address, email, password=PASSWORD):
    """A sign-in as a reverse proxy would forward it for a client at `address`."""
    return Client(s.base).post("/app/api/login", {"email": email, "password": password},
                               headers={"X-Forwarded-For": address})


def test_an_unknown_email_takes_as_long_to_refuse_as_a_wrong_password():
    # Each attempt comes "from" an address of its own (trusted proxy), so only the per-account limit
    # applies: five wrong passwords for the real account, five emails that have no account.
    s = Server("--trusted-proxy", "127.0.0.1/32").start()
    try:
        s.bootstrap("acme", email="owner@acme.io")
        assert login_from(s, "198.51.100.250", "warm-up@acme.io", "not the password").status == 401
        known, unknown = [], []
        for i in range(5):
            for email, times in (("owner@acme.io", known), (f"nobody{i}@acme.io", unknown)):
                started = time.perf_counter()
                r = login_from(s, f"198.51.100.{len(known) + len(unknown)}", email, "not the password")
                times.append(time.perf_counter() - started)
                assert r.status == 401 and r.code == "invalid_credentials", r.body
        known_ms, unknown_ms = statistics.median(known) * 1000, statistics.median(unknown) * 1000
        print(f"login refusal medians: wrong password {known_ms:.1f} ms, unknown email {unknown_ms:.1f} ms")
        assert unknown_ms >= 0.5 * known_ms, (known, unknown)
    finally:
        s.stop()
        s.cleanup()


def test_behind_a_trusted_proxy_each_forwarded_address_is_throttled_on_its_own():
    s = Server("--trusted-proxy", "127.0.0.1/32").start()
    try:
        s.bootstrap("acme", email="owner@acme.io")
        for i in range(5):
            assert login_from(s, "203.0.113.5", f"nobody{i}@acme.io", "guess guess").status == 401
        r = login_from(s, "203.0.113.5", "owner@acme.io")
        assert r.status == 429 and r.code == "too_many_attempts"
        # Only the entry the proxy appended counts; what the client wrote to its left does not.
        assert login_from(s, "198.51.100.1, 203.0.113.5", "owner@acme.io").status == 429
        assert login_from(s, "203.0.113.6", "owner@acme.io").status == 200
        # A malformed header falls back to the proxy's own address, which has no failures.
        assert login_from(s, "203.0.113.5, not-an-address", "owner@acme.io").status == 200
    finally:
        s.stop()
        s.cleanup()


def test_without_trusted_proxies_x_forwarded_for_is_ignored(fresh_server):
    s = fresh_server
    s.bootstrap("acme", email="owner@acme.io")
    for i in range(5):
        assert login_from(s, "203.0.113.5", f"nobody{i}@acme.io", "guess guess").status == 401
    # Every attempt came from 127.0.0.1, whatever the header said.
    r = login_from(s, "203.0.113.6", "owner@acme.io")
    assert r.status == 429 and r.code == "too_many_attempts"


def test_a_restart_does_not_forget_failed_sign_ins(fresh_server):
    s = fresh_server
    s.bootstrap("acme", email="owner@acme.io")
    for _ in range(5):
        assert Client(s.base).login("owner@acme.io", "wrong password").status == 401
    s.stop()
    again = Server(data=s.data, db=s.db).start()
    try:
        r = Client(again.base).login("owner@acme.io")
        assert r.status == 429 and r.code == "too_many_attempts"
    finally:
        again.stop()


@pytest.mark.skipif(not TEST_DB, reason="needs PostgreSQL (set LIMBO_TEST_DB)")
def test_two_servers_on_one_database_share_the_throttle(tmp_path):
    data = str(tmp_path)
    db = database_for(data)
    first = Server(data=data, db=db).start()
    second = Server(data=data, db=db).start()
    try:
        first.bootstrap("acme", email="owner@acme.io")
        # Per account: five failures spread over both servers lock the account on both.
        for i in range(5):
            assert Client((first, second)[i % 2].base).login("owner@acme.io", "wrong password").status == 401
        for s in (first, second):
            r = Client(s.base).login("owner@acme.io")
            assert r.status == 429 and r.code == "too_many_attempts"
        # Per address (all of these come from 127.0.0.1): the limit is reached already, on both servers.
        for s in (first, second):
            r = Client(s.base).login("somebody-else@acme.io", "guess guess")
            assert r.status == 429 and r.code == "too_many_attempts"
    finally:
        for s in (first, second):
            s.stop()
        second.cleanup()
        first.cleanup()


def test_a_cross_site_form_cannot_sign_a_browser_in(fresh_server):
    """Login CSRF: a page on another site posts a text/plain form (no CORS preflight) to the sign-in
    route with the attacker's credentials. No cookie may come back."""
    s = fresh_server
    s.bootstrap("acme", email="owner@acme.io")
    base = s.base
    form = ('{"email": "owner@acme.io", "password": "%s", "x": "="}' % PASSWORD).encode()
    browser_form = {"Content-Type": "text/plain", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
    attempts = {
        "cross-site text/plain form": (form, browser_form, 403, "cross_site_request"),
        "cross-site JSON (Origin only)": (None, {"Origin": "http://evil.example"}, 403, "cross_site_request"),
        "Sec-Fetch-Site only": (None, {"Sec-Fetch-Site": "same-site"}, 403, "cross_site_request"),
        "text/plain without Origin": (form, {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        "form-urlencoded": (b"email=owner%40acme.io", {"Content-Type": "application/x-www-form-urlencoded"}, 415,
                            "unsupported_media_type"),
    }
    for what, (raw, headers, status, code) in attempts.items():
        body = None if raw else {"email": "owner@acme.io", "password": PASSWORD}
        r = Client(base).request("POST", "/app/api/login", body, raw=raw, headers=headers)
        assert (r.status, r.code) == (status, code), (what, r.status, r.body)
        assert "Set-Cookie" not in r.headers, what
    # The app itself (same origin, JSON) and clients that are not browsers still sign in.
    origin = base.rstrip("/")
    for headers in ({"Origin": origin, "Sec-Fetch-Site": "same-origin"}, {},
                    {"Content-Type": "application/json; charset=utf-8"}):
        r = Client(base).request("POST", "/app/api/login", {"email": "owner@acme.io", "password": PASSWORD},
                                 headers=headers)
        assert r.status == 200 and r.headers.get("Set-Cookie", "").startswith("limbo_session="), (headers, r.body)


def test_behind_a_trusted_proxy_the_forwarded_origin_is_the_apps_own():
    s = Server("--trusted-proxy", "127.0.0.1/32").start()
    try:
        s.bootstrap("acme", email="owner@acme.io")
        proxied = {"Origin": "https://limbo.example", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "limbo.example",
                   "Sec-Fetch-Site": "same-origin"}
        body = {"email": "owner@acme.io", "password": PASSWORD}
        assert Client(s.base).post("/app/api/login", body, headers=proxied).status == 200
        r = Client(s.base).post("/app/api/login", body, headers={**proxied, "Origin": "https://evil.example"})
        assert r.status == 403 and r.code == "cross_site_request"
    finally:
        s.stop()
        s.cleanup()
    # Without --trusted-proxy the same headers prove nothing: limbod's own Host is not limbo.example.
    s = Server().start()
    try:
        s.bootstrap("acme", email="owner@acme.io")
        r = Client(s.base).post("/app/api/login", body, headers=proxied)
        assert r.status == 403 and r.code == "cross_site_request"
    finally:
        s.stop()
        s.cleanup()


def test_wrong_reauth_passwords_count_as_failed_sign_ins(fresh_server):
    s = fresh_server
    s.bootstrap("acme", email="owner@acme.io")
    web = Client(s.base)
    assert web.login("owner@acme.io").status == 200
    for _ in range(5):
        r = web.post("/app/api/reauth", {"password": "wrong password"})
        assert r.status == 401 and r.code == "invalid_credentials", r.body
    r = web.post("/app/api/reauth", {"password": PASSWORD})
    assert r.status == 429 and r.code == "too_many_attempts"
    assert Client(s.base).login("owner@acme.io").status == 429  # one throttle for both
    r = web.post("/app/api/reauth", {"password": PASSWORD}, headers={"Origin": "http://evil.example"})
    assert r.status == 403 and r.code == "cross_site_request"


def test_passwords_shorter_than_eight_characters_are_refused(server, ws):
    name, c = ws
    r = server.member_add(name, f"short-{name}@example.com", password="seven77", check=False)
    assert r.returncode == 1 and "8" in r.stderr
    assert server.member_add(name, f"ok-{name}@example.com", password="eight888").returncode == 0
    # A new account accepting an invitation chooses its password under the same rule.
    owner = Client(server.base)
    assert owner.login(f"owner-{name}@example.com").status == 200
    token = invite(owner, name, f"new-{name}@example.com")
    _, r = accept(server.base, token, name="New", password="seven77")
    assert r.status == 400 and r.code and "8" in r.body["error"]["message"]
    _, r = accept(server.base, token, name="New", password="eight888")
    assert r.status == 200


def test_sessions_expire_and_logout_invalidates_the_cookie(fresh_server):
    s = fresh_server
    owner = s.bootstrap("acme", email="owner@acme.io")
    a, b = Client(s.base), Client(s.base)
    assert a.login("owner@acme.io").status == 200 and b.login("owner@acme.io").status == 200
    stolen = a.cookie
    assert a.post("/app/api/logout").status == 200
    replay = Client(s.base)
    replay.cookie, replay.csrf = stolen, a.csrf
    assert replay.get("/acme").status == 401
    assert replay.get("/app/api/session").status == 401
    assert b.get("/acme").status == 200  # other sessions are untouched
    assert owner.post("/_dev/clock", {"advanceSeconds": 7 * DAY + 60}).status == 200
    assert b.get("/acme").status == 401 and b.get("/app/api/session").status == 401


def test_revoking_a_key_takes_effect_at_once(server, ws):
    name, c = ws
    made = c.post(f"/{name}/api-keys", {"name": "ci"}).body
    k = Client(server.base, made["key"])
    assert k.get(f"/{name}").status == 200
    assert c.delete(f"/{name}/api-keys/{made['id']}").status == 200
    assert k.get(f"/{name}").status == 401
    assert Client(server.base).get(f"/{name}?api_key={made['key']}").status == 401
    assert Client(server.base).post(f"/{name}/projects", {"api_key": made["key"], "name": "X", "type": "object-detection",
                                                          "annotation": "x"}).status == 401


def test_no_secret_or_session_id_reaches_the_log(fresh_server):
    s = fresh_server
    owner = s.bootstrap("acme", email="owner@acme.io", password="a very secret passphrase")
    wrong = "hunter2-but-wrong"
    assert Client(s.base).login("owner@acme.io", wrong).status == 401
    sess = Client(s.base)
    assert sess.login("owner@acme.io", "a very secret passphrase").status == 200
    assert sess.post("/acme/projects", {"name": "P", "type": "object-detection", "annotation": "x"}).status == 201
    assert sess.post("/app/api/acme/trash/delete", {"items": []}).status in (200, 400)
    assert sess.post("/app/api/reauth", {"password": wrong}).status == 401
    assert sess.post("/app/api/reauth", {"password": "a very secret passphrase"}).status == 200
    anon = Client(s.base)
    assert anon.get(f"/acme?api_key={owner.key}").status == 200
    assert anon.get(f"/acme/nope/nope/nope?api_key={owner.key}").status == 404
    assert anon.post("/acme/projects", {"api_key": owner.key, "name": "Q", "type": "object-detection",
                                        "annotation": "x"}).status == 201
    made = owner.post("/acme/api-keys", {"name": "second"}).body["key"]
    assert Client(s.base, made).get("/acme").status == 200
    cookie_value = sess.cookie.split("=", 1)[1]
    s.stop()
    log = "".join(s.log)
    assert '"event":"request"' in log  # the log is there, and it is the right one
    for secret in (owner.key, made, "a very secret passphrase", wrong, cookie_value, sess.csrf,
                   urllib.parse.quote(owner.key)):
        assert secret not in log, f"a secret reached the log: {secret[:6]}..."


def raw_request(base, data: bytes) -> bytes:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        out = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out:
                head, _, body = out.partition(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
    return out


def headers_of(raw: bytes) -> dict:
    head = raw.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    return {line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip() for line in head[1:]}


def test_security_headers_on_every_response(server, ws):
    name, c = ws
    anon = Client(server.base)
    replies = {
        "ok json": c.get(f"/{name}"),
        "401": anon.get(f"/{name}"),
        "403": c.post(f"/app/api/{name}/trash/empty", {"confirm": name}),
        "404 route": c.get(f"/{name}/no/such/route/at/all"),
        "404 workspace": c.get("/no-such-workspace"),
        "405": c.request("PUT", f"/{name}/projects", {}),
        "page": anon.get("/app/login"),
        "static file": anon.get("/app/static/app.js"),
        "404 static": anon.get("/app/static/missing.js"),
        "healthz": anon.get("/healthz"),
        "login failure": anon.post("/app/api/login", {"email": "x@y.z", "password": "nope nope"}),
        # Not UTF-8 once decoded: once answered 500 (the request log line could not be written).
        "404 non-utf8 path": c.get(f"/{name}/%ff%fe"),
    }
    assert replies["404 non-utf8 path"].status == 404
    for what, r in replies.items():
        for h, v in SECURITY_HEADERS.items():
            assert r.headers.get(h) == v, (what, r.status, h, r.headers)
        assert "frame-ancestors 'none'" in r.headers.get("Content-Security-Policy", ""), (what, r.headers)
    assert replies["static file"].status == 200
    # Answers written by the HTTP layer itself, before any route runs.
    too_big = raw_request(server.base, f"POST /{name}/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                       f"Authorization: Bearer {c.key}\r\n"
                                       f"Content-Length: {2 * 1024 * 1024}\r\n\r\n".encode())
    # Without credentials, a body over 64 KiB is refused after the header: 401, not read.
    unauthenticated = raw_request(server.base, f"POST /{name}/projects HTTP/1.1\r\nHost: x\r\n"
                                               f"Content-Length: {2 * 1024 * 1024}\r\n\r\n".encode())
    malformed = raw_request(server.base, b"GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    bad_length = raw_request(server.base, b"POST /app/api/login HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
    for what, raw, status in (("413", too_big, b"413"), ("401 before the body", unauthenticated, b"401"),
                              ("400 malformed target", malformed, b"400"), ("400 bad length", bad_length, b"400")):
        assert raw.split(b" ")[1] == status, (what, raw[:100])
        h = headers_of(raw)
        for k, v in SECURITY_HEADERS.items():
            assert h.get(k) == v, (what, h)
        assert "frame-ancestors 'none'" in h.get("Content-Security-Policy", ""), (what, h)
