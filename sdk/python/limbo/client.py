"""The entry point: :class:`Limbo`, a client for one server and one API key."""

from __future__ import annotations

import os
from typing import Optional

from ._http import HttpClient
from .errors import AuthenticationError
from .workspace import Workspace

DEFAULT_API_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 30.0


class Limbo:
    """A client of a Limbo server.

    ``api_key`` defaults to the ``LIMBO_API_KEY`` environment variable and ``api_url`` to
    ``LIMBO_API_URL`` (else ``http://127.0.0.1:8080``). ``timeout`` is per request, in
    seconds. Safe requests (GET) are retried up to ``max_retries`` times with exponential
    backoff (``backoff``, ``2 * backoff``, ... seconds) after a 5xx answer or a connection
    failure; requests that change something are never repeated.

    Raises :class:`~limbo.AuthenticationError` (code ``missing_api_key``) when no key is given.

    Example::

        import limbo

        lb = limbo.Limbo(api_key="lk_...", api_url="http://limbo.internal:8080")
        ws = lb.workspace()          # the key's workspace
        ws.project("cats").delete()  # to the Trash, restorable for 30 days
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        api_url: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        key = api_key or os.environ.get("LIMBO_API_KEY")
        if not key:
            raise AuthenticationError(
                "No API key: pass api_key= or set LIMBO_API_KEY.", code="missing_api_key"
            )
        self.api_url = (api_url or os.environ.get("LIMBO_API_URL") or DEFAULT_API_URL).rstrip("/")
        self.timeout = timeout
        self._http = HttpClient(self.api_url, key, timeout=timeout, max_retries=max_retries, backoff=backoff)

    def __repr__(self) -> str:
        return f"Limbo(api_url={self.api_url!r})"

    def workspace(self, url: Optional[str] = None) -> Workspace:
        """The workspace ``url``, or the API key's own workspace when ``url`` is omitted.

        A key acts only in its own workspace: any other answers :class:`~limbo.NotFoundError`.

        Example::

            ws = lb.workspace()         # whichever workspace the key belongs to
            ws = lb.workspace("acme")
        """
        if url is None:
            url = str(self._http.request("GET", []).get("workspace") or "")
            if not url:
                raise AuthenticationError("The server named no workspace for this key.", code="no_workspace")
        answer = self._http.request("GET", [url])
        return Workspace(self._http, answer.get("workspace") or {"url": url})
