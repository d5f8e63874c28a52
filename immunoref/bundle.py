"""The layout of a release folder: where each file lives, its checksum list, and the releases in a folder.

Cheap to import (no pandas, pyarrow or pydantic): the loaders use it to find a release's tables.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from immunoref.semver import Version

PREFIX = "immunoref-"
ARCHIVE_SUFFIX = ".tar.gz"
DATAPACKAGE = "datapackage.json"
SUMS = "SHA256SUMS"

_SUMS_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def release_name(version: Version | str) -> str:
    """The folder name of a release, which is also the top folder inside its archive: immunoref-1.2.0."""
    return f"{PREFIX}{version}"


def parquet_name(table: str) -> str:
    """Path of a table's Parquet file inside a release: the bytes the package ships."""
    return f"data/{table}.parquet"


def csv_name(table: str) -> str:
    """Path of a table's CSV file inside a release, for spreadsheets and Frictionless tools."""
    return f"csv/{table}.csv"


def release_table_path(folder: str | Path, table: str) -> Path:
    """The Parquet file of one table in a release folder; FileNotFoundError or ValueError naming what is wrong."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"release folder {root} does not exist")
    if not (root / DATAPACKAGE).is_file():
        raise ValueError(f"{root} is not an immunoref release folder (it has no {DATAPACKAGE})")
    path = root / parquet_name(table)
    if not path.is_file():
        raise FileNotFoundError(f"release {root} has no table {table!r} ({path} is missing)")
    return path


def read_datapackage(folder: Path) -> dict[str, Any]:
    """The release's datapackage.json; ValueError naming the file when it is missing or not JSON."""
    path = folder / DATAPACKAGE
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{folder} is not an immunoref release folder (it has no {DATAPACKAGE})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return value


def release_tables(descriptor: Mapping[str, Any]) -> list[str]:
    """The tables a datapackage describes, in its order."""
    return [str(resource["name"]) for resource in descriptor.get("resources", []) if "name" in resource]


def find_releases(out: Path) -> dict[Version, Path]:
    """The release folders in out (immunoref-X.Y.Z holding a datapackage.json), by version."""
    found: dict[Version, Path] = {}
    if not out.is_dir():
        return found
    for child in out.iterdir():
        version = _version_of(child.name)
        if version is not None and child.is_dir() and (child / DATAPACKAGE).is_file():
            found[version] = child
    return dict(sorted(found.items()))


def taken_versions(out: Path) -> set[Version]:
    """Every version with a folder or an archive in out, complete or not: none of them may be written again."""
    taken: set[Version] = set()
    if out.is_dir():
        for child in out.iterdir():
            name = child.name.removesuffix(ARCHIVE_SUFFIX)
            version = _version_of(name)
            if version is not None:
                taken.add(version)
    return taken


def _version_of(name: str) -> Version | None:
    if not name.startswith(PREFIX):
        return None
    try:
        return Version.parse(name.removeprefix(PREFIX))
    except ValueError:
        return None


def sha256(content: bytes) -> str:
    """Hex SHA-256 of the bytes."""
    return hashlib.sha256(content).hexdigest()


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks so a large table never sits in memory whole."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sums_bytes(files: Mapping[str, bytes]) -> bytes:
    """A SHA256SUMS file for files, sorted by path, in the format `sha256sum -c` reads."""
    return "".join(f"{sha256(files[name])}  {name}\n" for name in sorted(files)).encode("utf-8")


def parse_sums(text: str) -> tuple[dict[str, str], list[int]]:
    """Checksums by path from a SHA256SUMS text, and the numbers of lines that are not checksum lines."""
    sums: dict[str, str] = {}
    malformed: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SUMS_LINE.match(line)
        path = match.group(2) if match else ""
        if match is None or path.startswith("/") or ".." in Path(path).parts or path in sums:
            malformed.append(number)
            continue
        sums[path] = match.group(1)
    return sums, malformed
