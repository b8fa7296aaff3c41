"""A workspace: projects, workflows, the Asset Library, training jobs, usage, the Trash."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from ._http import HttpClient
from .project import Project, Training, Version
from .records import AuditEvent, Image, Job, RestoreResult, Trash, TrashItem, TrashPage, Usage
from .workflow import Workflow

TRASH_TYPES = ("project", "version", "workflow", "training")
# Page size asked for when a caller's limit is larger: every listing serves pages this big.
_PAGE_SIZE = 100
TrashRef = Union[TrashItem, Project, Version, Workflow, Training, Dict[str, Any], Sequence[Any]]


def _reference(item: TrashRef) -> Dict[str, Any]:
    """Turns anything that names a trashed item into a ``{"type", "id", "parentId"?}`` reference."""
    if isinstance(item, TrashItem):
        return item.reference()
    if isinstance(item, Project):
        return {"type": "project", "id": item.project_id}
    if isinstance(item, Version):
        return {"type": "version", "id": str(item.number), "parentId": item.project.project_id}
    if isinstance(item, Workflow):
        return {"type": "workflow", "id": item.id}
    if isinstance(item, Training):
        return {"type": "training", "id": item.id}
    if isinstance(item, dict):
        ref = {"type": item["type"], "id": str(item["id"])}
        parent = item.get("parentId", item.get("parent_id"))
        if parent is not None:
            ref["parentId"] = parent
        if item.get("url") is not None:
            ref["url"] = item["url"]
        return ref
    if isinstance(item, (tuple, list)) and len(item) in (2, 3):
        ref = {"type": item[0], "id": str(item[1])}
        if len(item) == 3 and item[2] is not None:
            ref["parentId"] = item[2]
        return ref
    raise TypeError(f"cannot name a Trash item with {item!r}")


class Workspace:
    """A workspace the API key belongs to. Get it with :meth:`limbo.Limbo.workspace`.

    Attributes: ``url``, ``name``, ``retention_days`` (days an item stays in the Trash),
    ``storage_quota_bytes``, ``member_count``, ``raw``.

    Example::

        ws = lb.workspace()
        for project in ws.projects():
            print(project.url, project.image_count)
        for item in ws.trash():
            print(item.type, item.name, item.days_remaining)
    """

    def __init__(self, http: HttpClient, data: Dict[str, Any]) -> None:
        self._http = http
        self._load(data)

    def _load(self, data: Dict[str, Any]) -> None:
        self.raw: Dict[str, Any] = data
        self.url: str = str(data.get("url", ""))
        self.name: str = str(data.get("name", ""))
        self.retention_days: Optional[int] = data.get("retentionDays")
        self.storage_quota_bytes: Optional[int] = data.get("storageQuotaBytes")
        members = data.get("members")
        self.member_count: Optional[int] = members if isinstance(members, int) else (
            len(members) if isinstance(members, list) else None
        )

    def __repr__(self) -> str:
        return f"Workspace(url={self.url!r}, name={self.name!r})"

    def refresh(self) -> "Workspace":
        """Reloads the workspace's settings and project list.

        Example::

            print(ws.refresh().retention_days, "days in the Trash before cleanup")
        """
        answer = self._http.request("GET", [self.url])
        self._load(answer.get("workspace") or {})
        return self

    # Projects

    def projects(self) -> List[Project]:
        """The workspace's active projects (trashed ones are listed only by :meth:`trash`).

        Example::

            urls = [p.url for p in ws.projects()]
        """
        self.refresh()
        return [Project(self, p) for p in self.raw.get("projects") or [] if isinstance(p, dict)]

    def project(self, url: str) -> Project:
        """The active project at ``url``.

        Raises :class:`~limbo.NotFoundError` (code ``in_trash`` when it is in the Trash).

        Example::

            cats = ws.project("cats")
        """
        answer = self._http.request("GET", [self.url, url])
        return Project(self, answer.get("project") or {})

    def create_project(
        self,
        name: str,
        type: str,
        annotation: str,
        group: Optional[Union[str, Dict[str, Any]]] = None,
        url: Optional[str] = None,
    ) -> Project:
        """Creates a project and returns it.

        ``type`` is one of ``object-detection``, ``single-label-classification``,
        ``multi-label-classification``, ``instance-segmentation``, ``semantic-segmentation``,
        ``keypoint-detection``. ``group`` is a group id (or a group dict). ``url`` defaults to
        a slug of ``name``; :class:`~limbo.ConflictError` ``url_taken`` if an active project has it.

        Example::

            cats = ws.create_project("Cats", "object-detection", "cat", url="cats")
        """
        body: Dict[str, Any] = {"name": name, "type": type, "annotation": annotation}
        if group is not None:
            body["group"] = group.get("id") if isinstance(group, dict) else group
        if url is not None:
            body["url"] = url
        # The server answers the bare project, as Roboflow's API answers a create.
        answer = self._http.request("POST", [self.url, "projects"], json_body=body)
        return Project(self, answer)

    # Workflows

    def workflows(self) -> List[Workflow]:
        """The workspace's active workflows (trashed ones are listed only by :meth:`trash`).

        Example::

            for wf in ws.workflows():
                print(wf.url, wf.name)
        """
        answer = self._http.request("GET", [self.url, "workflows"])
        return [Workflow(self, w) for w in answer.get("workflows") or []]

    def workflow(self, url: str) -> Workflow:
        """The active workflow at ``url``.

        Raises :class:`~limbo.NotFoundError` (code ``in_trash`` while it is in the Trash).

        Example::

            wf = ws.workflow("count-cats")
        """
        answer = self._http.request("GET", [self.url, "workflows", url])
        return Workflow(self, answer.get("workflow") or {})

    def create_workflow(
        self, name: str, config: Optional[Dict[str, Any]] = None, url: Optional[str] = None
    ) -> Workflow:
        """Creates a workflow and returns it.

        Example::

            wf = ws.create_workflow("Count cats", config={"steps": []}, url="count-cats")
        """
        body: Dict[str, Any] = {"name": name}
        if config is not None:
            body["config"] = config
        if url is not None:
            body["url"] = url
        answer = self._http.request("POST", [self.url, "workflows"], json_body=body)
        return Workflow(self, answer.get("workflow") or {})

    # Asset Library, jobs, usage

    def images(self, project: Optional[Union[str, Project]] = None, limit: Optional[int] = None) -> List[Image]:
        """The Asset Library's images, or only those linked to ``project`` (a url or Project).

        Follows ``nextCursor`` when the server pages the list; returns at most ``limit``
        images when ``limit`` is given.

        Example::

            total = sum(image.size_bytes for image in ws.images())
        """
        if isinstance(project, Project):
            project = project.url
        pages = self._pages([self.url, "images"], {"project": project, "limit": _page_size(limit)})
        return [Image.from_json(i) for i in _take(pages, "images", limit)]

    def image(self, id: str) -> Image:
        """One image of the Asset Library by id.

        Example::

            image = ws.image("i_3kd9x")
            print(image.name, image.width, image.height, image.projects)
        """
        answer = self._http.request("GET", [self.url, "images", id])
        return Image.from_json(answer.get("image") or {})

    def jobs(self) -> List[Job]:
        """Training jobs of active projects and versions (a trashed item's jobs are hidden).

        Example::

            running = [j for j in ws.jobs() if j.state == "running"]
        """
        answer = self._http.request("GET", [self.url, "jobs"])
        return [Job.from_json(j) for j in answer.get("jobs") or []]

    def job(self, id: str) -> Job:
        """One training job by id (404 while its project or version is in the Trash).

        Example::

            job = ws.job(job_id)
            print(job.state, job.credits_used, job.cancel_reason)
        """
        answer = self._http.request("GET", [self.url, "jobs", id])
        return Job.from_json(answer.get("job") or {})

    def usage(self) -> Usage:
        """Storage use; items in the Trash count until they are permanently removed.

        Each stored image counts once; ``active_bytes + trash_only_bytes == storage_bytes``, and
        ``reclaimable_bytes`` is what emptying the Trash would free now (docs/TRASH.md).

        Example::

            u = ws.usage()
            print(u.storage_bytes, "of", u.storage_quota_bytes, "bytes:",
                  u.active_bytes, "active,", u.trash_only_bytes, "only in the Trash,",
                  u.reclaimable_bytes, "freed by emptying it")
        """
        return Usage.from_json(self._http.request("GET", [self.url, "usage"]))

    # Trash

    def trash_pages(
        self,
        type: Optional[str] = None,
        q: Optional[str] = None,
        sort: Optional[str] = None,
        page_size: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Iterator[TrashPage]:
        """Yields the Trash listing page by page, following ``nextCursor``.

        ``type`` is ``project``, ``version``, ``workflow`` or ``training``; ``q`` filters by name; ``sort``
        is ``deletedAt``, ``scheduledCleanupAt`` or ``name``; ``page_size`` is the server's
        ``limit`` (1 to 1000 on limbod; the SDK asks for 100 when not given); ``cursor`` starts from a page you stopped at.

        Example::

            for page in ws.trash_pages(page_size=100):
                print(page.counts, len(page.items))
        """
        while True:
            answer = self._http.request(
                "GET",
                [self.url, "trash"],
                query={"type": type, "q": q, "sort": sort, "limit": page_size or _PAGE_SIZE, "cursor": cursor},
                conditional=True,
            )
            items = [TrashItem.from_json(i, self) for i in answer.get("items") or []]
            cursor = answer.get("nextCursor") or None
            yield TrashPage(items=items, counts=dict(answer.get("counts") or {}),
                            next_cursor=cursor, raw=answer)
            if cursor is None or not items:
                return

    def trash(
        self,
        type: Optional[str] = None,
        q: Optional[str] = None,
        sort: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> Trash:
        """Items in the workspace Trash (needs the ``view_trash`` permission).

        The SDK follows ``nextCursor`` for you: the answer holds every matching item, or at most
        ``limit`` items when ``limit`` is given. Use :meth:`trash_pages` to walk pages yourself.
        Filters as in :meth:`trash_pages`.

        The answer is a :class:`~limbo.Trash`: a list of :class:`~limbo.TrashItem` that also
        reads as the ``roboflow`` client's answer (``trash["items"]``,
        ``trash["sections"]["projects"]``, ``trash["counts"]``), whose items read as mappings
        too (``item["name"]``).

        Example::

            for item in ws.trash(type="version", sort="scheduledCleanupAt"):
                print(item.parent_name, item.name, item.days_remaining, item.blocked_reason)
            names = [item["name"] for item in ws.trash()["sections"]["projects"]]
        """
        if limit is not None and limit <= 0:
            return Trash()
        found: List[TrashItem] = []
        counts: Optional[Dict[str, int]] = None
        cursor: Optional[str] = None
        while True:
            # Pages of the SDK's own size (a listing without `limit` is the server's choice), each
            # asking for no more than is still wanted: a page is never cut, and the last cursor is
            # where the next items start.
            wanted = _PAGE_SIZE if limit is None else _page_size(limit - len(found))
            answer = self._http.request(
                "GET",
                [self.url, "trash"],
                query={"type": type, "q": q, "sort": sort, "limit": wanted, "cursor": cursor},
                conditional=True,
            )
            items = [TrashItem.from_json(i, self) for i in answer.get("items") or []]
            if counts is None:
                counts = dict(answer.get("counts") or {})
            found.extend(items)
            cursor = answer.get("nextCursor") or None
            if cursor is None or not items or (limit is not None and len(found) >= limit):
                break
        if limit is not None and len(found) > limit:  # a server that sent more than asked
            found, cursor = found[:limit], None
        return Trash(found, counts=counts, next_cursor=cursor)

    def restore_from_trash(
        self,
        type: str,
        id: Union[str, int],
        parent_id: Optional[str] = None,
        url: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Restores one item from the Trash to where it was deleted from.

        ``type`` is ``project``, ``version``, ``workflow`` or ``training``; ``id`` is the
        project's, workflow's or training's id, or the version's number (then ``parent_id`` is
        its project's id).
        ``url`` renames a project or workflow whose url an active one took meanwhile.

        Returns ``{"restored": True, "type", "id"}``. Raises :class:`~limbo.ConflictError`
        (``restore_conflict``, ``parent_in_trash``) or :class:`~limbo.NotFoundError`
        (``not_in_trash``).

        Example::

            ws.restore_from_trash("project", "p_7fz3k2")
            ws.restore_from_trash("version", 3, parent_id="p_7fz3k2")
            ws.restore_from_trash("workflow", "w_9k2m", url="count-cats-2")
            ws.restore_from_trash("training", "j_4k2m9")
        """
        if type not in TRASH_TYPES:
            raise ValueError(f"type must be one of {', '.join(TRASH_TYPES)}, not {type!r}")
        body: Dict[str, Any] = {"type": type, "id": str(id)}
        if parent_id is not None:
            body["parentId"] = parent_id
        if url is not None:
            body["url"] = url
        return self._http.request("POST", [self.url, "trash", "restore"], json_body=body)

    def restore_many(self, items: Iterable[TrashRef]) -> RestoreResult:
        """Restores a selection in one request; projects are restored before versions, and
        versions before trainings.

        Each item is a :class:`~limbo.TrashItem`, a Project/Version/Workflow/Training object, a dict
        ``{"type", "id", "parentId"?, "url"?}`` or a tuple ``(type, id[, parent_id])``.
        Items that cannot be restored are reported in ``failed``; nothing is raised for them.

        Example::

            result = ws.restore_many(ws.trash(q="cats"))
            for failure in result.failed:
                print(failure["type"], failure["id"], failure["error"]["code"])
        """
        refs = [_reference(i) for i in items]
        answer = self._http.request("POST", [self.url, "trash", "restore"], json_body={"items": refs})
        return RestoreResult.from_json(answer)

    def restore_all(self) -> RestoreResult:
        """Restores every item of the Trash the key may restore (projects first, then versions,
        then trainings, so a project and its separately trashed versions and runs come back together).

        Example::

            result = ws.restore_all()
            print(len(result.restored), "restored,", len(result.failed), "failed")
        """
        answer = self._http.request("POST", [self.url, "trash", "restore-all"], json_body={})
        return RestoreResult.from_json(answer)

    # Audit log

    def audit(self, limit: Optional[int] = None) -> List[AuditEvent]:
        """Audit events (trash, restore, permanent deletion, automatic cleanup), newest first.

        Follows ``nextCursor``; returns at most ``limit`` events when ``limit`` is given.

        Example::

            for event in ws.audit(limit=20):
                who = event.actor["name"] if event.actor else "system"
                print(event.at, who, event.action, event.item["name"])
        """
        pages = self._pages([self.url, "audit"], {"limit": _page_size(limit)})
        return [AuditEvent.from_json(e) for e in _take(pages, "events", limit)]

    def _pages(self, segments: List[Union[str, int]], query: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        """Yields the answers of a cursor-paged listing, following ``nextCursor``."""
        cursor: Optional[str] = None
        while True:
            answer = self._http.request("GET", segments, query=dict(query, cursor=cursor))
            yield answer
            cursor = answer.get("nextCursor") or None
            if cursor is None:
                return


def _page_size(limit: Optional[int]) -> Optional[int]:
    return None if limit is None else max(1, min(limit, _PAGE_SIZE))


def _take(pages: Iterator[Dict[str, Any]], key: str, limit: Optional[int]) -> List[Dict[str, Any]]:
    """Collects ``key`` lists across pages until they run out or ``limit`` entries are found."""
    found: List[Dict[str, Any]] = []
    if limit is not None and limit <= 0:
        return found
    for answer in pages:
        page = answer.get(key) or []
        found.extend(page)
        if limit is not None and len(found) >= limit:
            return found[:limit]
        if not page:
            return found
    return found
