"""Plain records the SDK returns: images, jobs, models, Trash items, audit events, usage.

Each record keeps the server's JSON in ``raw`` (fields the SDK does not name yet are there)
and exposes the documented fields as snake_case attributes. Times are ISO 8601 UTC strings
as the server sends them (``"2026-11-27T04:08:08Z"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple

if TYPE_CHECKING:
    from .project import Version
    from .workspace import Workspace

# The Trash's types, and the name of each one's section in the listing.
TRASH_SECTIONS = (("project", "projects"), ("version", "versions"), ("workflow", "workflows"),
                  ("training", "trainings"))


class _ReadsAsMapping:
    """Lets a record be read like the server's JSON object it came from: ``item["name"]``,
    ``item.get("parentId")``, ``"deletedAt" in item``, ``dict(item)``. The keys are the
    server's camelCase field names (those of ``raw``); the attributes stay snake_case."""

    raw: Dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    def keys(self):  # type: ignore[no-untyped-def]
        return self.raw.keys()

    def values(self):  # type: ignore[no-untyped-def]
        return self.raw.values()

    def items(self):  # type: ignore[no-untyped-def]
        return self.raw.items()

    def __contains__(self, key: object) -> bool:
        return key in self.raw

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __bool__(self) -> bool:
        return True  # a record is something, even with no fields


@dataclass
class Model:
    """The trained model of a version.

    Example::

        model = project.version(1).model
        if model is not None and model.serving:
            print("served at", model.endpoint)
    """

    id: str
    state: str
    endpoint: Optional[str]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def serving(self) -> bool:
        """True while the model answers at its endpoint."""
        return self.state == "serving"

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Model":
        return cls(id=str(data.get("id", "")), state=str(data.get("state", "")),
                   endpoint=data.get("endpoint"), raw=data)


@dataclass
class Image:
    """An image of the workspace's Asset Library.

    ``duplicate`` is True when an upload found the same bytes already in the library.
    """

    id: str
    name: str
    sha256: str
    size_bytes: int
    width: Optional[int]
    height: Optional[int]
    projects: List[str]
    created_at: Optional[str] = None
    duplicate: bool = False
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Dict[str, Any], duplicate: bool = False) -> "Image":
        return cls(
            id=str(data.get("id", "")),
            name=str(data.get("name", "")),
            sha256=str(data.get("sha256", "")),
            size_bytes=int(data.get("sizeBytes") or 0),
            width=data.get("width"),
            height=data.get("height"),
            projects=list(data.get("projects") or []),
            created_at=data.get("createdAt"),
            duplicate=duplicate,
            raw=data,
        )


@dataclass
class Job:
    """A training job of a version.

    ``state`` is ``queued``, ``running``, ``finished``, ``failed`` or ``cancelled``;
    ``cancel_reason`` is ``None``, ``"user"`` or ``"moved_to_trash"``. One credit is one second
    of running time on the server's clock.
    """

    id: str
    project: str
    version: int
    state: str
    credits_used: float
    cancel_reason: Optional[str]
    created_at: Optional[str]
    started_at: Optional[str]
    ended_at: Optional[str]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def active(self) -> bool:
        """True while the job is queued or running."""
        return self.state in ("queued", "running")

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Job":
        return cls(
            id=str(data.get("id", "")),
            project=str(data.get("project", "")),
            version=int(data.get("version") or 0),
            state=str(data.get("state", "")),
            credits_used=float(data.get("creditsUsed") or 0),
            cancel_reason=data.get("cancelReason"),
            created_at=data.get("createdAt"),
            started_at=data.get("startedAt"),
            ended_at=data.get("endedAt"),
            raw=data,
        )


@dataclass(eq=True)
class TrashItem(_ReadsAsMapping):
    """One row of the workspace Trash: a trashed project, version, workflow or training.

    For a version, ``id`` is its number as a string and ``parent_id`` its project's id; for a
    training, ``id`` is its training id. ``restorable`` is False with ``blocked_reason``
    ``"parent_in_trash"`` or ``"restore_conflict"`` when a plain restore would be refused.

    An item also reads as the server's JSON object, as the ``roboflow`` client's items do:
    ``item["name"]``, ``item["deletedAt"]``, ``item.get("parentId")``.

    Example::

        for item in ws.trash(type="project"):
            print(item.name, item.days_remaining, "days left")
            if item.restorable:
                item.restore()
        names = [item["name"] for item in ws.trash()]
    """

    id: str
    type: str
    name: str
    url: Optional[str]
    deleted_at: Optional[str]
    scheduled_cleanup_at: Optional[str]
    days_remaining: Optional[int]
    deleted_by: Optional[str]
    deleted_by_name: Optional[str]
    size_bytes: int
    cleanup_delete_images: bool
    parent_id: Optional[str]
    parent_name: Optional[str]
    parent_url: Optional[str]
    parent_in_trash: bool
    restorable: bool
    blocked_reason: Optional[str]
    location: Any
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    # The workspace the item was listed from (not a dataclass field, so asdict() stays plain data).
    _workspace = None  # type: Optional[Workspace]

    def reference(self) -> Dict[str, Any]:
        """The ``{"type", "id", "parentId"?}`` reference that names this item in a restore.

        Example::

            refs = [item.reference() for item in ws.trash(type="version")]
        """
        ref: Dict[str, Any] = {"type": self.type, "id": self.id}
        if self.parent_id is not None:
            ref["parentId"] = self.parent_id
        return ref

    def restore(self, url: Optional[str] = None) -> Dict[str, Any]:
        """Restores this item to where it was deleted from.

        ``url`` gives a project or workflow a new url when an active one took the old url
        (otherwise :class:`~limbo.ConflictError` ``restore_conflict``).

        Example::

            for item in ws.trash(q="cats"):
                item.restore()
        """
        if self._workspace is None:
            raise RuntimeError("this TrashItem is not bound to a workspace")
        return self._workspace.restore_from_trash(self.type, self.id, parent_id=self.parent_id, url=url)

    @classmethod
    def from_json(cls, data: Dict[str, Any], workspace: Optional["Workspace"] = None) -> "TrashItem":
        item = cls(
            id=str(data.get("id", "")),
            type=str(data.get("type", "")),
            name=str(data.get("name", "")),
            url=data.get("url"),
            deleted_at=data.get("deletedAt"),
            scheduled_cleanup_at=data.get("scheduledCleanupAt"),
            days_remaining=data.get("daysRemaining"),
            deleted_by=data.get("deletedBy"),
            deleted_by_name=data.get("deletedByName"),
            size_bytes=int(data.get("sizeBytes") or 0),
            cleanup_delete_images=bool(data.get("cleanupDeleteImages")),
            parent_id=data.get("parentId"),
            parent_name=data.get("parentName"),
            parent_url=data.get("parentUrl"),
            parent_in_trash=bool(data.get("parentInTrash")),
            restorable=bool(data.get("restorable", True)),
            blocked_reason=data.get("blockedReason"),
            location=data.get("location"),
            raw=data,
        )
        item._workspace = workspace
        return item


@dataclass
class TrashPage:
    """One page of the Trash listing; ``next_cursor`` is None on the last page."""

    items: List[TrashItem]
    counts: Dict[str, int]
    next_cursor: Optional[str]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)


class Trash(list):
    """What :meth:`Workspace.trash` returns: the list of :class:`TrashItem` it iterates, which
    also reads as the ``roboflow`` client's answer to ``GET /:ws/trash``.

    ``trash["items"]`` is every item, ``trash["sections"]`` groups them by type
    (``"projects"``, ``"versions"``, ``"workflows"``, ``"trainings"``), ``trash["counts"]``
    is the server's count of the whole Trash by type (``"total"`` too), and
    ``trash["nextCursor"]`` is ``None`` once the listing is complete (with ``limit``, the
    cursor the next items start from). ``get()``, ``keys()`` and ``"items" in trash`` work
    as on that dict; ``to_dict()`` gives it as plain JSON data. Integer indexes and slices
    are the list's.

    Example::

        trash = ws.trash()
        for item in trash:
            print(item.type, item.name)
        for item in trash["sections"]["projects"]:
            print(item["name"], item["deletedAt"])
    """

    _KEYS = ("items", "sections", "counts", "nextCursor")

    def __init__(self, items: List[TrashItem] = (), counts: Optional[Dict[str, int]] = None,
                 next_cursor: Optional[str] = None) -> None:
        super().__init__(items)
        self.counts: Dict[str, int] = dict(counts or {})
        self.next_cursor: Optional[str] = next_cursor

    @property
    def sections(self) -> Dict[str, List[TrashItem]]:
        """The items by type, in listing order: ``{"projects": [...], "versions": [...], ...}``."""
        out: Dict[str, List[TrashItem]] = {section: [] for _, section in TRASH_SECTIONS}
        names = dict(TRASH_SECTIONS)
        for item in self:
            out.setdefault(names.get(item.type, item.type + "s"), []).append(item)
        return out

    def _field(self, key: str) -> Any:
        if key == "items":
            return list(self)
        if key == "sections":
            return self.sections
        if key == "counts":
            return self.counts
        if key == "nextCursor":
            return self.next_cursor
        raise KeyError(key)

    def __getitem__(self, key):  # type: ignore[no-untyped-def,override]
        if isinstance(key, str):
            return self._field(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        """``trash.get("items", [])``, as on the dict the ``roboflow`` client returns."""
        return self._field(key) if key in self._KEYS else default

    def keys(self) -> Tuple[str, ...]:
        return self._KEYS

    def values(self) -> List[Any]:
        return [self._field(k) for k in self._KEYS]

    def items(self) -> List[Tuple[str, Any]]:  # type: ignore[override]
        """The ``(key, value)`` pairs of the dict view (iterate the Trash itself for its items)."""
        return [(k, self._field(k)) for k in self._KEYS]

    def __contains__(self, value: object) -> bool:
        if isinstance(value, str):
            return value in self._KEYS
        return super().__contains__(value)

    def to_dict(self) -> Dict[str, Any]:
        """The listing as plain JSON data (the server's field names), e.g. for ``json.dumps``."""
        return {
            "items": [item.raw for item in self],
            "sections": {name: [item.raw for item in items] for name, items in self.sections.items()},
            "counts": dict(self.counts),
            "nextCursor": self.next_cursor,
        }

    def __repr__(self) -> str:
        return f"Trash({list.__repr__(self)})"


@dataclass
class RestoreResult:
    """The answer to a batch restore.

    ``restored`` lists ``{"type", "id"}`` references; ``failed`` lists
    ``{"type", "id", "error": {"code", "message"}}`` for items that were skipped (for example
    ``forbidden``, ``parent_in_trash`` or ``restore_conflict``). A batch never raises for a
    single item's failure.
    """

    restored: List[Dict[str, Any]]
    failed: List[Dict[str, Any]]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when no item failed."""
        return not self.failed

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "RestoreResult":
        return cls(restored=list(data.get("restored") or []), failed=list(data.get("failed") or []), raw=data)


@dataclass
class AuditEvent:
    """One audit-log entry: ``action`` is ``trash``, ``restore``, ``delete_permanently``,
    ``empty_trash`` or ``auto_cleanup``; ``actor`` is ``None`` for the system."""

    id: Optional[str]
    at: str
    actor: Optional[Dict[str, Any]]
    action: str
    item: Dict[str, Any]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "AuditEvent":
        return cls(id=data.get("id"), at=str(data.get("at", "")), actor=data.get("actor"),
                   action=str(data.get("action", "")), item=dict(data.get("item") or {}), raw=data)


@dataclass
class Usage:
    """Storage use of a workspace (docs/TRASH.md, "Storage figures").

    ``storage_bytes`` counts every stored image once and every model file, trashed or not, toward
    ``storage_quota_bytes``; ``active_bytes + trash_only_bytes == storage_bytes``;
    ``reclaimable_bytes`` (at most ``trash_only_bytes``) is what emptying the Trash would free now.
    ``figures_stale`` says the split awaits a recount (large workspaces; the total is exact).
    ``trash_bytes`` is the old name of ``trash_only_bytes``."""

    storage_bytes: int
    storage_quota_bytes: Optional[int]
    trash_items: int
    reclaimable_bytes: int
    images: Optional[int]
    trash_bytes: Optional[int]
    active_bytes: Optional[int] = None
    trash_only_bytes: Optional[int] = None
    figures_stale: bool = False
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Usage":
        return cls(
            storage_bytes=int(data.get("storageBytes") or 0),
            storage_quota_bytes=data.get("storageQuotaBytes"),
            trash_items=int(data.get("trashItems") or 0),
            reclaimable_bytes=int(data.get("reclaimableBytes") or 0),
            images=data.get("images"),
            trash_bytes=data.get("trashBytes"),
            active_bytes=data.get("activeBytes"),
            trash_only_bytes=data.get("trashOnlyBytes", data.get("trashBytes")),
            figures_stale=bool(data.get("figuresStale", data.get("reclaimableStale", False))),
            raw=data,
        )


# Records that read as mappings are mappings for isinstance() too.
Mapping.register(TrashItem)
