"""Workflows: named JSON configurations served at ``/infer/workflows/:workspace/:workflow``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

if TYPE_CHECKING:
    from .workspace import Workspace


class Workflow:
    """A workflow of a workspace.

    Attributes: ``id`` (opaque, e.g. ``"w_9k2m"``), ``url``, ``name``, ``config`` (dict),
    ``created_at``, ``raw``.

    Example::

        wf = ws.workflow("count-cats")
        wf.delete()      # to the Trash; its endpoint stops answering
        wf.restore()
    """

    def __init__(self, workspace: "Workspace", data: Dict[str, Any]) -> None:
        self.workspace = workspace
        self._load(data)

    def _load(self, data: Dict[str, Any]) -> None:
        self.raw: Dict[str, Any] = data
        self.id: str = str(data.get("id", ""))
        self.url: str = str(data.get("url", ""))
        self.name: str = str(data.get("name", ""))
        self.config: Dict[str, Any] = dict(data.get("config") or {})
        self.created_at: Optional[str] = data.get("createdAt")

    def __repr__(self) -> str:
        return f"Workflow(id={self.id!r}, url={self.url!r}, name={self.name!r})"

    def refresh(self) -> "Workflow":
        """Reloads the workflow from the server (404 ``in_trash`` while it is in the Trash).

        Example::

            print(wf.refresh().config)
        """
        answer = self.workspace._http.request("GET", [self.workspace.url, "workflows", self.url])
        self._load(answer.get("workflow") or {})
        return self

    def delete(self) -> Dict[str, Any]:
        """Moves the workflow to the workspace Trash; its endpoint stops until it is restored.

        Returns the server's answer, e.g. ``{"deleted": True, "type": "workflow",
        "workflowId": "w_9k2m", "trash": True, "scheduledCleanupAt": "..."}``.

        Example::

            ws.workflow("count-cats").delete()
        """
        return self.workspace._http.request("DELETE", [self.workspace.url, "workflows", self.url])

    def restore(self, url: Optional[str] = None) -> Dict[str, Any]:
        """Restores the workflow from the Trash.

        Pass ``url`` when another active workflow took its url meanwhile (otherwise
        :class:`~limbo.ConflictError` ``restore_conflict``).

        Example::

            wf.delete()
            wf.restore()                      # or wf.restore(url="count-cats-2")
        """
        answer = self.workspace.restore_from_trash("workflow", self.id, url=url)
        if url is not None:
            self.url = url
        return answer
