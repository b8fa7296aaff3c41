"""A standard-library-only PEP 517/660 build backend for the ``limbo`` package.

It writes a pure-Python wheel (``limbo-<version>-py3-none-any.whl``) holding the ``limbo``
package, an sdist, and an editable wheel that points at this directory. It needs nothing
downloaded, which keeps ``pip install ./sdk/python`` working without a network.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile
from typing import Dict, List, Optional, Tuple

NAME = "limbo"
SUMMARY = "Python SDK of Limbo, a self-hosted computer-vision dataset server with a safe Trash"
REQUIRES_PYTHON = ">=3.8"
LICENSE = "Apache-2.0"
TAG = "py3-none-any"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE_DIR = os.path.join(ROOT, NAME)
# Files of the source distribution besides the package itself.
SDIST_EXTRA = ("pyproject.toml", "README.md", os.path.join("buildsys", "limbo_build.py"))


def _version() -> str:
    with open(os.path.join(PACKAGE_DIR, "__init__.py"), encoding="utf-8") as f:
        match = re.search(r'^__version__ = "([^"]+)"', f.read(), re.M)
    if not match:
        raise RuntimeError("limbo/__init__.py does not define __version__")
    return match.group(1)


def _dist_info() -> str:
    return f"{NAME}-{_version()}.dist-info"


def _metadata() -> str:
    readme_path = os.path.join(ROOT, "README.md")
    readme = ""
    if os.path.exists(readme_path):
        with open(readme_path, encoding="utf-8") as f:
            readme = f.read()
    headers = [
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {_version()}",
        f"Summary: {SUMMARY}",
        f"License: {LICENSE}",
        f"Requires-Python: {REQUIRES_PYTHON}",
        "Classifier: Programming Language :: Python :: 3",
        "Classifier: Typing :: Typed",
        "Description-Content-Type: text/markdown",
    ]
    return "\n".join(headers) + "\n\n" + readme


def _wheel_file() -> str:
    return (
        "Wheel-Version: 1.0\n"
        f"Generator: limbo_build {_version()}\n"
        "Root-Is-Purelib: true\n"
        f"Tag: {TAG}\n"
    )


def _package_files() -> List[Tuple[str, str]]:
    """(archive name, path on disk) of every file of the package, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(PACKAGE_DIR):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for filename in sorted(filenames):
            if filename.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(dirpath, filename)
            arcname = os.path.relpath(path, ROOT).replace(os.sep, "/")
            found.append((arcname, path))
    return found


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{arcname},sha256={digest},{len(data)}"


def _write_wheel(wheel_directory: str, contents: Dict[str, bytes]) -> str:
    dist_info = _dist_info()
    contents = dict(contents)
    contents[f"{dist_info}/METADATA"] = _metadata().encode("utf-8")
    contents[f"{dist_info}/WHEEL"] = _wheel_file().encode("utf-8")
    record_name = f"{dist_info}/RECORD"
    record = [_record_line(name, data) for name, data in contents.items()]
    record.append(f"{record_name},,")
    contents[record_name] = ("\n".join(record) + "\n").encode("utf-8")

    basename = f"{NAME}-{_version()}-{TAG}.whl"
    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(os.path.join(wheel_directory, basename), "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in contents.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return basename


def _write_metadata_dir(metadata_directory: str) -> str:
    dist_info = _dist_info()
    target = os.path.join(metadata_directory, dist_info)
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    with open(os.path.join(target, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(_wheel_file())
    return dist_info


# PEP 517 hooks


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    return _write_metadata_dir(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    return _write_metadata_dir(metadata_directory)


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None,
                metadata_directory: Optional[str] = None) -> str:
    contents = {}
    for arcname, path in _package_files():
        with open(path, "rb") as f:
            contents[arcname] = f.read()
    return _write_wheel(wheel_directory, contents)


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None,
                   metadata_directory: Optional[str] = None) -> str:
    # A .pth file puts this directory on sys.path, so edits to limbo/ take effect at once.
    return _write_wheel(wheel_directory, {f"_{NAME}_editable.pth": (ROOT + "\n").encode("utf-8")})


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    base = f"{NAME}-{_version()}"
    files = [(arcname, path) for arcname, path in _package_files()]
    for extra in SDIST_EXTRA:
        path = os.path.join(ROOT, extra)
        if os.path.exists(path):
            files.append((extra.replace(os.sep, "/"), path))
    os.makedirs(sdist_directory, exist_ok=True)
    basename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, basename), "w:gz", format=tarfile.PAX_FORMAT) as tf:
        pkg_info = _metadata().encode("utf-8")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size, info.mtime, info.mode = len(pkg_info), int(time.time()), 0o644
        tf.addfile(info, io.BytesIO(pkg_info))
        for arcname, path in files:
            tf.add(path, arcname=f"{base}/{arcname}", recursive=False)
    return basename
