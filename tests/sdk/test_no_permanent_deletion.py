"""The SDK has no way to delete anything permanently (spec T11)."""

from __future__ import annotations

import inspect
import os
import zipfile

import pytest

import limbo

SDK_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "sdk", "python"))
FORBIDDEN_WORDS = ("permanent", "empty", "purge")


def sdk_sources():
    for folder in ("limbo", "buildsys"):
        for dirpath, _, filenames in os.walk(os.path.join(SDK_DIR, folder)):
            for name in filenames:
                if name.endswith(".py"):
                    yield os.path.join(dirpath, name)


def test_no_public_attribute_offers_permanent_deletion():
    names = [n for n in dir(limbo) if not n.startswith("_")]
    classes = [getattr(limbo, n) for n in names if inspect.isclass(getattr(limbo, n))]
    assert limbo.Limbo in classes and limbo.Workspace in classes and limbo.TrashItem in classes
    offending = [n for n in names if any(w in n.lower() for w in FORBIDDEN_WORDS)]
    for cls in classes:
        for attr in dir(cls):
            if not attr.startswith("_") and any(w in attr.lower() for w in FORBIDDEN_WORDS):
                offending.append(f"{cls.__name__}.{attr}")
    assert offending == []


def test_instances_expose_no_such_attribute_either():
    lb = limbo.Limbo(api_key="k")
    ws = limbo.Workspace(lb._http, {"url": "acme"})
    project = limbo.Project(ws, {"id": "p_1", "url": "x"})
    version = limbo.Version(project, {"version": 1})
    objects = [lb, ws, project, version, limbo.Workflow(ws, {"id": "w_1"}),
               limbo.Training(version, {"trainingId": "j_1"}), limbo.Trash()]
    for obj in objects:
        public = [a for a in dir(obj) if not a.startswith("_")]
        assert not [a for a in public if any(w in a.lower() for w in FORBIDDEN_WORDS)], obj


def test_sources_never_name_a_web_app_route():
    sources = list(sdk_sources())
    assert len(sources) >= 5
    for path in sources:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        assert "/app/api/" not in text, path
        assert "app/api" not in text, path
        assert "trash/delete" not in text and "trash/empty" not in text, path


def test_the_transport_refuses_web_app_paths_before_sending():
    # Port 9 (discard) on loopback: if a request were sent it would fail with a connection error.
    lb = limbo.Limbo(api_key="k", api_url="http://127.0.0.1:9", max_retries=0)
    with pytest.raises(limbo.PermissionDeniedError) as info:
        lb.workspace("app")
    assert info.value.code == "web_only" and info.value.status is None


def test_deleting_only_moves_to_trash():
    # Every delete method's docstring promises the Trash; none takes a "force" argument.
    assert set(inspect.signature(limbo.Version.delete_training).parameters) == {"self", "id"}
    assert "Trash" in (limbo.Version.delete_training.__doc__ or "")
    for cls in (limbo.Project, limbo.Version, limbo.Workflow, limbo.Training):
        sig = inspect.signature(cls.delete)
        assert set(sig.parameters) <= {"self", "delete_images"}, cls
        assert "Trash" in (cls.delete.__doc__ or "")


def test_the_wheel_holds_the_package(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("limbo_build", os.path.join(SDK_DIR, "buildsys", "limbo_build.py"))
    backend = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(backend)
    assert backend.get_requires_for_build_wheel() == []
    name = backend.build_wheel(str(tmp_path))
    assert name == f"limbo-{limbo.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(tmp_path / name) as zf:
        files = set(zf.namelist())
    assert {"limbo/__init__.py", "limbo/py.typed", f"limbo-{limbo.__version__}.dist-info/RECORD"} <= files
    assert not any(f.startswith("buildsys") for f in files)
