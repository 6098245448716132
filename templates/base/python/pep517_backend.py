"""A PEP 517 build backend for this one-module package, standard library only.

Why not setuptools: the reader has no dependencies, and installing it should need none either — also
offline, where pip cannot fetch setuptools (Python 3.12+ venvs do not bundle it, and older setuptools
needs the separate `wheel` package to build wheels). This backend builds the wheel (PEP 427), sdist
and editable wheel (PEP 660) from pyproject.toml's [project] table, which it reads with the reader's
own minimal TOML parser.
"""

import base64
import hashlib
import io
import os
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = ["env_utils.py", "fork_stack_env.py"]
SDIST_FILES = ["pyproject.toml", "pep517_backend.py", "README.md"] + MODULES


def _project():
    import sys

    sys.path.insert(0, HERE)
    try:
        from env_utils import parse_toml
    finally:
        sys.path.remove(HERE)
    with open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8") as handle:
        return parse_toml(handle.read())["project"]


def _dist_name(project):
    return project["name"].replace("-", "_")


def _metadata(project):
    lines = [
        "Metadata-Version: 2.1",
        "Name: %s" % project["name"],
        "Version: %s" % project["version"],
        "Summary: %s" % project["description"],
        "Requires-Python: %s" % project["requires-python"],
        "License: %s" % project["license"]["text"],
    ]
    lines += ["Classifier: %s" % c for c in project.get("classifiers", [])]
    lines.append("Description-Content-Type: text/markdown")
    with open(os.path.join(HERE, project["readme"]), encoding="utf-8") as handle:
        readme = handle.read()
    return "\n".join(lines) + "\n\n" + readme


def _wheel_file():
    return "Wheel-Version: 1.0\nGenerator: fork-stack pep517_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _write_wheel(wheel_directory, files):
    """files: [(archive path, bytes)]; adds RECORD and returns the wheel's file name."""
    project = _project()
    name = "%s-%s" % (_dist_name(project), project["version"])
    dist_info = name + ".dist-info"
    files = files + [
        (dist_info + "/METADATA", _metadata(project).encode("utf-8")),
        (dist_info + "/WHEEL", _wheel_file().encode("utf-8")),
        (dist_info + "/top_level.txt", "".join(m[:-3] + "\n" for m in MODULES).encode("utf-8")),
    ]
    record = io.StringIO()
    for path, data in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
        record.write("%s,sha256=%s,%d\n" % (path, digest, len(data)))
    record.write("%s/RECORD,,\n" % dist_info)
    files.append((dist_info + "/RECORD", record.getvalue().encode("utf-8")))
    filename = name + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files:
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    return filename


def _read(name):
    with open(os.path.join(HERE, name), "rb") as handle:
        return handle.read()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(m, _read(m)) for m in MODULES])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth file puts this folder on sys.path: edits to env_utils.py take effect without reinstalling.
    return _write_wheel(wheel_directory, [("fork_stack_env_editable.pth", (HERE + "\n").encode("utf-8"))])


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    name = "%s-%s" % (_dist_name(project), project["version"])
    filename = name + ".tar.gz"
    entries = [(f, _read(f)) for f in SDIST_FILES] + [("PKG-INFO", _metadata(project).encode("utf-8"))]
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for path, data in entries:
            info = tarfile.TarInfo("%s/%s" % (name, path))
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 1577836800
            archive.addfile(info, io.BytesIO(data))
    return filename
