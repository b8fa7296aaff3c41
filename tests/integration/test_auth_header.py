"""`Authorization: Bearer` with any case of the scheme and any run of spaces (RFC 7235 2.1)."""
import urllib.request

from limbo_test_server import Client


def raw_get(base: str, path: str, authorization: str) -> int:
    req = urllib.request.Request(base + path, headers={"Authorization": authorization})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_the_bearer_scheme_is_case_insensitive(server, ws):
    name, c = ws
    for scheme in ("Bearer", "bearer", "BEARER", "BeArEr"):
        assert raw_get(server.base, f"/{name}", f"{scheme} {c.key}") == 200, scheme
    for spaced in (f"Bearer  {c.key}", f"Bearer\t{c.key}", f"  BEARER   {c.key}  "):
        assert raw_get(server.base, f"/{name}", spaced) == 200, repr(spaced)


def test_other_schemes_and_malformed_values_are_not_a_key(server, ws):
    name, c = ws
    for value in (f"Basic {c.key}", f"Bearer{c.key}", f"Bearerx {c.key}", "Bearer", "Bearer   ",
                  f"Bearer {c.key}x", f"Bearer {c.key} extra"):
        assert raw_get(server.base, f"/{name}", value) == 401, value
    assert Client(server.base, c.key).get(f"/{name}").status == 200
