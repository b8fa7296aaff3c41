"""Python SDK of Limbo, a self-hosted server for computer-vision datasets with a safe Trash.

Deleting a project, version, workflow or training run moves it to the workspace Trash, from which it can be
restored until its retention period ends. Permanent deletion is available only on the web
app's Trash page; this package has no way to do it.

Example::

    import limbo

    lb = limbo.Limbo()                      # LIMBO_API_KEY, LIMBO_API_URL
    ws = lb.workspace()
    project = ws.project("cats")
    project.delete()                        # to the Trash
    project.restore()                       # back, same url and group
"""

__version__ = "0.1.0"

from .client import DEFAULT_API_URL, Limbo
from .errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    LimboError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from .project import Project, Training, Version
from .records import AuditEvent, Image, Job, Model, RestoreResult, Trash, TrashItem, TrashPage, Usage
from .workflow import Workflow
from .workspace import Workspace

__all__ = [
    "__version__",
    "DEFAULT_API_URL",
    "Limbo",
    "Workspace",
    "Project",
    "Version",
    "Training",
    "Workflow",
    "Image",
    "Job",
    "Model",
    "Trash",
    "TrashItem",
    "TrashPage",
    "RestoreResult",
    "AuditEvent",
    "Usage",
    "LimboError",
    "ValidationError",
    "AuthenticationError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "APIConnectionError",
    "APITimeoutError",
]
