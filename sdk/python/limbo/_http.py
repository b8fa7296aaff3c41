"""The HTTP transport of the SDK: one place for auth, JSON, timeouts, retries and errors.

It is private: the public classes build every path from workspace, project, version and
workflow names, so the SDK can only reach the REST routes it wraps. Web-app routes (the
only place permanent deletion exists) are refused before any request is made.
"""

from __future__ import annotations

import collections
import http.client
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Union

from . import __version__
from .errors import (
    APIConnectionError,
    APITimeoutError,
    LimboError,
    PermissionDeniedError,
    error_from_response,
)

# Methods that never change server state, so repeating them is harmless.
_SAFE_METHODS = frozenset({"GET", "HEAD"})
_CONDITIONAL_PAGES = 32
# First path segment of the web app; its routes accept only browser sessions.
_WEB_APP_SEGMENT = "app"
_MAX_BACKOFF_SECONDS = 8.0

QueryValue = Union[str, int, float, bool, None]


def quote_segment(segment: Union[str, int]) -> str:
    """Percent-encodes one path segment, slashes included."""
    return urllib.parse.quote(str(segment), safe="")


class HttpClient:
    """Sends requests to one Limbo server with one API key.

    Only GET requests are retried (``max_retries`` times, backoff ``backoff * 2**n`` seconds,
    capped at 8 s) after a 5xx answer, a refused or reset connection, or a timeout.
    """

    def __init__(
        self,
        api_url: str,
        api_key: str,
        *,
        timeout: float,
        max_retries: int,
        backoff: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.backoff = max(0.0, float(backoff))
        self._sleep = sleep
        self._opener = urllib.request.build_opener()
        # Conditional GETs (``request(..., conditional=True)``): the last answer and its ETag per
        # URL, so an unchanged page comes back as a bodiless 304. A few pages, newest kept.
        self._validated: "collections.OrderedDict[str, tuple[str, bytes]]" = collections.OrderedDict()

    def request(
        self,
        method: str,
        segments: Iterable[Union[str, int]],
        *,
        query: Optional[Mapping[str, QueryValue]] = None,
        json_body: Any = None,
        data: Optional[bytes] = None,
        content_type: Optional[str] = None,
        conditional: bool = False,
    ) -> Any:
        """Sends one request and returns the decoded JSON answer (``{}`` for an empty body).

        With ``conditional`` (a GET), the request carries the ETag of this URL's last answer in
        ``If-None-Match``, and a ``304 Not Modified`` returns that answer again.

        Raises a :class:`~limbo.LimboError` subclass for an error status or a failed connection.
        """
        method = method.upper()
        url = self._url(list(segments), query)
        headers = {
            "Authorization": f"Bearer {self._api_key}",
            "Accept": "application/json",
            "User-Agent": f"limbo-python/{__version__}",
        }
        conditional = conditional and method == "GET"
        if conditional and url in self._validated:
            headers["If-None-Match"] = self._validated[url][0]
        body = data
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        elif data is not None:
            headers["Content-Type"] = content_type or "application/octet-stream"

        attempts = 1 + (self.max_retries if method in _SAFE_METHODS else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                return self._send(method, url, headers, body, conditional)
            except LimboError as err:
                retryable = err.status is None or err.status >= 500
                if last or not retryable:
                    raise
            self._sleep(min(self.backoff * (2 ** attempt), _MAX_BACKOFF_SECONDS))
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _url(self, segments: list, query: Optional[Mapping[str, QueryValue]]) -> str:
        if segments and str(segments[0]) == _WEB_APP_SEGMENT:
            raise PermissionDeniedError(
                "The SDK does not call web-app routes; permanent deletion is available only "
                "on the web app's Trash page.",
                code="web_only",
            )
        path = "/" + "/".join(quote_segment(s) for s in segments)
        url = self.api_url + path
        if query:
            pairs = []
            for key, value in query.items():
                if value is None:
                    continue
                if isinstance(value, bool):
                    value = "true" if value else "false"
                pairs.append((key, str(value)))
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        return url

    def _send(self, method: str, url: str, headers: Dict[str, str], body: Optional[bytes],
              conditional: bool = False) -> Any:
        req = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                status, raw = resp.status, resp.read()
                etag = resp.headers.get("ETag")
            if conditional:
                self._validated.pop(url, None)
                if etag:
                    self._validated[url] = (etag, raw)
                    while len(self._validated) > _CONDITIONAL_PAGES:
                        self._validated.popitem(last=False)
            try:
                return _decode(raw)
            except ValueError:
                raise LimboError(
                    f"The server answered HTTP {status} with a body that is not JSON.",
                    status=status,
                    code="invalid_response",
                ) from None
        except urllib.error.HTTPError as err:
            if err.code == 304 and conditional and url in self._validated:
                err.close()
                self._validated.move_to_end(url)
                return _decode(self._validated[url][1])
            try:
                raw = err.read()
            except (OSError, http.client.HTTPException):
                raw = b""
            finally:
                err.close()
            try:
                payload = _decode(raw)
            except ValueError:
                payload = None
            raise error_from_response(err.code, payload) from None
        except (socket.timeout, TimeoutError) as err:
            raise APITimeoutError(
                f"No answer from {self.api_url} within {self.timeout} s.", code="timeout"
            ) from err
        except urllib.error.URLError as err:
            if isinstance(err.reason, (socket.timeout, TimeoutError)):
                raise APITimeoutError(
                    f"No answer from {self.api_url} within {self.timeout} s.", code="timeout"
                ) from err
            raise APIConnectionError(
                f"Could not connect to {self.api_url}: {err.reason}.", code="connection_error"
            ) from err
        except (ConnectionError, http.client.HTTPException) as err:
            raise APIConnectionError(
                f"The connection to {self.api_url} failed: {err}.", code="connection_error"
            ) from err


def _decode(raw: bytes) -> Any:
    if not raw.strip():
        return {}
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError("the server answered with something other than JSON") from err
