"""Typed exceptions raised by the Limbo SDK.

Every error the SDK raises is a :class:`LimboError`. The subclass tells what kind of
failure it was; ``status`` is the HTTP status (``None`` when no response arrived),
``code`` the server's snake_case error code, ``message`` one human sentence, and
``hint`` an optional suggestion from the server.

Example::

    try:
        ws.restore_from_trash("version", 3, parent_id=project_id)
    except limbo.ConflictError as err:
        if err.code == "parent_in_trash":
            ws.restore_from_trash("project", project_id)
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type


class LimboError(Exception):
    """Base class of every error raised by the SDK.

    Attributes:
        status: HTTP status of the response, or ``None`` if none arrived.
        code: snake_case error code (``"in_trash"``, ``"restore_conflict"``, ...).
        message: one human sentence describing the failure.
        hint: optional suggestion from the server, or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: str = "error",
        hint: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        prefix = f"{self.status} " if self.status is not None else ""
        text = f"{prefix}{self.code}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, hint={self.hint!r})"
        )


class ValidationError(LimboError):
    """The request was refused as invalid (400), too large (413) or not an image (415)."""


class AuthenticationError(LimboError):
    """The API key is missing or wrong (401)."""


class PermissionDeniedError(LimboError):
    """The key's role lacks the permission for this action (403 ``forbidden``, ``web_only``, ...)."""


class QuotaExceededError(LimboError):
    """An upload would pass the workspace's storage quota (403 ``storage_quota_exceeded``).

    Items in the Trash still count toward the quota until they are permanently removed.
    """


class NotFoundError(LimboError):
    """The object does not exist or is not visible (404).

    ``code`` is ``"in_trash"`` for an object that is in the Trash, ``"not_in_trash"`` when a
    restore names an item the Trash no longer holds, ``"model_not_serving"`` for a stopped model.
    """


class ConflictError(LimboError):
    """The request conflicts with the current state (409).

    Codes: ``restore_conflict`` (an active object took the item's url: restore with ``url=``),
    ``parent_in_trash`` (restore the version's, or the run's, project or version first),
    ``url_taken``, ``job_active``, ``training_in_progress`` (cancel a queued or running run
    before moving it to the Trash), ``conflict`` (among others, several runs on a version when
    ``delete_training()`` named none: the message names ``MULTIPLE_TRAININGS``).
    """


class RateLimitError(LimboError):
    """Too many attempts (429)."""


class ServerError(LimboError):
    """The server failed (5xx). Safe (GET) requests are retried before this is raised."""


class APIConnectionError(LimboError):
    """No response arrived: the connection failed or timed out (``status`` is ``None``)."""


class APITimeoutError(APIConnectionError):
    """The request took longer than the client's timeout."""


_BY_STATUS: Dict[int, Type[LimboError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: ValidationError,
    415: ValidationError,
    429: RateLimitError,
}


def error_class_for(status: int, code: str) -> Type[LimboError]:
    """Returns the exception class for an HTTP status and error code."""
    if status == 403 and code == "storage_quota_exceeded":
        return QuotaExceededError
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, LimboError)


def error_from_response(status: int, body: Any) -> LimboError:
    """Builds the typed error for an HTTP error response.

    ``body`` is the decoded JSON body (``{"error": {"code", "message", "hint"?}}``) or
    anything else when the server did not answer with that shape.
    """
    code = f"http_{status}"
    message = f"The server answered HTTP {status}."
    hint = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        code = str(err.get("code") or code)
        message = str(err.get("message") or message)
        hint = err.get("hint") or None
    cls = error_class_for(status, code)
    return cls(message, status=status, code=code, hint=hint)
