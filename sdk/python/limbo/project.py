"""Projects and their dataset versions."""

from __future__ import annotations

import mimetypes
import os
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Union

from ._http import HttpClient
from .records import Image, Job, Model, _ReadsAsMapping

if TYPE_CHECKING:
    from .workspace import Workspace

PathOrBytes = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Any]


def _version_number(number: Union[int, str]) -> int:
    text = str(number)
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"a version number is a positive integer, not {number!r}")
    return int(text)


class Project:
    """A project of a workspace. Get one with :meth:`Workspace.project` or
    :meth:`Workspace.create_project`.

    Attributes: ``id`` (``"workspace/slug"``, as the roboflow client names a project),
    ``project_id`` (opaque, e.g. ``"p_7fz3k2"``; it names the project in the Trash),
    ``url`` (slug), ``name``, ``type``, ``annotation``, ``group`` (``{"id", "name"}`` or None),
    ``image_count``, ``version_count``, ``created`` and ``updated`` (epoch seconds),
    ``created_at`` and ``updated_at`` (ISO 8601), ``created_by``, ``raw``.

    Example::

        project = ws.project("cats")
        project.delete()             # moves it to the Trash for the retention period
        project.restore()            # puts it back, same url and group
    """

    def __init__(self, workspace: "Workspace", data: Dict[str, Any]) -> None:
        self.workspace = workspace
        self._load(data)

    def _load(self, data: Dict[str, Any]) -> None:
        self.raw: Dict[str, Any] = data
        self.id: str = str(data.get("id", ""))
        self.project_id: str = str(data.get("projectId", ""))
        self.url: str = str(data.get("url", ""))
        self.name: str = str(data.get("name", ""))
        self.type: str = str(data.get("type", ""))
        self.annotation: Optional[str] = data.get("annotation")
        self.group: Optional[Dict[str, Any]] = data.get("group")
        self.image_count: int = int(data.get("images") or 0)
        versions = data.get("versions")
        self.version_count: int = versions if isinstance(versions, int) else len(versions or [])
        self.created: Optional[float] = data.get("created")
        self.updated: Optional[float] = data.get("updated")
        self.created_at: Optional[str] = data.get("createdAt")
        self.updated_at: Optional[str] = data.get("updatedAt")
        self.created_by: Any = data.get("createdBy")

    def __repr__(self) -> str:
        return f"Project(id={self.id!r}, url={self.url!r}, name={self.name!r}, type={self.type!r})"

    def _http(self) -> HttpClient:
        return self.workspace._http

    def refresh(self) -> "Project":
        """Reloads the project from the server and returns it.

        Raises :class:`~limbo.NotFoundError` with code ``in_trash`` if it is in the Trash.

        Example::

            print(project.refresh().image_count)
        """
        answer = self._http().request("GET", [self.workspace.url, self.url])
        self._load(answer.get("project") or {})
        return self

    def delete(self, delete_images: bool = False) -> Dict[str, Any]:
        """Moves the project, with its active versions, to the workspace Trash.

        Nothing is destroyed: the project stays restorable until its ``scheduledCleanupAt``.
        Its queued and running training jobs are cancelled and its models stop serving.
        With ``delete_images=True`` its images that no other project links are removed from
        the Asset Library when the project is finally cleaned up (never before).

        Returns the server's answer, e.g. ``{"deleted": True, "type": "project", "projectId":
        "p_7fz3k2", "trash": True, "scheduledCleanupAt": "..."}``.

        Example::

            answer = ws.project("cats").delete()
            print("cleanup at", answer["scheduledCleanupAt"])
        """
        query = {"deleteImages": True} if delete_images else None
        return self._http().request("DELETE", [self.workspace.url, self.url], query=query)

    def restore(self, url: Optional[str] = None) -> Dict[str, Any]:
        """Restores this project from the Trash to its group, with the versions trashed with it.

        Pass ``url`` when another active project took its url meanwhile (otherwise
        :class:`~limbo.ConflictError` ``restore_conflict``); the project then lives at ``url``.

        Example::

            try:
                project.restore()
            except limbo.ConflictError as err:
                if err.code == "restore_conflict":
                    project.restore(url="cats-restored")
        """
        answer = self.workspace.restore_from_trash("project", self.project_id, url=url)
        if url is not None:
            self.url = url
        return answer

    def versions(self) -> List["Version"]:
        """The project's active versions (trashed ones are only in the Trash).

        Example::

            for version in ws.project("cats").versions():
                print(version.number, version.name)
        """
        answer = self._http().request("GET", [self.workspace.url, self.url])
        if isinstance(answer.get("project"), dict):
            self._load(answer["project"])
        return [Version(self, v) for v in answer.get("versions") or []]

    def version(self, number: Union[int, str]) -> "Version":
        """Version ``number`` of this project.

        Raises :class:`~limbo.NotFoundError` (code ``in_trash`` when it is in the Trash).

        Example::

            v3 = ws.project("cats").version(3)
        """
        n = _version_number(number)
        answer = self._http().request("GET", [self.workspace.url, self.url, n])
        return Version(self, answer.get("version") or {})

    def generate_version(self, name: Optional[str] = None) -> "Version":
        """Freezes the project's current images into the next version and returns it.

        Example::

            v = project.generate_version(name="baseline")
            print(v.number)
        """
        body: Dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        answer = self._http().request("POST", [self.workspace.url, self.url, "versions"], json_body=body)
        return Version(self, answer.get("version") or {})

    def upload(self, path_or_bytes: PathOrBytes, name: Optional[str] = None) -> Image:
        """Uploads one image (PNG, JPEG, GIF or BMP) to the Asset Library and links it here.

        ``path_or_bytes`` is a file path, the image's bytes, or a binary file object. ``name``
        defaults to the file's base name. Bytes already in the library are not stored twice:
        the returned image then has ``duplicate=True``.

        Raises :class:`~limbo.ValidationError` for a non-image (415 ``unsupported_media_type``),
        an image that does not decode (415 ``invalid_image``), bytes of another type than the
        name's extension suggests (415 ``image_type_mismatch``) or more pixels than the server
        takes (413 ``image_too_large``); :class:`~limbo.QuotaExceededError` when the workspace is full.

        Example::

            image = project.upload("photos/cat.jpg")
            image = project.upload(png_bytes, name="generated.png")
        """
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            data = bytes(path_or_bytes)
        elif isinstance(path_or_bytes, (str, os.PathLike)):
            path = os.fspath(path_or_bytes)
            with open(path, "rb") as f:
                data = f.read()
            if name is None:
                name = os.path.basename(path)
        elif hasattr(path_or_bytes, "read"):
            data = path_or_bytes.read()
            if name is None and isinstance(getattr(path_or_bytes, "name", None), str):
                name = os.path.basename(path_or_bytes.name)
        else:
            raise TypeError("upload() takes a path, bytes, or a binary file object")
        content_type = (mimetypes.guess_type(name)[0] if name else None) or "application/octet-stream"
        answer = self._http().request(
            "POST",
            [self.workspace.url, self.url, "upload"],
            query={"name": name},
            data=data,
            content_type=content_type,
        )
        return Image.from_json(answer.get("image") or {}, duplicate=bool(answer.get("duplicate")))

    def link_images(self, ids: Iterable[Union[str, Image]]) -> Dict[str, Any]:
        """Links images already in the Asset Library to this project.

        Returns ``{"linked": <count>, "project": ...}``.

        Example::

            other.link_images([image.id for image in ws.images(project="cats")])
        """
        refs = [i.id if isinstance(i, Image) else str(i) for i in ids]
        return self._http().request(
            "POST", [self.workspace.url, self.url, "images"], json_body={"images": refs}
        )


class Version:
    """A numbered dataset version of a project (a frozen snapshot of its images).

    Attributes: ``project`` (the :class:`Project`), ``number``, ``id`` (``"ws/project/3"``),
    ``name``, ``image_count``, ``created`` (epoch seconds), ``created_at`` (ISO 8601), ``splits``,
    ``augmentation``, ``preprocessing``, ``model`` (a :class:`~limbo.Model` or None), ``raw``.

    Example::

        v = project.version(2)
        job = v.train()
        v.delete()          # to the Trash; the job is cancelled, the model stops serving
        v.restore()
    """

    def __init__(self, project: Project, data: Dict[str, Any]) -> None:
        self.project = project
        self._load(data)

    def _load(self, data: Dict[str, Any]) -> None:
        self.raw: Dict[str, Any] = data
        self.number: int = int(data.get("version") or 0)
        self.id: str = str(data.get("id", ""))
        self.name: Optional[str] = data.get("name")
        self.image_count: int = int(data.get("images") or 0)
        self.created: Optional[float] = data.get("created")
        self.created_at: Optional[str] = data.get("createdAt")
        self.splits: Dict[str, int] = dict(data.get("splits") or {})
        self.augmentation: Dict[str, Any] = dict(data.get("augmentation") or {})
        self.preprocessing: Dict[str, Any] = dict(data.get("preprocessing") or {})

    @property
    def model(self) -> Optional[Model]:
        """The version's trained model as last loaded (call :meth:`refresh` for news), or None."""
        data = self.raw.get("model")
        return Model.from_json(data) if isinstance(data, dict) else None

    def __repr__(self) -> str:
        return f"Version(project={self.project.url!r}, number={self.number}, name={self.name!r})"

    def _segments(self) -> List[Union[str, int]]:
        return [self.project.workspace.url, self.project.url, self.number]

    def _http(self) -> HttpClient:
        return self.project.workspace._http

    def refresh(self) -> "Version":
        """Reloads the version (and its model's state) from the server.

        Example::

            model = version.refresh().model
            print(model.state if model else "not trained")
        """
        answer = self._http().request("GET", self._segments())
        self._load(answer.get("version") or {})
        return self

    def delete(self) -> Dict[str, Any]:
        """Moves the version to the workspace Trash (its project stays active).

        Its queued and running training job is cancelled (``cancel_reason`` becomes
        ``"moved_to_trash"``) and its model stops serving until it is restored.
        Returns the server's answer (as for a project, plus ``"version": "3"``).

        Example::

            ws.project("cats").version(3).delete()
        """
        return self._http().request("DELETE", self._segments())

    def restore(self) -> Dict[str, Any]:
        """Restores this version from the Trash into its project.

        Raises :class:`~limbo.ConflictError` with code ``parent_in_trash`` while the project
        is in the Trash: restore the project first.

        Example::

            v3 = ws.project("cats").version(3)
            v3.delete()
            v3.restore()
        """
        return self.project.workspace.restore_from_trash(
            "version", str(self.number), parent_id=self.project.project_id
        )

    def train(self) -> Job:
        """Starts a training job on this version and returns it.

        Raises :class:`~limbo.ConflictError` ``job_active`` while a job is queued or running.

        Example::

            job = version.train()
            print(job.state, job.credits_used)
        """
        answer = self._http().request("POST", self._segments() + ["train"], json_body={})
        return Job.from_json(answer.get("job") or {})

    def trainings(self) -> List["Training"]:
        """The version's active training runs (trashed ones are listed only by ``ws.trash()``).

        Example::

            for run in version.trainings():
                print(run.id, run.status, run.model_ids)
        """
        answer = self._http().request("GET", self._segments() + ["v2", "trainings"])
        return [Training(self, t) for t in answer.get("trainings") or [] if isinstance(t, dict)]

    def delete_training(self, id: Optional[str] = None) -> Dict[str, Any]:
        """Moves one finished, failed or cancelled training run of this version to the Trash.

        Its models stop serving; if one was the version's model, the version's model becomes
        that of its newest remaining finished run, or none. ``id`` is the run's training id;
        without it the version's only run is meant (:class:`~limbo.ConflictError` when it has
        several: the message names ``MULTIPLE_TRAININGS`` and lists their ids). A queued or
        running run is refused with :class:`~limbo.ConflictError` ``training_in_progress``:
        cancel it first.

        Returns ``{"trainingId", "inTrash": True, "alreadyInTrash"}``.

        Example::

            run = version.trainings()[0]
            version.delete_training(run.id)
        """
        body: Dict[str, Any] = {} if id is None else {"trainingId": str(id)}
        return self._http().request("POST", self._segments() + ["v2", "trainings", "delete"], json_body=body)

    def restore_training(self, id: str) -> Dict[str, Any]:
        """Restores training run ``id`` of this version from the Trash, with its models.

        A restored model never displaces one that serves now, unless the version has none.
        Raises :class:`~limbo.ConflictError` ``parent_in_trash`` while the project or the
        version is in the Trash, :class:`~limbo.NotFoundError` ``not_in_trash`` when the
        run is not there. Returns ``{"trainingId", "restored": True}``.

        Example::

            version.restore_training("j_4k2m9")
        """
        return self._http().request(
            "POST", self._segments() + ["v2", "trainings", "restore"], json_body={"trainingId": str(id)}
        )

    def cancel_training(self) -> Job:
        """Cancels this version's queued or running training job and returns it.

        Its ``cancel_reason`` becomes ``"user"``. Raises :class:`~limbo.ConflictError` when
        the version has no queued or running job.

        Example::

            job = version.cancel_training()
            assert job.state == "cancelled"
        """
        answer = self._http().request("POST", self._segments() + ["train", "cancel"], json_body={})
        return Job.from_json(answer.get("job") or {})


class Training(_ReadsAsMapping):
    """One training run of a version, as :meth:`Version.trainings` lists it.

    Attributes: ``version`` (the :class:`Version`), ``id`` (its training id; also
    ``training_id``), ``status``, ``model_type``, ``model_group``, ``model_ids``, ``start``,
    ``raw``. It also reads as the server's JSON object (``run["trainingId"]``).

    Example::

        run = version.trainings()[0]
        run.delete()        # to the Trash; its models stop serving
        run.restore()
    """

    def __init__(self, version: Version, data: Dict[str, Any]) -> None:
        self.version = version
        self.raw: Dict[str, Any] = data
        self.id: str = str(data.get("trainingId") or data.get("id") or "")
        self.status: Optional[str] = data.get("status")
        self.model_type: Optional[str] = data.get("modelType")
        self.model_group: Optional[str] = data.get("modelGroup")
        self.model_ids: List[str] = list(data.get("modelIds") or [])
        self.start: Any = data.get("start")

    @property
    def training_id(self) -> str:
        """The run's id, by the name the ``roboflow`` client gives it."""
        return self.id

    def __repr__(self) -> str:
        return f"Training(id={self.id!r}, status={self.status!r}, version={self.version.number})"

    def delete(self) -> Dict[str, Any]:
        """Moves this run (finished, failed or cancelled) and its models to the Trash.

        Nothing is destroyed: it stays restorable for the workspace's retention period.
        See :meth:`Version.delete_training`.

        Example::

            version.trainings()[0].delete()
        """
        return self.version.delete_training(self.id)

    def restore(self) -> Dict[str, Any]:
        """Restores this run from the Trash. See :meth:`Version.restore_training`.

        Example::

            run.restore()
        """
        return self.version.restore_training(self.id)
