"""Which release a site shows (its version and how to cite it) and the files it offers for download."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from immunoref._paths import PACKAGE_DATA
from immunoref.bundle import DATAPACKAGE, SUMS, file_sha256
from immunoref.tables import TABLES

DATASET_TITLE = "a reference dataset of cancer immunotherapies"


@dataclass(frozen=True)
class DownloadFile:
    """One file offered under downloads/: its path there, size in bytes and SHA-256."""

    path: str
    size: int
    sha256: str
    source: Path

    @property
    def size_label(self) -> str:
        """Size for readers: 1.2 MB, 34 kB, 512 B (decimal units, fixed precision)."""
        for unit, factor in (("MB", 1_000_000), ("kB", 1_000)):
            if self.size >= factor:
                return f"{self.size / factor:.1f} {unit}"
        return f"{self.size} B"


@dataclass(frozen=True)
class Release:
    """The release a site shows."""

    dataset_version: str
    package_version: str
    folder: Path | None
    files: tuple[DownloadFile, ...]

    @property
    def checksums(self) -> str | None:
        """Path under downloads/ of the release's own checksum list, if it ships one."""
        return SUMS if any(f.path == SUMS for f in self.files) else None

    @property
    def citation(self) -> str:
        """How to cite the data this site shows."""
        return f"immunoref contributors. immunoref {self.dataset_version}, {DATASET_TITLE}."

    @property
    def source_label(self) -> str:
        """Where the data came from, for the downloads page."""
        if self.folder is None:
            return f"the data packaged with immunoref {self.package_version}"
        return f"the release folder {self.folder.name}"


def read_release(folder: Path | None) -> Release:
    """The packaged data's identity and files (folder None), or those of a release folder."""
    if folder is None:
        data = PACKAGE_DATA
        sources = [data / f"{table}.parquet" for table in TABLES] + [data / "manifest.json"]
        version = str(_json(data / "manifest.json").get("dataset_version") or package_version())
        entries = [(source.name, source) for source in sources if source.is_file()]
    else:
        version = _release_version(folder)
        entries = [
            (path.relative_to(folder).as_posix(), path)
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
        ]
    downloads = tuple(
        DownloadFile(name, source.stat().st_size, file_sha256(source), source) for name, source in sorted(entries)
    )
    return Release(version, package_version(), folder, downloads)


def package_version() -> str:
    """Version of the installed immunoref package."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("immunoref")
    except PackageNotFoundError:
        return "unknown"


def _release_version(folder: Path) -> str:
    """The dataset version a release folder declares: its manifest, else its datapackage."""
    for manifest in (folder / "manifest.json", folder / "data" / "manifest.json"):
        version = _json(manifest).get("dataset_version")
        if version:
            return str(version)
    return str(_json(folder / DATAPACKAGE).get("version") or "unknown")


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}
